/* buf.c - bounded buffers, file helpers and small string utilities. */
#include "core/buf.h"

#include "core/err.h"
#include "core/host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void yaa_buf_init(yaa_buf *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max ? max : BUF_DEFAULT_MAX;
}

static int buf_reserve(yaa_buf *b, size_t extra) {
    if (extra > b->max || b->len > b->max - extra) return YAA_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc) return 0;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need) n *= 2;
    char *p = realloc(b->data, n);
    if (!p) return YAA_ENOMEM;
    b->data = p;
    b->alloc = n;
    return 0;
}

int yaa_buf_append(yaa_buf *b, const void *p, size_t n) {
    int rc = buf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int yaa_buf_puts(yaa_buf *b, const char *s) { return yaa_buf_append(b, s, strlen(s)); }

int yaa_buf_putc(yaa_buf *b, char c) { return yaa_buf_append(b, &c, 1); }

int yaa_buf_vprintf(yaa_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return YAA_EINVAL;
    int rc = buf_reserve(b, (size_t)n);
    if (rc) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int yaa_buf_printf(yaa_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = yaa_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int yaa_buf_json_str(yaa_buf *b, const char *s) {
    int rc = yaa_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (!rc && *p) {
        /* the run of bytes that need no escape goes in with one copy */
        const unsigned char *q = p;
        while (*q >= 0x20 && *q != '"' && *q != '\\') q++;
        if (q > p) rc = yaa_buf_append(b, p, (size_t)(q - p));
        p = q;
        if (rc || !*p) break;
        switch (*p) {
        case '"': rc = yaa_buf_puts(b, "\\\""); break;
        case '\\': rc = yaa_buf_puts(b, "\\\\"); break;
        case '\n': rc = yaa_buf_puts(b, "\\n"); break;
        case '\r': rc = yaa_buf_puts(b, "\\r"); break;
        case '\t': rc = yaa_buf_puts(b, "\\t"); break;
        default: rc = yaa_buf_printf(b, "\\u%04x", *p);
        }
        p++;
    }
    return rc ? rc : yaa_buf_putc(b, '"');
}

void yaa_buf_reset(yaa_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

char *yaa_buf_steal(yaa_buf *b) {
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}

void yaa_buf_free(yaa_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

const char *yaa_buf_cstr(const yaa_buf *b) { return b->data ? b->data : ""; }

int yaa_read_file(const char *path, size_t max, char **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOENT ? YAA_ENOTFOUND : YAA_EIO;
    yaa_buf b;
    yaa_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = yaa_buf_append(&b, chunk, n);
    if (!rc && ferror(f)) rc = YAA_EIO;
    fclose(f);
    if (rc) {
        yaa_buf_free(&b);
        return rc;
    }
    if (len) *len = b.len;
    *out = yaa_buf_steal(&b);
    return 0;
}

int yaa_write_file(const char *path, const void *data, size_t len) {
    char tmp[PATH_MAX];
    /* path.tmp-<host>-<pid>-<n>: no other thread, process or host writes it (core/host.h) */
    if (yaa_host_temp_name(tmp, sizeof tmp, path, ".tmp", NULL)) return YAA_EINVAL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return YAA_EIO;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            close(fd);
            unlink(tmp);
            return YAA_EIO;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return YAA_EIO;
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return YAA_EIO;
    }
    return 0;
}

int yaa_mkdirs(const char *path, unsigned mode) {
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) return YAA_EINVAL;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, mode) != 0 && errno != EEXIST) return YAA_EIO;
        *p = '/';
    }
    if (mkdir(tmp, mode) != 0 && errno != EEXIST) return YAA_EIO;
    return 0;
}

static int walk_dir(const char *dir, const char *rel, yaa_walk_fn fn, void *ud) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX], name[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
                (int)sizeof name)
            continue;
        struct stat s;
        if (lstat(path, &s) != 0) continue; /* a symbolic link is never followed */
        if (S_ISDIR(s.st_mode))
            rc = walk_dir(path, name, fn, ud);
        else if (S_ISREG(s.st_mode))
            rc = fn(ud, path, name, &s);
    }
    closedir(d);
    return rc;
}

int yaa_walk_files(const char *dir, yaa_walk_fn fn, void *ud) { return walk_dir(dir, "", fn, ud); }

bool yaa_str_eq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

bool yaa_str_startswith(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool yaa_str_endswith(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *yaa_str_trim(char *s) {
    char *start = s;
    while (*start && isspace((unsigned char)*start)) start++;
    size_t n = strlen(start);
    while (n && isspace((unsigned char)start[n - 1])) n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

int yaa_parse_bool(const char *s, bool *out) {
    static const char *yes[] = {"true", "1", "yes", "on"};
    static const char *no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return YAA_EINVAL;
}

int yaa_parse_long(const char *s, long min, long max, long *out) {
    if (!s || !*s) return YAA_EINVAL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return YAA_EINVAL;
    *out = v;
    return 0;
}

int yaa_parse_double(const char *s, double *out) {
    if (!s || !*s) return YAA_EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v != v) return YAA_EINVAL;
    *out = v;
    return 0;
}

bool yaa_utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

size_t yaa_utf8_len(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

size_t yaa_utf8_prefix(const char *s, size_t max_bytes) {
    size_t n = strlen(s);
    if (n <= max_bytes) return n;
    n = max_bytes;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

bool yaa_ct_equal(const void *a, const void *b, size_t n) {
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= x[i] ^ y[i];
    return d == 0;
}
