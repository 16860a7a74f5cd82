/* argv.c - a growing, NULL-terminated argument vector for the FFmpeg command lines media
 * builds (an allocation failure is remembered and reported once, by the caller). */
#include "media/media_internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void yaa_media__argv_add(yaa_media__argv *a, const char *s) {
    if (a->oom) return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **t = realloc(a->v, cap * sizeof *t);
        if (!t) {
            a->oom = 1;
            return;
        }
        a->v = t;
        a->cap = cap;
    }
    char *c = strdup(s);
    if (!c) {
        a->oom = 1;
        return;
    }
    a->v[a->n++] = c;
    a->v[a->n] = NULL;
}

void yaa_media__argv_addf(yaa_media__argv *a, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    yaa_media__argv_add(a, tmp);
}

void yaa_media__argv_add_list(yaa_media__argv *a, const char *const *list) {
    for (size_t i = 0; list[i]; i++) yaa_media__argv_add(a, list[i]);
}

char *yaa_media__abs_path(const char *p) {
    if (p[0] == '/') return strdup(p);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return NULL;
    char *o = NULL;
    if (asprintf(&o, "%s/%s", cwd, p) < 0) return NULL;
    return o;
}

void yaa_media__argv_input(yaa_media__argv *a, const char *path) {
    char *p = yaa_media__abs_path(path);
    /* one decoder thread per input: x264's threads already fill the cores, a decoder's frame
     * threads cost CPU of their own (~4 % of a footage render), and each thread holds its own
     * stack and malloc arena for the whole render: a PNG decoded on the default three threads
     * made a lower third cost ~24 MiB of address space against the render's RLIMIT_AS */
    yaa_media__argv_add_list(a, (const char *const[]){"-threads", "1", "-i", NULL});
    yaa_media__argv_add(a, p ? p : path);
    free(p);
}

void yaa_media__argv_free(yaa_media__argv *a) {
    for (size_t i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}
