/* stock.c - what Pexels and Pixabay share: the GET with its timeout and short retry, the
 * download cache (files named by source and id under STOCK_CACHE_DIR, least recently used
 * first out past STOCK_CACHE_MB) and the decode check that also gives a poster frame. */
#include "core/log.h"
#include "core/util.h"
#include "media/stock_internal.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#define MAX_DOWNLOAD ((size_t)200 * 1024 * 1024)

static bool stock_cancel(void *ud) { return yaa_media__cancelled(ud); }

int yaa_media__stock_get(const yaa_media_env *env, const char *what, const char *url,
                         const char *const *headers, size_t nheaders, size_t max_reply,
                         yaa_http_reply *rep, yaa_err *err) {
    yaa_http_request req = {.method = "GET",
                            .url = url,
                            .headers = headers,
                            .nheaders = nheaders,
                            .timeout_ms = env->stock_timeout_ms,
                            .max_reply = max_reply,
                            .cancel = stock_cancel,
                            .cancel_ud = (void *)env};
    /* two attempts and at most a few seconds of waiting: past that the next source is
     * better than a stalled run */
    yaa_http_retry pol = {.max_attempts = 2,
                          .base_delay_ms = 300,
                          .max_total_wait_ms = 3000,
                          .cancel = stock_cancel,
                          .cancel_ud = (void *)env};
    int rc = yaa_net_http_send(&req, &pol, rep, err);
    if (rc) return yaa_err_prefix(err, "%s: ", what);
    if (rep->status >= 200 && rep->status < 300) return 0;
    char detail[256];
    yaa_net_http_describe(rep, detail, sizeof detail);
    long ra = yaa_net_http_retry_after_ms(rep);
    int code = rep->status == 401 || rep->status == 403 ? YAA_EAUTH
               : rep->status == 429                     ? YAA_ELIMIT
               : rep->status == 404                     ? YAA_ENOTFOUND
                                                        : YAA_EPROVIDER;
    if (ra >= 0)
        return yaa_err_set(err, code, "%s: %s (retry after %ld s)", what, detail, ra / 1000);
    return yaa_err_set(err, code, "%s: %s", what, detail);
}

int yaa_media__stock_search_json(const yaa_media_env *env, const char *what, const char *url,
                                 const char *const *headers, size_t nheaders, json_t **out,
                                 yaa_err *err) {
    *out = NULL;
    yaa_http_reply rep;
    yaa_net_http_reply_init(&rep);
    int rc = yaa_media__stock_get(env, what, url, headers, nheaders, 8u << 20, &rep, err);
    if (!rc) {
        json_error_t je;
        *out = json_loadb(rep.body.data ? rep.body.data : "", rep.body.len, 0, &je);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = yaa_err_set(err, YAA_EPROVIDER, "%s: the reply is not JSON (%s)", what, je.text);
        }
    }
    yaa_net_http_reply_free(&rep);
    return rc;
}

void yaa_media__json_copy_str(char *dst, size_t n, const json_t *v) {
    const char *s = json_string_value(v);
    snprintf(dst, n, "%s", s ? s : "");
}

int yaa_media__poster(const yaa_media_env *env, const char *media, double at, const char *png,
                      yaa_err *err) {
    yaa_media__argv a = {0};
    yaa_media__argv_add_list(
        &a, (const char *const[]){env->ffmpeg, "-nostdin", "-v", "error", "-y", NULL});
    if (at > 0) { /* never "-ss 0": seeking in a single picture skips its only frame */
        yaa_media__argv_add(&a, "-ss");
        yaa_media__argv_addf(&a, "%.3f", at);
    }
    yaa_media__argv_add_list(&a, (const char *const[]){"-i", media, "-frames:v", "1", "-update",
                                                       "1", "-vf", "scale='min(1920,iw)':-2", "-f",
                                                       "image2", "-c:v", "png", png, NULL});
    unlink(png);
    int rc = a.oom ? yaa_err_set(err, YAA_ENOMEM, "decode: out of memory") : 0;
    yaa_media__proc_opts po = {.env = env, .timeout_sec = 60, .mem_mb = 2048, .what = "decode"};
    if (!rc) rc = yaa_media__run(a.v, &po, err);
    yaa_media__argv_free(&a);
    if (!rc && access(png, R_OK))
        rc = yaa_err_set(err, YAA_EPROVIDER, "'%s' has no picture to decode", media);
    return rc;
}

typedef struct cached {
    char name[256];
    long long size;
    time_t used;
} cached;

static int by_use(const void *a, const void *b) {
    const cached *x = a, *y = b;
    return x->used < y->used ? -1 : x->used > y->used;
}

/* Deletes the least recently used files until the directory is under cap (keep: in use). */
static void trim_cache(const char *dir, long long cap, const char *keep) {
    DIR *d = opendir(dir);
    if (!d) return;
    cached *v = NULL;
    size_t n = 0, capn = 0;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) || !S_ISREG(st.st_mode)) continue;
        if (n == capn) {
            capn = capn ? capn * 2 : 64;
            cached *t = realloc(v, capn * sizeof *v);
            if (!t) break;
            v = t;
        }
        snprintf(v[n].name, sizeof v[n].name, "%s", e->d_name);
        v[n].size = st.st_size;
        v[n].used = st.st_mtime;
        total += st.st_size;
        n++;
    }
    closedir(d);
    if (n) qsort(v, n, sizeof *v, by_use);
    for (size_t i = 0; i < n && total > cap; i++) {
        if (keep && yaa_str_eq(v[i].name, keep)) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, v[i].name);
        if (!unlink(p)) total -= v[i].size;
    }
    free(v);
}

static const char *ext_of(const char *url, bool video) {
    const char *q = strchr(url, '?');
    size_t len = q ? (size_t)(q - url) : strlen(url);
    for (const char *e = ".jpeg\0.jpg\0.png\0.webm\0.mp4\0"; *e; e += strlen(e) + 1) {
        size_t el = strlen(e);
        if (len > el && !strncasecmp(url + len - el, e, el)) return e;
    }
    return video ? ".mp4" : ".jpg";
}

int yaa_media__stock_fetch(const yaa_media_env *env, const yaa_media__stock_item *it, char *path,
                           size_t n, const char *poster_png, yaa_err *err) {
    const char *dir = env->stock_cache_dir;
    if (yaa_mkdirs(dir, 0755))
        return yaa_err_set(err, YAA_EIO, "stock cache '%s' (STOCK_CACHE_DIR): %s", dir,
                           strerror(errno));
    char name[160], what[96];
    snprintf(name, sizeof name, "%s-%s-%s%s", it->source, it->video ? "video" : "photo", it->id,
             ext_of(it->url, it->video));
    for (char *c = name; *c; c++)
        if (*c == '/') *c = '_';
    snprintf(path, n, "%s/%s", dir, name);
    snprintf(what, sizeof what, "%s %s %s", it->source, it->video ? "video" : "photo", it->id);
    int rc = 0;
    if (access(path, R_OK) == 0) {
        utime(path, NULL); /* recently used: last to be evicted */
    } else {
        yaa_http_reply rep;
        yaa_net_http_reply_init(&rep);
        rc = yaa_media__stock_get(env, what, it->url, NULL, 0, MAX_DOWNLOAD, &rep, err);
        if (!rc && rep.body.len == 0)
            rc = yaa_err_set(err, YAA_EPROVIDER, "%s: the download is empty", what);
        if (!rc) {
            /* written to a private name and renamed (yaa_write_file): two runs fetching one
             * id never share a half file */
            if (yaa_write_file(path, rep.body.data, rep.body.len))
                rc = yaa_err_set(err, YAA_EIO, "%s: cannot write '%s'", what, path);
        }
        yaa_net_http_reply_free(&rep);
        if (rc) return rc;
        trim_cache(dir, (long long)env->stock_cache_mb << 20, name);
    }
    rc = yaa_media__poster(env, path, it->video ? 1.0 : 0, poster_png, err);
    if (rc && it->video) rc = yaa_media__poster(env, path, 0, poster_png, err);
    if (rc) {
        unlink(path); /* a file that does not decode is not kept */
        return yaa_err_prefix(err, "%s does not decode: ", what);
    }
    return 0;
}
