/* ratelimit.c - in-process token buckets in a mutex-guarded hash table, swept when large. */
#include "api/ratelimit.h"

#include "core/util.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024
#define SWEEP_AT 20000

typedef struct entry {
    struct entry *next;
    double tokens;
    uint64_t last_ns;
    char key[];
} entry;

struct yaa_ratelimit {
    long per_minute;
    pthread_mutex_t mu;
    entry *table[NBUCKETS];
    size_t count;
    yaa_ratelimit_backend_fn backend;
    void *backend_ud;
};

yaa_ratelimit *yaa_api_ratelimit_new(long per_minute) {
    yaa_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    rl->per_minute = per_minute;
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void yaa_api_ratelimit_free(yaa_ratelimit *rl) {
    if (!rl) return;
    for (size_t i = 0; i < NBUCKETS; i++) {
        entry *e = rl->table[i];
        while (e) {
            entry *n = e->next;
            free(e);
            e = n;
        }
    }
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

void yaa_api_ratelimit_set_backend(yaa_ratelimit *rl, yaa_ratelimit_backend_fn fn, void *ud) {
    rl->backend = fn;
    rl->backend_ud = ud;
}

static uint32_t hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void refill(const yaa_ratelimit *rl, entry *e, uint64_t now_ns) {
    if (now_ns > e->last_ns) {
        double rate = (double)rl->per_minute / 60e9; /* tokens per ns */
        e->tokens += (double)(now_ns - e->last_ns) * rate;
        if (e->tokens > (double)rl->per_minute) e->tokens = (double)rl->per_minute;
    }
    e->last_ns = now_ns;
}

/* Drops buckets that are full again (idle clients); called with the lock held. */
static void sweep(yaa_ratelimit *rl, uint64_t now_ns) {
    for (size_t i = 0; i < NBUCKETS; i++) {
        entry **pp = &rl->table[i];
        while (*pp) {
            entry *e = *pp;
            refill(rl, e, now_ns);
            if (e->tokens >= (double)rl->per_minute) {
                *pp = e->next;
                free(e);
                rl->count--;
            } else {
                pp = &e->next;
            }
        }
    }
}

void yaa_api_ratelimit_take_at(yaa_ratelimit *rl, const char *key, bool consume, uint64_t now_ns,
                               yaa_rl_result *out) {
    out->limit = rl->per_minute;
    out->allowed = true;
    out->retry_after = 0;
    out->remaining = rl->per_minute;
    if (rl->per_minute <= 0) {
        out->limit = 0;
        out->remaining = 0;
        return;
    }
    if (rl->backend && rl->backend(rl->backend_ud, key, rl->per_minute, consume, out) == 0) return;
    pthread_mutex_lock(&rl->mu);
    uint32_t h = hash(key) % NBUCKETS;
    entry *e = rl->table[h];
    while (e && strcmp(e->key, key) != 0) e = e->next;
    if (!e) {
        if (!consume) {
            pthread_mutex_unlock(&rl->mu);
            return;
        }
        if (rl->count >= SWEEP_AT) sweep(rl, now_ns);
        size_t kl = strlen(key);
        e = malloc(sizeof *e + kl + 1);
        if (!e) {
            pthread_mutex_unlock(&rl->mu);
            return; /* fail open */
        }
        memcpy(e->key, key, kl + 1);
        e->tokens = (double)rl->per_minute;
        e->last_ns = now_ns;
        e->next = rl->table[h];
        rl->table[h] = e;
        rl->count++;
    }
    refill(rl, e, now_ns);
    if (consume) {
        if (e->tokens >= 1.0) {
            e->tokens -= 1.0;
        } else {
            out->allowed = false;
            double rate = (double)rl->per_minute / 60.0; /* tokens per second */
            out->retry_after = (long)ceil((1.0 - e->tokens) / rate);
            if (out->retry_after < 1) out->retry_after = 1;
        }
    }
    out->remaining = (long)floor(e->tokens);
    pthread_mutex_unlock(&rl->mu);
}

void yaa_api_ratelimit_take(yaa_ratelimit *rl, const char *key, bool consume, yaa_rl_result *out) {
    yaa_api_ratelimit_take_at(rl, key, consume, yaa_mono_ns(), out);
}
