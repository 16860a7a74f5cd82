/* static.c - files: the dashboard's web/dist (hashed assets immutable, index.html no-cache,
 * SPA fallback to index.html) and run artifacts, both with Range support and no way out of
 * their directory. */
#include "api/api_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *yaa_api__mime(const char *name) {
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".mjs", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"},
                 {".map", "application/json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".jpg", "image/jpeg"},
                 {".ico", "image/x-icon"},
                 {".woff2", "font/woff2"},
                 {".woff", "font/woff"},
                 {".txt", "text/plain; charset=utf-8"},
                 {".md", "text/markdown; charset=utf-8"},
                 {".srt", "application/x-subrip; charset=utf-8"},
                 {".mp4", "video/mp4"},
                 {".wav", "audio/wav"},
                 {".webmanifest", "application/manifest+json"}};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

/* Parses "bytes=a-b" / "bytes=a-" / "bytes=-n" against size; 0 ok, -1 unsatisfiable,
 * 1 ignore (malformed or multi-range: send the whole file). */
static int parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len) {
    if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ',')) return 1;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        errno = 0;
        unsigned long long n = strtoull(p + 1, &end, 10);
        if (errno || *end || end == p + 1) return 1;
        if (n == 0 || size == 0) return -1;
        if (n > size) n = size;
        *off = size - n;
        *len = n;
        return 0;
    }
    errno = 0;
    unsigned long long a = strtoull(p, &end, 10);
    if (errno || end == p || *end != '-') return 1;
    const char *q = end + 1;
    unsigned long long b = size ? size - 1 : 0;
    if (*q) {
        b = strtoull(q, &end, 10);
        if (errno || *end) return 1;
        if (b < a) return 1;
        if (b >= size) b = size ? size - 1 : 0;
    }
    if (a >= size) return -1;
    *off = a;
    *len = b - a + 1;
    return 0;
}

int yaa_api__send_file(yaa_http_req *req, yaa_http_resp *resp, const char *path,
                       const char *cache_control) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return yaa_api_http_error(resp, 404, "Not Found");
    }
    uint64_t size = (uint64_t)st.st_size, off = 0, len = size;
    char v[96];
    yaa_api_http_resp_header(resp, req->arena, "Accept-Ranges", "bytes");
    if (cache_control) yaa_api_http_resp_header(resp, req->arena, "Cache-Control", cache_control);
    const char *range = yaa_api_http_header_get(req, "Range");
    resp->status = 200;
    if (range) {
        int pr = parse_range(range, size, &off, &len);
        if (pr < 0) {
            close(fd);
            snprintf(v, sizeof v, "bytes */%" PRIu64, size);
            yaa_api_http_resp_header(resp, req->arena, "Content-Range", v);
            return yaa_api_http_error(resp, 416, "Range Not Satisfiable");
        }
        if (pr == 0) {
            resp->status = 206;
            snprintf(v, sizeof v, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, off, off + len - 1,
                     size);
            yaa_api_http_resp_header(resp, req->arena, "Content-Range", v);
        } else {
            off = 0;
            len = size;
        }
    }
    resp->content_type = yaa_api__mime(path);
    resp->file_fd = fd;
    resp->file_off = off;
    resp->file_len = len;
    return 0;
}

/* True for a relative path without "..", empty or hidden segments, or backslashes. */
static bool safe_rel(const char *p) {
    if (!*p || *p == '/' || strchr(p, '\\')) return false;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l == 0 || s[0] == '.') return false;
        s += l;
        if (*s == '/') s++;
    }
    return true;
}

/* Vite's hashed bundles live under assets/ ("index-3f2a1b9c.js"). */
static bool hashed_asset(const char *rel) {
    return strncmp(rel, "assets/", 7) == 0 && strchr(rel, '-') != NULL;
}

bool yaa_api__static(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    if (!api->web_dir) {
        if (!api->web_missing || strcmp(req->path, "/") != 0) return false;
        /* The operator opened the dashboard: say why there is none, not just "Not Found". */
        yaa_api_http_error(resp, 404,
                           "Dashboard not built: no folder %s; run `make web` (or set YAA_WEB_DIR "
                           "to a built web/dist)",
                           api->web_missing);
        return true;
    }
    const char *rel = req->path[0] == '/' ? req->path + 1 : req->path;
    char path[PATH_MAX];
    struct stat st;
    if (*rel && safe_rel(rel)) {
        snprintf(path, sizeof path, "%s/%s", api->web_dir, rel);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            yaa_api__send_file(req, resp, path,
                               hashed_asset(rel) ? "public, max-age=31536000, immutable"
                                                 : "no-cache");
            return true;
        }
        /* A missing file that looks like an asset is a real 404, not the SPA. */
        const char *last = strrchr(rel, '/');
        if (strchr(last ? last : rel, '.')) return false;
    } else if (*rel) {
        return false;
    }
    snprintf(path, sizeof path, "%s/index.html", api->web_dir);
    if (stat(path, &st) != 0) return false;
    yaa_api__send_file(req, resp, path, "no-cache");
    return true;
}
