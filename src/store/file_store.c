/* file_store.c - the file backend: keys are paths under one directory (OUTPUT_DIR by
 * default). Writes go to a temporary file and are renamed into place, so a reader sees the
 * old file or the new one, never half of one; a file that already is the key's path is not
 * copied at all (agents write their run folder in place). */
#include "store/store_internal.h"

#include "core/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int key_path(const yaa_store *st, const char *key, char *out, size_t n, yaa_err *err) {
    if (snprintf(out, n, "%s/%s", st->root, key) >= (int)n)
        return yaa_err_set(err, YAA_ELIMIT, "artifact key '%.100s': path too long", key);
    return 0;
}

static int mkparent(const char *path, yaa_err *err) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *slash = '\0';
    if (yaa_mkdirs(dir, 0755)) return yaa_err_set(err, YAA_EIO, "cannot create %s", dir);
    return 0;
}

/* Copies src to dst (a new file, never an existing one), hashing what passes when sha_out is not
 * NULL. */
static int copy_file(const char *src, const char *dst, char sha_out[65], yaa_err *err) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (errno == ENOENT) return yaa_err_set(err, YAA_ENOTFOUND, "%s does not exist", src);
        return yaa_err_set(err, YAA_EIO, "cannot read %s: %s", src, strerror(errno));
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        return yaa_err_set(err, YAA_EIO, "cannot write %s: %s", dst, strerror(e));
    }
    yaa_store__sha h;
    if (yaa_store__sha_init(&h)) {
        close(in);
        close(out);
        return YAA_ENOMEM;
    }
    unsigned char buf[1 << 16];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r < 0) rc = yaa_err_set(err, YAA_EIO, "cannot read %s: %s", src, strerror(errno));
            break;
        }
        yaa_store__sha_update(&h, buf, (size_t)r);
        for (ssize_t off = 0; off < r && !rc;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0)
                rc = yaa_err_set(err, YAA_EIO, "cannot write %s: %s", dst, strerror(errno));
            else
                off += w;
        }
        if (rc) break;
    }
    if (!rc && fsync(out) != 0)
        rc = yaa_err_set(err, YAA_EIO, "cannot write %s: %s", dst, strerror(errno));
    close(in);
    close(out);
    if (!rc && sha_out)
        yaa_store__sha_hex(&h, sha_out);
    else
        yaa_store__sha_free(&h);
    return rc;
}

static bool same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int f_put_file(yaa_store *st, const char *key, const char *path, const char *sha256,
                      uint64_t size, yaa_err *err) {
    (void)sha256;
    (void)size;
    char dst[PATH_MAX], tmp[PATH_MAX + 32];
    int rc = key_path(st, key, dst, sizeof dst, err);
    if (rc) return rc;
    if (same_file(path, dst)) return 0; /* already where the key points: nothing to copy */
    if ((rc = mkparent(dst, err))) return rc;
    if ((rc = yaa_store__tmp_name(dst, "tmp", tmp, sizeof tmp, err))) return rc;
    rc = copy_file(path, tmp, NULL, err);
    if (!rc && rename(tmp, dst) != 0)
        rc = yaa_err_set(err, YAA_EIO, "cannot rename %s into place: %s", dst, strerror(errno));
    if (rc) unlink(tmp);
    return rc;
}

static int f_put(yaa_store *st, const char *key, const void *data, size_t len, yaa_err *err) {
    char dst[PATH_MAX];
    int rc = key_path(st, key, dst, sizeof dst, err);
    if (!rc) rc = mkparent(dst, err);
    if (!rc && yaa_write_file(dst, data, len))
        rc = yaa_err_set(err, YAA_EIO, "cannot write %s", dst);
    return rc;
}

static int f_get_file(yaa_store *st, const char *key, const char *tmp_path, char sha_out[65],
                      yaa_err *err) {
    char src[PATH_MAX];
    int rc = key_path(st, key, src, sizeof src, err);
    if (rc) return rc;
    rc = copy_file(src, tmp_path, sha_out, err);
    if (rc == YAA_ENOTFOUND)
        yaa_err_set(err, YAA_ENOTFOUND, "artifact '%s' not found in %s", key, st->describe);
    return rc;
}

static int f_stat(yaa_store *st, const char *key, yaa_store_stat *out, yaa_err *err) {
    char p[PATH_MAX];
    int rc = key_path(st, key, p, sizeof p, err);
    if (rc) return rc;
    struct stat s;
    if (stat(p, &s) != 0 || !S_ISREG(s.st_mode))
        return yaa_err_set(err, YAA_ENOTFOUND, "artifact '%s' not found in %s", key, st->describe);
    out->size = (uint64_t)s.st_size;
    out->mtime = (int64_t)s.st_mtime;
    return 0;
}

static int f_del(yaa_store *st, const char *key, yaa_err *err) {
    char p[PATH_MAX];
    int rc = key_path(st, key, p, sizeof p, err);
    if (rc) return rc;
    if (unlink(p) != 0 && errno != ENOENT)
        return yaa_err_set(err, YAA_EIO, "cannot delete %s: %s", p, strerror(errno));
    /* Leave no empty folders behind (stops at the first non-empty one). */
    char *slash;
    while ((slash = strrchr(p, '/')) && (size_t)(slash - p) > strlen(st->root)) {
        *slash = '\0';
        if (rmdir(p) != 0) break;
    }
    return 0;
}

typedef struct {
    const char *prefix; /* the key prefix of the folder walked ("" or "runs/abc") */
    yaa_store_list_fn fn;
    void *ud;
} walk_ctx;

/* One file of a listing: temporary and hidden names are not objects. */
static int list_one(void *ud, const char *path, const char *rel, const struct stat *s) {
    (void)path;
    walk_ctx *c = ud;
    char key[PATH_MAX];
    if (snprintf(key, sizeof key, "%s%s%s", c->prefix, *c->prefix ? "/" : "", rel) >=
            (int)sizeof key ||
        !yaa_store_key_valid(key) || strstr(strrchr(key, '/') ? strrchr(key, '/') : key, ".tmp"))
        return 0;
    yaa_store_stat ss = {(uint64_t)s->st_size, (int64_t)s->st_mtime};
    return c->fn(c->ud, key, &ss);
}

static int f_list(yaa_store *st, const char *prefix, yaa_store_list_fn fn, void *ud, yaa_err *err) {
    /* A prefix names a folder ("runs/abc/" or "runs/abc"); "" lists everything. */
    char rel[PATH_MAX], dir[PATH_MAX];
    snprintf(rel, sizeof rel, "%s", prefix);
    size_t l = strlen(rel);
    while (l && rel[l - 1] == '/') rel[--l] = '\0';
    if (l && !yaa_store_key_valid(rel))
        return yaa_err_set(err, YAA_EINVAL, "list prefix '%.100s' is not a folder key", prefix);
    snprintf(dir, sizeof dir, "%s%s%s", st->root, l ? "/" : "", rel);
    walk_ctx c = {rel, fn, ud};
    return yaa_walk_files(dir, list_one, &c);
}

static const yaa_store_ops FILE_OPS = {
    .put_file = f_put_file,
    .put = f_put,
    .get_file = f_get_file,
    .stat_key = f_stat,
    .del = f_del,
    .list = f_list,
    .presign = NULL,
    .close = NULL,
};

int yaa_store__file_init(yaa_store *st, const char *dir, yaa_err *err) {
    if (!dir || !*dir) return yaa_err_set(err, YAA_ECONFIG, "OUTPUT_DIR must not be empty");
    st->root = strdup(dir);
    if (!st->root) return YAA_ENOMEM;
    size_t l = strlen(st->root);
    while (l > 1 && st->root[l - 1] == '/') st->root[--l] = '\0';
    st->ops = &FILE_OPS;
    st->is_file = true;
    snprintf(st->describe, sizeof st->describe, "file:%s", st->root);
    return 0;
}
