/* host.c - the host tag and the temporary names that carry it (see host.h for why). */
#include "core/host.h"

#include "core/err.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longest host spelling the parser accepts: older yaa versions wrote up to 63 characters. */
#define PARSE_HOST_MAX 63
#define HASH_HEX 8

static char real_tag[YAA_HOST_TAG_MAX + 1];
static char test_tag[YAA_HOST_TAG_MAX + 1];
static atomic_bool overridden;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static atomic_ulong name_counter;

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void yaa_host_tag_from(const char *raw, char out[YAA_HOST_TAG_MAX + 1]) {
    if (!raw || !*raw) raw = "host";
    char clean[256];
    size_t n = 0;
    bool lossy = false;
    for (const char *c = raw; *c && n < sizeof clean - 1; c++) {
        if (isalnum((unsigned char)*c) && (unsigned char)*c < 128)
            clean[n++] = *c;
        else if (*c == '-' || *c == '.')
            clean[n++] = '-';
        else
            lossy = true; /* '_', '/', spaces, non-ASCII bytes... */
    }
    clean[n] = 0;
    if (!lossy && n > 0 && n <= YAA_HOST_TAG_MAX) {
        memcpy(out, clean, n + 1);
        return;
    }
    /* cut or changed: a prefix and a hash of the whole name keep two hosts apart */
    size_t keep = YAA_HOST_TAG_MAX - HASH_HEX - 1;
    if (n < keep) keep = n;
    snprintf(out, YAA_HOST_TAG_MAX + 1, "%.*s%s%08x", (int)keep, clean, keep ? "-" : "",
             (unsigned)fnv1a(raw));
}

static void real_compute(void) {
    char raw[HOST_NAME_MAX + 1] = "";
    if (gethostname(raw, sizeof raw) != 0) raw[0] = 0;
    raw[sizeof raw - 1] = 0;
    yaa_host_tag_from(raw, real_tag);
}

const char *yaa_host_tag(void) {
    if (atomic_load(&overridden)) return test_tag;
    pthread_once(&real_once, real_compute);
    return real_tag;
}

void yaa_host_tag_override(const char *raw) {
    if (raw) yaa_host_tag_from(raw, test_tag);
    atomic_store(&overridden, raw != NULL);
}

int yaa_host_temp_name(char *out, size_t n, const char *path, const char *kind,
                       const char *suffix) {
    unsigned long c = atomic_fetch_add(&name_counter, 1);
    int w = snprintf(out, n, "%s%s-%s-%ld-%lu%s", path, kind ? kind : "", yaa_host_tag(),
                     (long)getpid(), c, suffix ? suffix : "");
    if (w < 0 || (size_t)w >= n) {
        if (n) out[0] = 0;
        return YAA_ELIMIT;
    }
    return 0;
}

/* The digits right after the last '-' of s[0..len): their start (the '-'), or -1. */
static long last_number(const char *s, size_t len, long *value) {
    size_t i = len;
    while (i > 0 && isdigit((unsigned char)s[i - 1])) i--;
    if (i == len || i == 0 || s[i - 1] != '-' || len - i > 10) return -1;
    long v = 0;
    for (size_t k = i; k < len; k++) v = v * 10 + (s[k] - '0');
    *value = v;
    return (long)i - 1;
}

bool yaa_host_temp_parse(const char *tail, size_t len, yaa_host_temp_owner *out) {
    long counter, pid;
    long dash = last_number(tail, len, &counter);
    if (dash < 0) return false;
    dash = last_number(tail, (size_t)dash, &pid);
    if (dash < 0 || pid <= 0 || pid > INT_MAX) return false;
    *out = (yaa_host_temp_owner){NULL, 0, pid};
    if (dash == 0) return true; /* "-<pid>-<n>": a name from before hosts were in names */
    if (dash < 2 || tail[0] != '-' || dash - 1 > PARSE_HOST_MAX) return false;
    for (long i = 1; i < dash; i++)
        if (!isalnum((unsigned char)tail[i]) && tail[i] != '-' && tail[i] != '_') return false;
    out->host = tail + 1;
    out->host_len = (size_t)dash - 1;
    return true;
}

bool yaa_host_temp_mine(const yaa_host_temp_owner *o) {
    const char *me = yaa_host_tag();
    return o->host && o->host_len == strlen(me) && memcmp(o->host, me, o->host_len) == 0;
}
