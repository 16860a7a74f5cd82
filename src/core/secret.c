/* secret.c - sealing and opening secrets at rest with libsodium's secretbox, and the key
 * they are sealed with (see secret.h). */
#include "core/secret.h"

#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASSPHRASE_MIN 32

static void key_id(yaa_secret_key *k) {
    unsigned char h[8];
    crypto_generichash(h, sizeof h, k->key, sizeof k->key, (const unsigned char *)"yaa-key-id", 10);
    sodium_bin2hex(k->id, sizeof k->id, h, sizeof h);
}

static int create_key_file(const char *path, yaa_err *err) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (yaa_mkdirs(dir, 0700) != 0)
            return yaa_err_set(err, YAA_EIO, "secret key: cannot create the folder %s: %s", dir,
                               strerror(errno));
    }
    unsigned char raw[YAA_SECRET_KEY_BYTES];
    char hex[2 * YAA_SECRET_KEY_BYTES + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    strcat(hex, "\n");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        sodium_memzero(hex, sizeof hex);
        if (errno == EEXIST) return 0; /* another process made it first: read theirs */
        return yaa_err_set(err, YAA_EIO, "secret key: cannot create %s: %s", path, strerror(errno));
    }
    size_t len = strlen(hex);
    ssize_t w = write(fd, hex, len);
    int ok = w == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        return yaa_err_set(err, YAA_EIO, "secret key: cannot write %s", path);
    }
    return 0;
}

static int read_key_file(const char *path, yaa_secret_key *out, yaa_err *err) {
    struct stat st;
    if (stat(path, &st) != 0)
        return yaa_err_set(err, YAA_EIO, "secret key: cannot read %s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return yaa_err_set(err, YAA_ECONFIG,
                           "secret key: %s can be read by other users (mode %03o); run chmod "
                           "600 %s",
                           path, (unsigned)(st.st_mode & 0777), path);
    char *text = NULL;
    size_t len = 0;
    if (yaa_read_file(path, 4096, &text, &len) != 0)
        return yaa_err_set(err, YAA_EIO, "secret key: cannot read %s", path);
    size_t got = 0;
    int rc = sodium_hex2bin(out->key, sizeof out->key, text, len, " \r\n\t", &got, NULL);
    sodium_memzero(text, len);
    free(text);
    if (rc != 0 || got != sizeof out->key)
        return yaa_err_set(err, YAA_ECONFIG,
                           "secret key: %s must hold 64 hex digits (32 bytes); remove it to "
                           "have a new one made (tokens sealed with it must then be connected "
                           "again)",
                           path);
    return 0;
}

int yaa_secret_key_load(const char *passphrase, const char *key_file, yaa_secret_key *out,
                        yaa_err *err) {
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0) return yaa_err_set(err, YAA_EIO, "libsodium failed to initialise");
    if (passphrase && *passphrase) {
        if (strlen(passphrase) < PASSPHRASE_MIN)
            return yaa_err_set(err, YAA_ECONFIG,
                               "SECRET_KEY has %zu characters; use at least %d (for example "
                               "the output of: head -c 32 /dev/urandom | base64)",
                               strlen(passphrase), PASSPHRASE_MIN);
        crypto_generichash(out->key, sizeof out->key, (const unsigned char *)passphrase,
                           strlen(passphrase), (const unsigned char *)"yaa-secret-key-v1", 17);
    } else {
        if (!key_file || !*key_file)
            return yaa_err_set(err, YAA_ECONFIG, "set SECRET_KEY or SECRET_KEY_FILE");
        int rc = access(key_file, F_OK) == 0 ? 0 : create_key_file(key_file, err);
        if (!rc) rc = read_key_file(key_file, out, err);
        if (rc) {
            sodium_memzero(out, sizeof *out);
            return rc;
        }
    }
    key_id(out);
    return 0;
}

int yaa_secret_seal(const yaa_secret_key *k, const char *plaintext, char **out, yaa_err *err) {
    *out = NULL;
    size_t n = strlen(plaintext);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *box = malloc(blen);
    size_t b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(4 + sizeof k->id + b64len);
    if (!box || !s) {
        free(box);
        free(s);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plaintext, n,
                          box, k->key);
    int off = sprintf(s, "v1:%s:", k->id);
    sodium_bin2base64(s + off, b64len, box, blen, sodium_base64_VARIANT_ORIGINAL);
    free(box);
    *out = s;
    return 0;
}

int yaa_secret_open(const yaa_secret_key *k, const char *sealed, char **plaintext, yaa_err *err) {
    *plaintext = NULL;
    if (!sealed || strncmp(sealed, "v1:", 3) != 0 || strlen(sealed) < 3 + 16 + 1 ||
        sealed[3 + 16] != ':')
        return yaa_err_set(err, YAA_EINVAL, "secret: the stored value is not a sealed secret");
    if (strncmp(sealed + 3, k->id, 16) != 0)
        return yaa_err_set(err, YAA_EAUTH,
                           "secret: the value was sealed with another key (id %.16s; this "
                           "process has %s); restore that SECRET_KEY or key file, or connect "
                           "again",
                           sealed + 3, k->id);
    const char *b64 = sealed + 3 + 16 + 1;
    size_t cap = strlen(b64);
    unsigned char *box = malloc(cap ? cap : 1);
    size_t blen = 0;
    if (!box) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (sodium_base642bin(box, cap, b64, strlen(b64), NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        free(box);
        return yaa_err_set(err, YAA_EINVAL, "secret: the stored value is damaged");
    }
    size_t n = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *p = malloc(n + 1);
    if (!p) {
        free(box);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    if (crypto_secretbox_open_easy((unsigned char *)p, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, k->key) != 0) {
        free(box);
        free(p);
        return yaa_err_set(err, YAA_EAUTH,
                           "secret: the stored value failed authentication (altered, or sealed "
                           "with another key)");
    }
    p[n] = '\0';
    free(box);
    *plaintext = p;
    return 0;
}

void yaa_secret_wipe_free(char *s) {
    if (!s) return;
    sodium_memzero(s, strlen(s));
    free(s);
}
