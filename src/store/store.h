/* store.h - the artifact store: where run artifacts and large channel media live, behind one
 * interface with two backends.
 *
 *   file  ARTIFACT_STORE=file (default): keys are paths under OUTPUT_DIR. A run's files are
 *         written there by the agents directly, so the pipeline copies nothing.
 *   s3    ARTIFACT_STORE=s3://bucket/prefix: any S3-compatible server (AWS, MinIO, R2, Ceph
 *         RGW, GCS interop), requests signed by libcurl's SigV4, multipart upload for large
 *         files, SHA-256 of every body checked, retries with backoff, a timeout on every call.
 *
 * Keys are relative ("runs/<run_id>/<attempt>/video.mp4"): 1-900 characters of
 * [A-Za-z0-9._/-], no leading '/', no empty, "." or ".." segment. Errors name the key and the
 * endpoint, never the credentials. Every function is safe to call from several threads on
 * one handle. docs/STORAGE.md is the operator's page. */
#ifndef YAA_STORE_H
#define YAA_STORE_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yaa_store yaa_store;

#define YAA_STORE_KEY_MAX 900
#define YAA_SHA256_HEX 65 /* 64 hex digits + NUL */

/* The knobs of the s3 backend; yaa_store_open fills them from the configuration, tests set
 * them directly to provoke multipart uploads and timeouts quickly. */
typedef struct yaa_store_s3_opts {
    const char *endpoint;   /* "http://127.0.0.1:9000"; NULL = https://s3.<region>.amazonaws.com */
    const char *bucket;     /* required */
    const char *prefix;     /* "" or "a/b" (no slashes at the ends) */
    const char *region;     /* NULL = us-east-1 */
    bool path_style;        /* endpoint/bucket/key instead of bucket.endpoint/key */
    const char *access_key; /* required */
    const char *secret_key; /* required; never logged */
    const char *session_token; /* temporary credentials' token or NULL; never logged */
    long timeout_ms;           /* connect timeout and longest stall; 0 = 30000 */
    size_t part_size;          /* multipart part size; 0 = 16 MiB (S3's minimum is 5 MiB) */
    size_t multipart_min;      /* files this large go up in parts; 0 = 64 MiB */
    int max_attempts;          /* per request, including the first; 0 = 4 */
    long base_delay_ms;        /* first backoff; 0 = 300 */
} yaa_store_s3_opts;

/* Opens the store the configuration names (ARTIFACT_STORE, S3_*, AWS_*). */
int yaa_store_open(const yaa_config *cfg, yaa_store **out, yaa_err *err);
/* A file store rooted at dir (created if missing). */
int yaa_store_open_file(const char *dir, yaa_store **out, yaa_err *err);
/* An s3 store; the strings are copied. */
int yaa_store_open_s3(const yaa_store_s3_opts *o, yaa_store **out, yaa_err *err);
void yaa_store_close(yaa_store *st);

/* Splits "s3://bucket/prefix/more" into bucket and prefix ("" when none); YAA_ECONFIG
 * naming ARTIFACT_STORE when malformed. */
int yaa_store_parse_url(const char *url, char *bucket, size_t nb, char *prefix, size_t np,
                        yaa_err *err);

/* True for the file backend; its root directory (keys are paths below it). */
bool yaa_store_is_file(const yaa_store *st);
const char *yaa_store_file_root(const yaa_store *st);
/* "file:<dir>" or "s3://bucket/prefix at <endpoint>" for logs and errors. */
const char *yaa_store_describe(const yaa_store *st);

/* True if key is acceptable (see above). */
bool yaa_store_key_valid(const char *key);

/* Uploads the file at path as key. sha256 (may be NULL: computed here) is the hex digest of
 * the file; it is the signed payload hash, so the server refuses a body that differs from it
 * (damaged on the way, or a file that changed since it was hashed). Files of at least
 * multipart_min go up in parts, each hashed, sent and retried on its own. */
int yaa_store_put_file(yaa_store *st, const char *key, const char *path, const char *sha256,
                       yaa_err *err);
/* Uploads a buffer as key. */
int yaa_store_put(yaa_store *st, const char *key, const void *data, size_t len, yaa_err *err);
/* Downloads key to path (written to a temporary file in path's directory, checked, then
 * renamed into place). expect_sha256 (may be NULL) must match the bytes received, else
 * YAA_EIO naming the key. YAA_ENOTFOUND when the key does not exist. */
int yaa_store_get_file(yaa_store *st, const char *key, const char *path, const char *expect_sha256,
                       yaa_err *err);

typedef struct yaa_store_stat {
    uint64_t size;
    int64_t mtime; /* seconds since the epoch, 0 if unknown */
} yaa_store_stat;

/* Size and time of key; YAA_ENOTFOUND when it does not exist. */
int yaa_store_stat_key(yaa_store *st, const char *key, yaa_store_stat *out, yaa_err *err);
/* Deletes key; a missing key is not an error. */
int yaa_store_delete(yaa_store *st, const char *key, yaa_err *err);

/* Calls fn for each key under prefix (a "dir/" prefix or ""), in no promised order; fn
 * returning non-zero stops the walk with that value. */
typedef int (*yaa_store_list_fn)(void *ud, const char *key, const yaa_store_stat *st);
int yaa_store_list(yaa_store *st, const char *prefix, yaa_store_list_fn fn, void *ud, yaa_err *err);

/* A presigned GET URL for key valid for expires_sec (1..604800) seconds; YAA_EINVAL on the
 * file backend (which has no URLs). now = 0 uses the clock (tests pass a fixed time). */
int yaa_store_presign(yaa_store *st, const char *key, long expires_sec, int64_t now, char *out,
                      size_t n, yaa_err *err);

/* Walks the folder dir depth first: returns the bytes of its files, adds their count to
 * *files (may be NULL) and, with remove, deletes each file and then each folder (scratch
 * folders, expired run folders, materialised channels). */
uint64_t yaa_store_tree(const char *dir, bool remove, size_t *files);

/* A download cache: dir holds files named by their 64-digit SHA-256, whose modification time
 * is their last use. Removes the least recently used ones until the rest hold at most cap
 * bytes, never keep (may be NULL: the file about to be sent, even when it alone is over the
 * cap). Temporary downloads ("<sha>.part-...") untouched for an hour, left by a process
 * that died mid-download, are removed; other names are left alone. */
void yaa_store_cache_trim(const char *dir, uint64_t cap, const char *keep);

/* SHA-256 of a file as 64 lowercase hex digits (+ its size if size != NULL). */
int yaa_store_sha256_file(const char *path, char out[YAA_SHA256_HEX], uint64_t *size, yaa_err *err);

#endif
