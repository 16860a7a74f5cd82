/* retrieve.c - lexical (BM25), vector (int8 scan, float32 rescoring) and hybrid (RRF)
 * retrieval over the in-memory copy of one channel's index (memindex.c), and the prompt
 * context formatter. */
#include "rag/rag.h"

#include "db/rag_repo.h"
#include "rag/rag_internal.h"

#include <stdlib.h>
#include <string.h>

#define CANDIDATES_MIN 50 /* each list feeding the fusion holds at least this many */
#define RESCORE_MIN 200   /* int8 candidates rescored with float32 vectors, at least */
/* The vector list's weight in the score fusion, against 1 for the lexical list. With the
 * analyser, the field meanings and the synonyms BM25 is the stronger list on every labelled
 * set: fusing normalised scores instead of ranks (RRF) moved the tuned sets from 0.887 to
 * 0.927 hybrid recall@5, and 0.3 instead of 0.4 to 0.940 once the synonyms were in (0.2 alike,
 * 0.5 and 0.6 lower; docs/RAG.md). */
#define VECTOR_WEIGHT 0.3

static int vector_exact; /* yaa_rag_vector_exact: float32 scan of every row */

void yaa_rag_vector_exact(int on) { __atomic_store_n(&vector_exact, on, __ATOMIC_RELAXED); }

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

static void lexical_list(const yaa_rag__mem *m, const char *query, size_t limit, int64_t *ids,
                         double *scores, size_t *n) {
    uint32_t *rows = malloc(limit * sizeof *rows);
    float *sc = malloc(limit * sizeof *sc);
    *n = rows && sc ? yaa_rag__lex_search(&m->lex, query, limit, rows, sc) : 0;
    for (size_t i = 0; i < *n; i++) {
        ids[i] = m->ids[rows[i]];
        scores[i] = sc[i];
    }
    free(rows);
    free(sc);
}

/* Rows to score exactly: every row (small index, or exact mode), else the best `want` of the
 * int8 scan. Returns how many row numbers were written to cand (malloc'd). */
static size_t vector_candidates(const yaa_rag__mem *m, const float *q, size_t want, size_t **cand) {
    *cand = NULL;
    if (m->n <= want || __atomic_load_n(&vector_exact, __ATOMIC_RELAXED)) {
        *cand = malloc(m->n * sizeof **cand);
        if (!*cand) return 0;
        for (size_t i = 0; i < m->n; i++) (*cand)[i] = i;
        return m->n;
    }
    /* The int8 scan, a block of rows at a time into a small buffer that stays in cache,
     * feeding a bounded heap of the best `want`. */
    enum { BLOCK = 512 };
    int8_t *q8 = malloc((size_t)m->dim);
    float *sc = malloc(want * sizeof *sc);
    *cand = malloc(want * sizeof **cand);
    size_t got = 0;
    if (q8 && sc && *cand) {
        float block[BLOCK];
        float q_inv = yaa_rag_quantize_i8(q, m->dim, q8);
        yaa_rag__best best = {sc, *cand, 0, want};
        for (size_t off = 0; off < m->n; off += BLOCK) {
            size_t nb = m->n - off < BLOCK ? m->n - off : BLOCK;
            yaa_rag_dot_many_i8(m->q8 + off * (size_t)m->dim, m->inv + off, nb, m->dim, q8, q_inv,
                                block);
            for (size_t i = 0; i < nb; i++) yaa_rag__best_push(&best, block[i], off + i);
        }
        got = yaa_rag__best_sort(&best);
    }
    free(q8);
    free(sc);
    return got;
}

static int vector_list(yaa_rag_embedder *emb, const yaa_rag__mem *m, const char *query,
                       size_t limit, int64_t *ids, float *scores, size_t *n, yaa_err *err) {
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
    /* The int8 scan picks candidates, their float32 rows give the final order. */
    size_t want = limit * 4 > RESCORE_MIN ? limit * 4 : RESCORE_MIN, *cand;
    size_t nc = vector_candidates(m, q, want, &cand);
    float *exact = malloc((nc ? nc : 1) * sizeof *exact);
    size_t *idx = malloc(limit * sizeof *idx);
    if (!cand || !exact || !idx) {
        free(q);
        free(cand);
        free(exact);
        free(idx);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nc; i++)
        exact[i] = yaa_rag_dot(m->mat + cand[i] * (size_t)m->dim, q, m->dim);
    size_t got = yaa_rag_topk(exact, nc, limit, idx);
    /* Best first; a score <= 0 means nothing in common (an empty query vector scores 0
     * everywhere), so the list stops there. */
    size_t kept = 0;
    while (kept < got && exact[idx[kept]] > 0.0f) {
        ids[kept] = m->ids[cand[idx[kept]]];
        scores[kept] = exact[idx[kept]];
        kept++;
    }
    *n = kept;
    free(q);
    free(cand);
    free(exact);
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
    yaa_db_rag_state st = {0};
    yaa_rag__mem *m = NULL;
    size_t cand = (size_t)k * 4 > CANDIDATES_MIN ? (size_t)k * 4 : CANDIDATES_MIN;
    int64_t *lex_ids = calloc(cand, sizeof *lex_ids), *vec_ids = calloc(cand, sizeof *vec_ids);
    double *lex_sc = calloc(cand, sizeof *lex_sc), *fused_sc = calloc(cand * 2, sizeof *fused_sc);
    float *vec_sc = calloc(cand, sizeof *vec_sc);
    int64_t *fused = calloc(cand * 2, sizeof *fused);
    yaa_db_rag_row *rows = NULL;
    size_t nlex = 0, nvec = 0, nf = 0;
    int rc = 0;
    if (!lex_ids || !vec_ids || !lex_sc || !fused_sc || !vec_sc || !fused) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    if (!emb && (rc = yaa_rag_embedder_open(NULL, &emb, err))) goto done;
    if ((rc = yaa_db_rag_state_get(db, channel_id, &st, err))) goto done;
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
    if ((rc = yaa_rag__mem_get(db, channel_id, st.embedder, st.dim, st.generation, &m, err)))
        goto done;
    if (mode != YAA_RAG_LEXICAL &&
        (rc = vector_list(emb, m, query, cand, vec_ids, vec_sc, &nvec, err)))
        goto done;
    if (mode != YAA_RAG_VECTOR) lexical_list(m, query, cand, lex_ids, lex_sc, &nlex);
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
        double *vec_d = calloc(cand, sizeof *vec_d);
        if (!vec_d) {
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < nvec; i++) vec_d[i] = vec_sc[i];
        const double *scores[2] = {lex_sc, vec_d};
        const double w[2] = {1.0, VECTOR_WEIGHT};
        nf = yaa_rag_fuse_scores(lists, scores, lens, w, 2, (size_t)k, fused, fused_sc);
        free(vec_d);
    }
    if (!nf) goto done;
    rows = calloc(nf, sizeof *rows);
    out->hits = calloc(nf, sizeof *out->hits);
    if (!rows || !out->hits) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = yaa_db_rag_get(db, fused, nf, rows, err))) goto done;
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
    yaa_db_rag_rows_free(rows, rows ? nf : 0);
    yaa_rag__mem_release(m);
    if (emb != emb_in) yaa_rag_embedder_free(emb);
    yaa_db_rag_state_free(&st);
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
    if (cfg && cfg->rag_cache_mb > 0) yaa_rag_cache_limit((size_t)cfg->rag_cache_mb << 20);
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
