/* store.c - the store's front: opening the backend the configuration names, key checks, and
 * the parts every backend shares (hashing, downloads into a temporary file then rename). */
#include "store/store_internal.h"

#include "core/buf.h"
#include "core/host.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int yaa_store__sha_init(yaa_store__sha *h) {
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
        return YAA_ENOMEM;
    }
    return 0;
}

void yaa_store__sha_update(yaa_store__sha *h, const void *p, size_t n) {
    if (h->ctx && n) EVP_DigestUpdate(h->ctx, p, n);
}

void yaa_store__sha_free(yaa_store__sha *h) {
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

void yaa_store__sha_hex(yaa_store__sha *h, char out[65]) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (!h->ctx || EVP_DigestFinal_ex(h->ctx, d, &n) != 1 || n != 32) {
        yaa_store__sha_free(h);
        return;
    }
    yaa_store__sha_free(h);
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[64] = '\0';
}

void yaa_store__sha_buf(const void *p, size_t n, char out[65]) {
    yaa_store__sha h;
    out[0] = '\0';
    if (yaa_store__sha_init(&h)) return;
    yaa_store__sha_update(&h, p, n);
    yaa_store__sha_hex(&h, out);
}

int yaa_store_sha256_file(const char *path, char out[YAA_SHA256_HEX], uint64_t *size,
                          yaa_err *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return yaa_err_set(err, YAA_EIO, "cannot read %s: %s", path, strerror(errno));
    yaa_store__sha h;
    if (yaa_store__sha_init(&h)) {
        close(fd);
        return YAA_ENOMEM;
    }
    static __thread unsigned char buf[1 << 20];
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            yaa_store__sha_free(&h);
            return yaa_err_set(err, YAA_EIO, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0) break;
        yaa_store__sha_update(&h, buf, (size_t)r);
        total += (uint64_t)r;
    }
    close(fd);
    yaa_store__sha_hex(&h, out);
    if (size) *size = total;
    return 0;
}

bool yaa_store_key_valid(const char *key) {
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > YAA_STORE_KEY_MAX || key[0] == '/' || key[n - 1] == '/') return false;
    const char *seg = key;
    for (size_t i = 0; i <= n; i++) {
        char c = key[i];
        if (c == '/' || c == '\0') {
            size_t l = (size_t)(key + i - seg);
            if (l == 0 || (l == 1 && seg[0] == '.') || (l == 2 && seg[0] == '.' && seg[1] == '.'))
                return false;
            seg = key + i + 1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int bad_key(const yaa_store *st, const char *key, yaa_err *err) {
    return yaa_err_set(err, YAA_EINVAL,
                       "artifact key '%.200s' (%s): use 1-%d characters of A-Z a-z 0-9 . _ - "
                       "and '/' between non-empty segments",
                       key ? key : "", st->describe, YAA_STORE_KEY_MAX);
}

int yaa_store_parse_url(const char *url, char *bucket, size_t nb, char *prefix, size_t np,
                        yaa_err *err) {
    if (!url || strncmp(url, "s3://", 5) != 0)
        return yaa_err_set(err, YAA_ECONFIG, "ARTIFACT_STORE='%.100s': expected s3://bucket/prefix",
                           url ? url : "");
    const char *b = url + 5, *slash = strchr(b, '/');
    size_t bl = slash ? (size_t)(slash - b) : strlen(b);
    bool ok = bl >= 3 && bl <= 63 && bl < nb;
    for (size_t i = 0; ok && i < bl; i++)
        ok = (b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-' ||
             b[i] == '.';
    if (!ok)
        return yaa_err_set(err, YAA_ECONFIG,
                           "ARTIFACT_STORE='%.100s': the bucket name must be 3-63 characters of "
                           "a-z 0-9 . -",
                           url);
    memcpy(bucket, b, bl);
    bucket[bl] = '\0';
    const char *p = slash ? slash + 1 : "";
    size_t pl = strlen(p);
    while (pl && p[pl - 1] == '/') pl--;
    if (pl >= np) return yaa_err_set(err, YAA_ECONFIG, "ARTIFACT_STORE: prefix too long");
    memcpy(prefix, p, pl);
    prefix[pl] = '\0';
    if (pl && !yaa_store_key_valid(prefix))
        return yaa_err_set(err, YAA_ECONFIG,
                           "ARTIFACT_STORE='%.100s': the prefix may use A-Z a-z 0-9 . _ - and '/'",
                           url);
    return 0;
}

int yaa_store_open(const yaa_config *cfg, yaa_store **out, yaa_err *err) {
    if (!cfg->artifact_store || strcmp(cfg->artifact_store, "file") == 0)
        return yaa_store_open_file(cfg->output_dir, out, err);
    char bucket[64], prefix[512];
    int rc =
        yaa_store_parse_url(cfg->artifact_store, bucket, sizeof bucket, prefix, sizeof prefix, err);
    if (rc) return rc;
    yaa_store_s3_opts o = {
        .endpoint = cfg->s3_endpoint_url,
        .bucket = bucket,
        .prefix = prefix,
        .region = cfg->s3_region,
        .path_style = cfg->s3_force_path_style,
        .access_key = cfg->aws_access_key_id,
        .secret_key = cfg->aws_secret_access_key,
        .session_token = cfg->aws_session_token,
        .timeout_ms = cfg->s3_timeout_sec * 1000,
    };
    return yaa_store_open_s3(&o, out, err);
}

int yaa_store_open_file(const char *dir, yaa_store **out, yaa_err *err) {
    *out = NULL;
    yaa_store *st = calloc(1, sizeof *st);
    if (!st) return YAA_ENOMEM;
    int rc = yaa_store__file_init(st, dir, err);
    if (rc) {
        free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int yaa_store_open_s3(const yaa_store_s3_opts *o, yaa_store **out, yaa_err *err) {
    *out = NULL;
    yaa_store *st = calloc(1, sizeof *st);
    if (!st) return YAA_ENOMEM;
    int rc = yaa_store__s3_init(st, o, err);
    if (rc) {
        free(st);
        return rc;
    }
    *out = st;
    return 0;
}

void yaa_store_close(yaa_store *st) {
    if (!st) return;
    if (st->ops && st->ops->close) st->ops->close(st);
    free(st->root);
    free(st);
}

bool yaa_store_is_file(const yaa_store *st) { return st && st->is_file; }
const char *yaa_store_file_root(const yaa_store *st) { return st && st->is_file ? st->root : NULL; }
const char *yaa_store_describe(const yaa_store *st) { return st ? st->describe : "(no store)"; }

int yaa_store_put_file(yaa_store *st, const char *key, const char *path, const char *sha256,
                       yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    char sha[YAA_SHA256_HEX];
    struct stat s;
    if (stat(path, &s) != 0 || !S_ISREG(s.st_mode))
        return yaa_err_set(err, YAA_EIO, "cannot read %s: %s", path, strerror(errno));
    /* A digest the caller already has is not recomputed: it is signed as the payload hash,
     * so a file that changed since is refused by the server, not stored. */
    if (sha256 && strlen(sha256) == 64) {
        memcpy(sha, sha256, sizeof sha);
    } else {
        int rc = yaa_store_sha256_file(path, sha, NULL, err);
        if (rc) return rc;
    }
    return st->ops->put_file(st, key, path, sha, (uint64_t)s.st_size, err);
}

int yaa_store_put(yaa_store *st, const char *key, const void *data, size_t len, yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    return st->ops->put(st, key, data, len, err);
}

int yaa_store_get_file(yaa_store *st, const char *key, const char *path, const char *expect_sha256,
                       yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    char tmp[4096];
    /* One temporary file per call: two threads fetching one artifact at once (a video
     * player's parallel first requests) each write their own, and the second rename just
     * replaces identical, checked bytes. */
    int trc = yaa_store__tmp_name(path, "part", tmp, sizeof tmp, err);
    if (trc) return trc;
    char *slash = strrchr(tmp, '/');
    if (slash) {
        *slash = '\0';
        int mk = yaa_mkdirs(tmp, 0755);
        *slash = '/';
        if (mk) return yaa_err_set(err, YAA_EIO, "cannot create the folder of %s", path);
    }
    char sha[YAA_SHA256_HEX];
    int rc = st->ops->get_file(st, key, tmp, sha, err);
    if (rc == 0 && expect_sha256 && strcmp(sha, expect_sha256) != 0)
        rc = yaa_err_set(err, YAA_EIO,
                         "artifact '%s' from %s is corrupt: SHA-256 %.12s..., expected %.12s...",
                         key, st->describe, sha, expect_sha256);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = yaa_err_set(err, YAA_EIO, "cannot rename %s into place: %s", path, strerror(errno));
    if (rc) unlink(tmp);
    return rc;
}

int yaa_store__tmp_name(const char *path, const char *tag, char *out, size_t n, yaa_err *err) {
    char kind[16];
    snprintf(kind, sizeof kind, ".%s", tag);
    if (yaa_host_temp_name(out, n, path, kind, NULL))
        return yaa_err_set(err, YAA_ELIMIT, "%s: path too long", path);
    return 0;
}

int yaa_store_stat_key(yaa_store *st, const char *key, yaa_store_stat *out, yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    return st->ops->stat_key(st, key, out, err);
}

int yaa_store_delete(yaa_store *st, const char *key, yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    return st->ops->del(st, key, err);
}

int yaa_store_list(yaa_store *st, const char *prefix, yaa_store_list_fn fn, void *ud,
                   yaa_err *err) {
    if (!prefix) prefix = "";
    return st->ops->list(st, prefix, fn, ud, err);
}

int yaa_store_presign(yaa_store *st, const char *key, long expires_sec, int64_t now, char *out,
                      size_t n, yaa_err *err) {
    if (!yaa_store_key_valid(key)) return bad_key(st, key, err);
    if (expires_sec < 1 || expires_sec > 604800)
        return yaa_err_set(err, YAA_EINVAL, "presigned URL lifetime %ld s: use 1-604800",
                           expires_sec);
    if (!st->ops->presign)
        return yaa_err_set(err, YAA_EINVAL,
                           "ARTIFACT_REDIRECT=presigned needs ARTIFACT_STORE=s3://...; the file "
                           "store has no URLs");
    return st->ops->presign(st, key, expires_sec, now, out, n, err);
}

uint64_t yaa_store_tree(const char *dir, bool remove, size_t *files) {
    DIR *d = opendir(dir);
    uint64_t total = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        struct stat s;
        if (lstat(p, &s) != 0) continue;
        if (S_ISDIR(s.st_mode)) {
            total += yaa_store_tree(p, remove, files);
            continue;
        }
        total += (uint64_t)s.st_size;
        if (files) (*files)++;
        if (remove) unlink(p);
    }
    if (d) closedir(d);
    if (remove) rmdir(dir);
    return total;
}
