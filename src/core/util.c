/* util.c - ids, time and hashing helpers shared by every library. */
#include "core/util.h"

#include "core/err.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int yaa_random_bytes(void *buf, size_t n) {
    unsigned char *p = buf;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return YAA_EIO;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int yaa_uuid4(char out[YAA_UUID_LEN + 1]) {
    unsigned char b[16];
    int rc = yaa_random_bytes(b, sizeof b);
    if (rc) return rc;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, YAA_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

int yaa_uuid_valid(const char *s) {
    if (!s || strlen(s) != YAA_UUID_LEN) return 0;
    for (int i = 0; i < YAA_UUID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

time_t yaa_now(void) { return time(NULL); }

void yaa_time_format(time_t t, char out[YAA_TIME_LEN + 1]) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, YAA_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void yaa_time_now_str(char out[YAA_TIME_LEN + 1]) { yaa_time_format(yaa_now(), out); }

static int parse_digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int yaa_time_parse(const char *s, time_t *out) {
    if (!s) return YAA_EINVAL;
    const char *p = s;
    int Y, M, D, h = 0, m = 0, sec = 0;
    if (parse_digits(&p, 4, &Y) || *p++ != '-' || parse_digits(&p, 2, &M) || *p++ != '-' ||
        parse_digits(&p, 2, &D))
        return YAA_EINVAL;
    long offset = 0;
    if (*p) {
        if (*p != 'T' && *p != 't' && *p != ' ') return YAA_EINVAL;
        p++;
        if (parse_digits(&p, 2, &h) || *p++ != ':' || parse_digits(&p, 2, &m) || *p++ != ':' ||
            parse_digits(&p, 2, &sec))
            return YAA_EINVAL;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') return YAA_EINVAL;
            while (*p >= '0' && *p <= '9') p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            p++;
            if (parse_digits(&p, 2, &oh) || *p++ != ':' || parse_digits(&p, 2, &om))
                return YAA_EINVAL;
            offset = sign * (oh * 3600L + om * 60L);
        } else {
            return YAA_EINVAL;
        }
        if (*p) return YAA_EINVAL;
    }
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return YAA_EINVAL;
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return YAA_EINVAL;
    *out = t - offset;
    return 0;
}

uint64_t yaa_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double yaa_mono_sec(void) { return (double)yaa_mono_ns() / 1e9; }

void yaa_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void yaa_sha256_hex(const void *data, size_t n, char out[65]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(out, 65, h, sizeof h);
}

bool yaa_path_inside(const char *root, const char *path) {
    char r[PATH_MAX], p[PATH_MAX], probe[PATH_MAX];
    if (!root || !path || !realpath(root, r)) return false;
    snprintf(probe, sizeof probe, "%s", path);
    while (!realpath(probe, p)) { /* not there yet: its nearest existing parent */
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe) return false;
        *slash = '\0';
    }
    size_t n = strlen(r);
    if (n == 1) return true; /* root is "/" */
    return strncmp(p, r, n) == 0 && (p[n] == '\0' || p[n] == '/');
}
