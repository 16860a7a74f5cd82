/* retrieve.c - lexical, vector and hybrid (RRF) retrieval over one channel's index, the
 * process-wide cache of vector matrices (keyed by database, channel and embedder, valid while
 * the channel's index generation is unchanged), and the prompt context formatter. */
#include "rag/rag.h"

#include "db/rag_repo.h"
#include "rag/rag_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 32
#define MAX_TERMS 96
#define MAX_STEMS 24
#define CANDIDATES_MIN 50 /* each list feeding the fusion holds at least this many */

typedef struct matrix {
    const yaa_db *db;
    char *channel_id;
    char *embedder;
    int64_t generation;
    int dim;
    size_t n;
    int64_t *ids;
    float *mat;
    int refs; /* users plus 1 while cached */
    uint64_t used;
} matrix;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static matrix *cache[CACHE_SLOTS];
static uint64_t cache_tick;

static void matrix_free(matrix *m) {
    if (!m) return;
    free(m->channel_id);
    free(m->embedder);
    free(m->ids);
    free(m->mat);
    free(m);
}

static void matrix_release(matrix *m) {
    pthread_mutex_lock(&cache_mu);
    int last = --m->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (last) matrix_free(m);
}

void yaa_rag_cache_clear(void) {
    pthread_mutex_lock(&cache_mu);
    matrix *drop[CACHE_SLOTS];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        drop[i] = cache[i] && --cache[i]->refs == 0 ? cache[i] : NULL;
        cache[i] = NULL;
    }
    pthread_mutex_unlock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS; i++) matrix_free(drop[i]);
}

/* A matrix for (db, channel, embedder) at generation gen: from the cache, or loaded. */
static int matrix_get(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                      int64_t gen, matrix **out, yaa_err *err) {
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        matrix *m = cache[i];
        if (m && m->db == db && m->generation == gen && m->dim == dim &&
            strcmp(m->channel_id, channel_id) == 0 && strcmp(m->embedder, embedder) == 0) {
            m->refs++;
            m->used = ++cache_tick;
            pthread_mutex_unlock(&cache_mu);
            *out = m;
            return 0;
        }
    }
    pthread_mutex_unlock(&cache_mu);
    matrix *m = calloc(1, sizeof *m);
    if (!m) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    m->db = db;
    m->channel_id = strdup(channel_id);
    m->embedder = strdup(embedder);
    m->generation = gen;
    m->dim = dim;
    m->refs = 2; /* the caller and the cache */
    if (!m->channel_id || !m->embedder) {
        matrix_free(m);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    int rc = yaa_rag_repo_vectors(db, channel_id, embedder, dim, &m->ids, &m->mat, &m->n, err);
    if (rc) {
        matrix_free(m);
        return rc;
    }
    /* Store it: replace a stale entry of the same key, else an empty or the least used slot. */
    pthread_mutex_lock(&cache_mu);
    int slot = -1;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (cache[i] && cache[i]->db == db && strcmp(cache[i]->channel_id, channel_id) == 0 &&
            strcmp(cache[i]->embedder, embedder) == 0)
            slot = i;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (!cache[i]) slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 1; i < CACHE_SLOTS; i++)
            if (cache[i]->used < cache[slot]->used) slot = i;
    }
    matrix *old = cache[slot];
    int free_old = old && --old->refs == 0;
    cache[slot] = m;
    m->used = ++cache_tick;
    pthread_mutex_unlock(&cache_mu);
    if (free_old) matrix_free(old);
    *out = m;
    return 0;
}

const char *yaa_rag_mode_name(yaa_rag_mode m) {
    switch (m) {
    case YAA_RAG_LEXICAL: return "lexical";
    case YAA_RAG_VECTOR: return "vector";
    default: return "hybrid";
    }
}

void yaa_rag_results_free(yaa_rag_results *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->hits[i].source);
        free(r->hits[i].section);
        free(r->hits[i].text);
    }
    free(r->hits);
    r->hits = NULL;
    r->n = 0;
}

static int lexical_list(yaa_db *db, const char *channel_id, const char *embedder, const char *query,
                        size_t limit, int64_t *ids, double *scores, size_t *n, yaa_err *err) {
    char *terms[MAX_TERMS], *stems[MAX_STEMS];
    size_t nt = yaa_rag__query_terms(query, terms, MAX_TERMS);
    size_t ns = yaa_rag__query_stems(query, stems, MAX_STEMS);
    int rc = yaa_rag_repo_lexical(db, channel_id, embedder, (const char *const *)terms, nt,
                                  (const char *const *)stems, ns, limit, ids, scores, n, err);
    for (size_t i = 0; i < nt; i++) free(terms[i]);
    for (size_t i = 0; i < ns; i++) free(stems[i]);
    return rc;
}

static int vector_list(yaa_rag_embedder *emb, const matrix *m, const char *query, size_t limit,
                       int64_t *ids, float *scores, size_t *n, yaa_err *err) {
    *n = 0;
    if (!m->n) return 0;
    float *q = NULL;
    int dim = 0;
    const char *texts[1] = {query};
    int rc = yaa_rag_embed(emb, texts, 1, &q, &dim, err);
    if (rc) return rc;
    if (dim != m->dim) {
        free(q);
        return yaa_err_set(err, YAA_ECONFLICT, "query embedding has %d dimensions, index %d", dim,
                           m->dim);
    }
    float *all = malloc(m->n * sizeof *all);
    size_t *idx = malloc(limit * sizeof *idx);
    if (!all || !idx) {
        free(q);
        free(all);
        free(idx);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    yaa_rag_dot_many(m->mat, m->n, m->dim, q, all);
    size_t got = yaa_rag_topk(all, m->n, limit, idx);
    /* Best first; a score <= 0 means nothing in common (an empty query vector scores 0
     * everywhere), so the list stops there. */
    size_t kept = 0;
    while (kept < got && all[idx[kept]] > 0.0f) {
        ids[kept] = m->ids[idx[kept]];
        scores[kept] = all[idx[kept]];
        kept++;
    }
    *n = kept;
    free(q);
    free(all);
    free(idx);
    return 0;
}

static int rank_of(const int64_t *ids, size_t n, int64_t id) {
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return (int)i + 1;
    return 0;
}

int yaa_rag_search(yaa_db *db, yaa_rag_embedder *emb_in, const char *channel_id, const char *query,
                   int k, yaa_rag_mode mode, yaa_rag_results *out, yaa_err *err) {
    out->hits = NULL;
    out->n = 0;
    if (k <= 0) k = 5;
    if (k > 100) k = 100;
    if (!query || !*query) return yaa_err_set(err, YAA_EINVAL, "empty query");
    yaa_rag_embedder *emb = emb_in;
    yaa_rag_state st = {0};
    matrix *m = NULL;
    size_t cand = (size_t)k * 4 > CANDIDATES_MIN ? (size_t)k * 4 : CANDIDATES_MIN;
    int64_t *lex_ids = calloc(cand, sizeof *lex_ids), *vec_ids = calloc(cand, sizeof *vec_ids);
    double *lex_sc = calloc(cand, sizeof *lex_sc), *fused_sc = calloc(cand * 2, sizeof *fused_sc);
    float *vec_sc = calloc(cand, sizeof *vec_sc);
    int64_t *fused = calloc(cand * 2, sizeof *fused);
    yaa_rag_row *rows = NULL;
    size_t nlex = 0, nvec = 0, nf = 0;
    int rc = 0;
    if (!lex_ids || !vec_ids || !lex_sc || !fused_sc || !vec_sc || !fused) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    if (!emb && (rc = yaa_rag_embedder_open(NULL, &emb, err))) goto done;
    if ((rc = yaa_rag_repo_state(db, channel_id, &st, err))) goto done;
    if (!st.found) goto done; /* never indexed: nothing to find */
    const char *name = yaa_rag_embedder_name(emb);
    if (strcmp(st.embedder, name) != 0) {
        rc = yaa_err_set(err, YAA_ECONFLICT,
                         "channel '%s' is indexed with embedder '%s' (%d dimensions) but the "
                         "query uses '%s': set EMBEDDING_PROVIDER/EMBEDDING_MODEL to match, or "
                         "re-index with `yaa rag index --channel %s`",
                         channel_id, st.embedder, st.dim, name, channel_id);
        goto done;
    }
    if (mode != YAA_RAG_LEXICAL) {
        rc = matrix_get(db, channel_id, st.embedder, st.dim, st.generation, &m, err);
        if (!rc) rc = vector_list(emb, m, query, cand, vec_ids, vec_sc, &nvec, err);
        if (rc) goto done;
    }
    if (mode != YAA_RAG_VECTOR &&
        (rc = lexical_list(db, channel_id, st.embedder, query, cand, lex_ids, lex_sc, &nlex, err)))
        goto done;
    if (mode == YAA_RAG_LEXICAL) {
        nf = nlex < (size_t)k ? nlex : (size_t)k;
        memcpy(fused, lex_ids, nf * sizeof *fused);
        memcpy(fused_sc, lex_sc, nf * sizeof *fused_sc);
    } else if (mode == YAA_RAG_VECTOR) {
        nf = nvec < (size_t)k ? nvec : (size_t)k;
        memcpy(fused, vec_ids, nf * sizeof *fused);
        for (size_t i = 0; i < nf; i++) fused_sc[i] = vec_sc[i];
    } else {
        const int64_t *lists[2] = {lex_ids, vec_ids};
        size_t lens[2] = {nlex, nvec};
        nf = yaa_rag_rrf(lists, lens, 2, (size_t)k, fused, fused_sc);
    }
    if (!nf) goto done;
    rows = calloc(nf, sizeof *rows);
    out->hits = calloc(nf, sizeof *out->hits);
    if (!rows || !out->hits) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = yaa_rag_repo_get(db, fused, nf, rows, err))) goto done;
    for (size_t i = 0; i < nf; i++) {
        if (!rows[i].text) continue; /* deleted meanwhile */
        yaa_rag_hit *h = &out->hits[out->n++];
        h->id = fused[i];
        h->source = rows[i].source;
        h->section = rows[i].section;
        /* The stored text starts with a line of path words for search; callers get the
         * content alone. */
        const char *nl = strchr(rows[i].text, '\n');
        h->text = strdup(nl ? nl + 1 : rows[i].text);
        h->body = h->text;
        rows[i].source = rows[i].section = NULL;
        if (!h->text) {
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            goto done;
        }
        h->score = fused_sc[i];
        h->lex_rank = rank_of(lex_ids, nlex, h->id);
        h->vec_rank = rank_of(vec_ids, nvec, h->id);
        h->vec_score = h->vec_rank ? vec_sc[h->vec_rank - 1] : 0.0f;
    }
done:
    if (rc) yaa_rag_results_free(out);
    yaa_rag_rows_free(rows, rows ? nf : 0);
    if (m) matrix_release(m);
    if (emb != emb_in) yaa_rag_embedder_free(emb);
    yaa_rag_state_free(&st);
    free(lex_ids);
    free(vec_ids);
    free(lex_sc);
    free(vec_sc);
    free(fused);
    free(fused_sc);
    return rc;
}

int yaa_rag_retrieve(yaa_db *db, const yaa_config *cfg, const char *channel_id, const char *query,
                     int k, yaa_rag_results *out, yaa_err *err) {
    out->hits = NULL;
    out->n = 0;
    if (cfg && !cfg->rag_enabled) return 0;
    yaa_rag_embedder *emb;
    int rc = yaa_rag_embedder_open(cfg, &emb, err);
    if (rc) return rc;
    rc = yaa_rag_search(db, emb, channel_id, query, k, YAA_RAG_HYBRID, out, err);
    yaa_rag_embedder_free(emb);
    return rc;
}

int yaa_rag_format_context(const yaa_rag_results *r, size_t max_bytes, yaa_buf *out) {
    if (!max_bytes) max_bytes = 6000;
    size_t start = out->len;
    for (size_t i = 0; r && i < r->n; i++) {
        const yaa_rag_hit *h = &r->hits[i];
        const char *body = h->body ? h->body : h->text;
        size_t blen = strlen(body);
        while (blen && (body[blen - 1] == '\n' || body[blen - 1] == ' ')) blen--;
        size_t used = out->len - start, head = strlen(h->section) + 4;
        if (used + head + 16 > max_bytes) break;
        size_t room = max_bytes - used - head - 1;
        size_t n = blen <= room ? blen : yaa_utf8_prefix(body, room);
        int rc = yaa_buf_printf(out, "[%s] %.*s\n", h->section, (int)n, body);
        if (rc) return rc;
        if (n < blen) break; /* cut short: the budget is spent */
    }
    return 0;
}
