/* memindex.c - the in-memory copy of a channel's index that every query runs on: row ids, the
 * float32 vectors (for rescoring), their int8 copies (for the scan) and the BM25 inverted
 * index (lexindex.c). One process-wide cache, keyed by database handle, channel and embedder;
 * an entry is valid while the channel's index generation (rag_index_state) is unchanged, so
 * an index rebuilt by `yaa rag index` in another process is picked up by the next query here.
 * The database stays the source of truth: an entry is only ever loaded from it.
 *
 * Memory is bounded: the entries together stay under the limit (yaa_rag_cache_limit, 1 GiB by
 * default); loading one past it evicts the least recently used others first. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include "core/log.h"
#include "db/rag_repo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 32

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static yaa_rag__mem *cache[CACHE_SLOTS];
static uint64_t cache_tick;
static size_t cache_limit = (size_t)1 << 30;

/* Per-thread scratch: big per-query arrays (a score per row) reused instead of mapped and
 * unmapped by every query. */
typedef struct scratch {
    void *p[YAA_RAG__SCRATCH_SLOTS];
    size_t cap[YAA_RAG__SCRATCH_SLOTS];
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p) {
    scratch *s = p;
    for (int i = 0; i < YAA_RAG__SCRATCH_SLOTS; i++) free(s->p[i]);
    free(s);
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *yaa_rag__scratch(int slot, size_t bytes) {
    pthread_once(&scratch_once, scratch_init);
    scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        if (!(s = calloc(1, sizeof *s))) return NULL;
        if (pthread_setspecific(scratch_key, s)) {
            free(s);
            return NULL;
        }
    }
    if (s->cap[slot] < bytes) {
        size_t cap = bytes < 4096 ? 4096 : bytes + bytes / 2;
        void *p = calloc(1, cap);
        if (!p) return NULL;
        free(s->p[slot]);
        s->p[slot] = p;
        s->cap[slot] = cap;
    }
    return s->p[slot];
}

void yaa_rag_cache_limit(size_t bytes) {
    pthread_mutex_lock(&cache_mu);
    cache_limit = bytes ? bytes : (size_t)1 << 30;
    pthread_mutex_unlock(&cache_mu);
}

static void mem_free(yaa_rag__mem *m) {
    if (!m) return;
    free(m->channel_id);
    free(m->embedder);
    free(m->ids);
    free(m->mat);
    free(m->q8);
    free(m->inv);
    yaa_rag__lex_free(&m->lex);
    free(m);
}

void yaa_rag__mem_release(yaa_rag__mem *m) {
    if (!m) return;
    pthread_mutex_lock(&cache_mu);
    int last = --m->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (last) mem_free(m);
}

void yaa_rag_cache_clear(void) {
    pthread_mutex_lock(&cache_mu);
    yaa_rag__mem *drop[CACHE_SLOTS];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        drop[i] = cache[i] && --cache[i]->refs == 0 ? cache[i] : NULL;
        cache[i] = NULL;
    }
    pthread_mutex_unlock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS; i++) mem_free(drop[i]);
}

size_t yaa_rag_cache_bytes(void) {
    size_t total = 0;
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS; i++) total += cache[i] ? cache[i]->bytes : 0;
    pthread_mutex_unlock(&cache_mu);
    return total;
}

typedef struct {
    yaa_rag__mem *m;
    size_t cap;
    const char *tag; /* yaa_rag__terms_tag */
} load_ud;

static int on_row(void *ud, int64_t id, const char *text, const char *terms, const void *vec,
                  size_t len) {
    load_ud *l = ud;
    yaa_rag__mem *m = l->m;
    size_t dim = (size_t)m->dim;
    if (!vec || len != dim * sizeof(float)) return 0; /* not a vector of this index: skipped */
    if (m->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 1024;
        int64_t *ids = realloc(m->ids, ncap * sizeof *ids);
        if (ids) m->ids = ids;
        float *mat = ids ? realloc(m->mat, ncap * dim * sizeof *mat) : NULL;
        if (mat) m->mat = mat;
        int8_t *q8 = mat ? realloc(m->q8, ncap * dim) : NULL;
        if (q8) m->q8 = q8;
        float *inv = q8 ? realloc(m->inv, ncap * sizeof *inv) : NULL;
        if (inv) m->inv = inv;
        if (!inv) return YAA_ENOMEM;
        l->cap = ncap;
    }
    float *row = m->mat + m->n * dim;
    memcpy(row, vec, len);
    m->inv[m->n] = yaa_rag_quantize_i8(row, m->dim, m->q8 + m->n * dim);
    m->ids[m->n] = id;
    /* Terms stored at index time by this analyser, else the text analysed now (rows of an
     * older version, or indexed where the Korean dictionary was or was not installed). */
    int rc = terms && strncmp(terms, l->tag, YAA_RAG__TAG_LEN) == 0
                 ? yaa_rag__lex_add_terms(&m->lex, (uint32_t)m->n, terms)
                 : yaa_rag__lex_add(&m->lex, (uint32_t)m->n, text);
    if (!rc) m->n++;
    return rc;
}

static int mem_load(yaa_db *db, yaa_rag__mem *m, yaa_err *err) {
    load_ud l = {m, 0, yaa_rag__terms_tag()};
    yaa_rag__lex_init(&m->lex);
    int rc = m->dim > 0 ? yaa_db_rag_scan(db, m->channel_id, m->embedder, on_row, &l, err) : 0;
    if (!rc && yaa_rag__lex_finish(&m->lex))
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory building the lexical index of '%s'",
                         m->channel_id);
    m->bytes = sizeof *m +
               m->n * (sizeof *m->ids + (size_t)m->dim * (sizeof(float) + 1) + sizeof *m->inv) +
               m->lex.bytes;
    return rc;
}

static int same_key(const yaa_rag__mem *m, const void *db, const char *channel_id,
                    const char *embedder) {
    return m && m->db == db && strcmp(m->channel_id, channel_id) == 0 &&
           strcmp(m->embedder, embedder) == 0;
}

int yaa_rag__mem_get(yaa_db *db, const char *channel_id, const char *embedder, int dim, int64_t gen,
                     yaa_rag__mem **out, yaa_err *err) {
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        yaa_rag__mem *m = cache[i];
        if (same_key(m, db, channel_id, embedder) && m->generation == gen && m->dim == dim) {
            m->refs++;
            m->used = ++cache_tick;
            pthread_mutex_unlock(&cache_mu);
            *out = m;
            return 0;
        }
    }
    pthread_mutex_unlock(&cache_mu);
    yaa_rag__mem *m = calloc(1, sizeof *m);
    if (!m) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    m->db = db;
    m->channel_id = strdup(channel_id);
    m->embedder = strdup(embedder);
    m->generation = gen;
    m->dim = dim;
    m->refs = 2; /* the caller and the cache */
    int rc = m->channel_id && m->embedder ? mem_load(db, m, err)
                                          : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (rc) {
        mem_free(m);
        return rc;
    }
    /* Store it in place of a stale entry of the same key, else a free or the least recently
     * used slot; then evict the least recently used others while over the memory limit. */
    yaa_rag__mem *drop[CACHE_SLOTS];
    int ndrop = 0;
    pthread_mutex_lock(&cache_mu);
    int slot = -1;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (same_key(cache[i], db, channel_id, embedder)) slot = i;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (!cache[i]) slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 1; i < CACHE_SLOTS; i++)
            if (cache[i]->used < cache[slot]->used) slot = i;
    }
    if (cache[slot] && --cache[slot]->refs == 0) drop[ndrop++] = cache[slot];
    cache[slot] = m;
    m->used = ++cache_tick;
    for (;;) {
        size_t total = 0;
        int lru = -1;
        for (int i = 0; i < CACHE_SLOTS; i++) {
            if (!cache[i]) continue;
            total += cache[i]->bytes;
            if (i != slot && (lru < 0 || cache[i]->used < cache[lru]->used)) lru = i;
        }
        if (total <= cache_limit || lru < 0) break;
        if (--cache[lru]->refs == 0) drop[ndrop++] = cache[lru];
        cache[lru] = NULL;
    }
    pthread_mutex_unlock(&cache_mu);
    for (int i = 0; i < ndrop; i++) mem_free(drop[i]);
    if (m->bytes > cache_limit)
        yaa_log_warn("rag", "the index of channel '%s' takes %zu MiB, more than the cache limit",
                     channel_id, m->bytes >> 20);
    *out = m;
    return 0;
}
