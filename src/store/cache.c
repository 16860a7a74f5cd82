/* cache.c - a folder of downloaded objects named by their SHA-256 (the API's download cache)
 * kept under a byte cap, least recently used first (store.h). */
#include "store/store.h"

#include <dirent.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A temporary download untouched this long was left by a process that died mid-download
 * (a live one writes to it all the time). */
#define YAA_STORE_CACHE_TEMP_SEC 3600

typedef struct cached {
    char name[YAA_SHA256_HEX];
    time_t used;
    uint64_t size;
} cached;

static int by_use(const void *a, const void *b) {
    const cached *x = a, *y = b;
    return (x->used > y->used) - (x->used < y->used);
}

void yaa_store_cache_trim(const char *dir, uint64_t cap, const char *keep) {
    DIR *d = opendir(dir);
    if (!d) return;
    cached *v = NULL;
    size_t n = 0, alloc = 0;
    uint64_t total = 0;
    struct dirent *e;
    time_t now = time(NULL);
    while ((e = readdir(d))) {
        bool temp = strstr(e->d_name, ".part-") != NULL;
        if ((!temp && strlen(e->d_name) != 64) || (keep && strcmp(e->d_name, keep) == 0)) continue;
        char p[PATH_MAX + 300];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat s;
        if (stat(p, &s) != 0) continue;
        if (temp) { /* a download in progress, or one a crash left behind */
            if (now - s.st_mtime > YAA_STORE_CACHE_TEMP_SEC) unlink(p);
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            cached *nv = realloc(v, alloc * sizeof *nv);
            if (!nv) break;
            v = nv;
        }
        memcpy(v[n].name, e->d_name, 65);
        v[n].used = s.st_mtime;
        v[n].size = (uint64_t)s.st_size;
        total += v[n].size;
        n++;
    }
    closedir(d);
    if (total > cap) {
        qsort(v, n, sizeof *v, by_use);
        for (size_t i = 0; i < n && total > cap; i++) {
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", dir, v[i].name);
            if (unlink(p) == 0) total -= v[i].size;
        }
    }
    free(v);
}
