/* store_internal.h - what the store's own files share: the backend table each backend fills
 * in, and the SHA-256 streaming helper. Not for other libraries. */
#ifndef YAA_STORE_INTERNAL_H
#define YAA_STORE_INTERNAL_H

#include "store/store.h"

#include <openssl/evp.h>
#include <stdio.h>

typedef struct yaa_store_ops {
    int (*put_file)(yaa_store *st, const char *key, const char *path, const char *sha256,
                    uint64_t size, yaa_err *err);
    int (*put)(yaa_store *st, const char *key, const void *data, size_t len, yaa_err *err);
    int (*get_file)(yaa_store *st, const char *key, const char *tmp_path, char sha_out[65],
                    yaa_err *err);
    int (*stat_key)(yaa_store *st, const char *key, yaa_store_stat *out, yaa_err *err);
    int (*del)(yaa_store *st, const char *key, yaa_err *err);
    int (*list)(yaa_store *st, const char *prefix, yaa_store_list_fn fn, void *ud, yaa_err *err);
    int (*presign)(yaa_store *st, const char *key, long expires_sec, int64_t now, char *out,
                   size_t n, yaa_err *err);
    void (*close)(yaa_store *st);
} yaa_store_ops;

struct yaa_store {
    const yaa_store_ops *ops;
    char describe[512];
    bool is_file;
    char *root;    /* file backend */
    void *backend; /* s3 backend state */
};

/* Streaming SHA-256 (OpenSSL's, hardware-accelerated where the CPU can). */
typedef struct yaa_store__sha {
    EVP_MD_CTX *ctx;
} yaa_store__sha;
int yaa_store__sha_init(yaa_store__sha *h);
void yaa_store__sha_update(yaa_store__sha *h, const void *p, size_t n);
/* Hex digest of what was hashed so far; frees the state. */
void yaa_store__sha_hex(yaa_store__sha *h, char out[65]);
/* Frees the state without a digest (error paths). */
void yaa_store__sha_free(yaa_store__sha *h);
/* One-shot SHA-256 of a buffer as hex. */
void yaa_store__sha_buf(const void *p, size_t n, char out[65]);

/* A temporary name beside path that no other call, thread, process or host uses at the same
 * time: "<path>.<tag>-<host>-<pid>-<n>" (core/host.h). Downloads and copies are written
 * there (opened O_EXCL) and renamed into place, so concurrent fetches of one file never
 * truncate each other. YAA_ELIMIT when it does not fit. */
int yaa_store__tmp_name(const char *path, const char *tag, char *out, size_t n, yaa_err *err);

int yaa_store__file_init(yaa_store *st, const char *dir, yaa_err *err);
int yaa_store__s3_init(yaa_store *st, const yaa_store_s3_opts *o, yaa_err *err);

#endif
