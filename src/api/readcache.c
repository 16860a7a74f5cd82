/* readcache.c - the read cache of readcache.h: slots chosen by an FNV-1a hash of the key,
 * each with its own lock (requests for different keys do not wait on each other), keys
 * compared in constant time (they can be API key hashes). */
#include "api/readcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 256 /* longer keys are not cached */

typedef struct slot {
    pthread_mutex_t mu;
    char key[KEY_MAX + 1];
    size_t key_len; /* 0 = empty */
    uint64_t gen;
    char *val;
    size_t len;
} slot;

struct yaa_readcache {
    size_t nslots, max_value;
    slot *slots;
};

yaa_readcache *yaa_api_readcache_new(size_t slots, size_t max_value) {
    yaa_readcache *c = calloc(1, sizeof *c);
    if (!c || !slots || !(c->slots = calloc(slots, sizeof *c->slots))) {
        free(c);
        return NULL;
    }
    c->nslots = slots;
    c->max_value = max_value;
    for (size_t i = 0; i < slots; i++) pthread_mutex_init(&c->slots[i].mu, NULL);
    return c;
}

void yaa_api_readcache_free(yaa_readcache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nslots; i++) {
        pthread_mutex_destroy(&c->slots[i].mu);
        free(c->slots[i].val);
    }
    free(c->slots);
    free(c);
}

/* The slot of key, locked, or NULL for a key too long to cache. */
static slot *slot_of(yaa_readcache *c, const char *key, size_t *klen) {
    size_t n = strlen(key);
    if (!c || n == 0 || n > KEY_MAX) return NULL;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    slot *s = &c->slots[h % c->nslots];
    pthread_mutex_lock(&s->mu);
    *klen = n;
    return s;
}

static bool holds(const slot *s, const char *key, size_t n, uint64_t gen) {
    return s->key_len == n && s->gen == gen && yaa_ct_equal(s->key, key, n);
}

bool yaa_api_readcache_get(yaa_readcache *c, const char *key, uint64_t gen, yaa_buf *out) {
    size_t n;
    slot *s = slot_of(c, key, &n);
    if (!s) return false;
    bool hit = holds(s, key, n, gen) && yaa_buf_append(out, s->val, s->len) == 0;
    pthread_mutex_unlock(&s->mu);
    return hit;
}

bool yaa_api_readcache_get_obj(yaa_readcache *c, const char *key, uint64_t gen, void *out,
                               size_t n) {
    size_t kn;
    slot *s = slot_of(c, key, &kn);
    if (!s) return false;
    bool hit = holds(s, key, kn, gen) && s->len == n;
    if (hit) memcpy(out, s->val, n);
    pthread_mutex_unlock(&s->mu);
    return hit;
}

void yaa_api_readcache_put(yaa_readcache *c, const char *key, uint64_t gen, const void *v,
                           size_t n) {
    if (!c || n > c->max_value) return;
    char *copy = malloc(n ? n : 1);
    if (!copy) return;
    if (n) memcpy(copy, v, n);
    size_t kn;
    slot *s = slot_of(c, key, &kn);
    if (!s) {
        free(copy);
        return;
    }
    /* a slower request may bring an older generation: it does not replace a newer one */
    if (s->key_len && s->gen > gen && s->key_len == kn && memcmp(s->key, key, kn) == 0) {
        pthread_mutex_unlock(&s->mu);
        free(copy);
        return;
    }
    free(s->val);
    memcpy(s->key, key, kn);
    s->key_len = kn;
    s->gen = gen;
    s->val = copy;
    s->len = n;
    pthread_mutex_unlock(&s->mu);
}
