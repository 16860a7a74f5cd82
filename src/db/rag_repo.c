/* rag_repo.c - the SQL of brand retrieval: rag_chunks rows, their vectors as one matrix,
 * lexical search (FTS5 trigram + bm25 on SQLite, full-text on PostgreSQL) and the per-channel
 * index state whose generation invalidates cached matrices in every process. */
#include "db/rag_repo.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEC_PAGE 5000 /* rows per page when loading vectors, bounds the result's memory */
#define LEX_TERMS 16  /* rarest trigrams kept for an FTS5 query */
#define LEX_MIN 3     /* ... at least this many, however common */
#define LEX_COMMON 10 /* a trigram in more than 1/LEX_COMMON of all chunks is dropped */

void yaa_rag_rows_free(yaa_rag_row *rows, size_t n) {
    if (!rows) return;
    for (size_t i = 0; i < n; i++) {
        free(rows[i].source);
        free(rows[i].section);
        free(rows[i].text);
        free(rows[i].content_hash);
        free(rows[i].embedder);
    }
    free(rows);
}

void yaa_rag_state_free(yaa_rag_state *st) {
    free(st->embedder);
    memset(st, 0, sizeof *st);
}

int yaa_rag_repo_state(yaa_db *db, const char *channel_id, yaa_rag_state *st, yaa_err *err) {
    memset(st, 0, sizeof *st);
    yaa_db_rows *r;
    int rc = yaa_db_query(db,
                          "SELECT embedder, dim, chunks, generation FROM rag_index_state "
                          "WHERE channel_id = ?",
                          YAA_DB_ARGS(yaa_db_text(channel_id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r)) {
        st->found = true;
        st->embedder = yaa_db_dup_text(r, 0, 0);
        st->dim = (int)yaa_db_get_int(r, 0, 1);
        st->chunks = yaa_db_get_int(r, 0, 2);
        st->generation = yaa_db_get_int(r, 0, 3);
        if (!st->embedder) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    yaa_db_rows_free(r);
    return rc;
}

int yaa_rag_repo_state_set(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                           int64_t chunks, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(db,
                       "INSERT INTO rag_index_state (channel_id, embedder, dim, chunks, "
                       "generation, updated_at) VALUES (?, ?, ?, ?, 1, ?) "
                       "ON CONFLICT (channel_id) DO UPDATE SET embedder = excluded.embedder, "
                       "dim = excluded.dim, chunks = excluded.chunks, "
                       "generation = rag_index_state.generation + 1, "
                       "updated_at = excluded.updated_at",
                       YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(embedder), yaa_db_int(dim),
                                   yaa_db_int(chunks), yaa_db_text(now)),
                       NULL, err);
}

int yaa_rag_repo_lock_channel(yaa_db *tx, const char *channel_id, yaa_err *err) {
    if (yaa_db_kind(tx) != YAA_DB_POSTGRES) return 0;
    return yaa_db_exec(tx, "SELECT pg_advisory_xact_lock(7275010, hashtext(?))",
                       YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
}

int yaa_rag_repo_channels(yaa_db *db, char ***ids, size_t *n, yaa_err *err) {
    *ids = NULL;
    *n = 0;
    yaa_db_rows *r;
    int rc = yaa_db_query(db, "SELECT channel_id FROM rag_index_state ORDER BY channel_id", NULL, 0,
                          &r, err);
    if (rc) return rc;
    size_t m = yaa_db_rows_count(r);
    if (m) {
        *ids = calloc(m, sizeof **ids);
        if (!*ids) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        for (size_t i = 0; i < m && !rc; i++) {
            (*ids)[i] = yaa_db_dup_text(r, i, 0);
            if (!(*ids)[i]) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            *n = i + 1;
        }
    }
    yaa_db_rows_free(r);
    return rc;
}

int yaa_rag_repo_list(yaa_db *db, const char *channel_id, yaa_rag_row **rows, size_t *n,
                      yaa_err *err) {
    *rows = NULL;
    *n = 0;
    yaa_db_rows *r;
    int rc = yaa_db_query(db,
                          "SELECT id, source, section, content_hash, embedder, dim "
                          "FROM rag_chunks WHERE channel_id = ? ORDER BY id",
                          YAA_DB_ARGS(yaa_db_text(channel_id)), &r, err);
    if (rc) return rc;
    size_t m = yaa_db_rows_count(r);
    if (m) {
        *rows = calloc(m, sizeof **rows);
        if (!*rows) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        for (size_t i = 0; i < m && !rc; i++) {
            yaa_rag_row *w = &(*rows)[i];
            w->id = yaa_db_get_int(r, i, 0);
            w->source = yaa_db_dup_text(r, i, 1);
            w->section = yaa_db_dup_text(r, i, 2);
            w->content_hash = yaa_db_dup_text(r, i, 3);
            w->embedder = yaa_db_dup_text(r, i, 4);
            w->dim = (int)yaa_db_get_int(r, i, 5);
            *n = i + 1;
            if (!w->source || !w->section || !w->content_hash || !w->embedder)
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    yaa_db_rows_free(r);
    return rc;
}

int yaa_rag_repo_insert(yaa_db *db, const char *channel_id, const char *source, const char *section,
                        const char *text, const char *content_hash, const char *embedder,
                        const float *vec, int dim, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(db,
                       "INSERT INTO rag_chunks (channel_id, source, section, text, embedding, "
                       "embedder, content_hash, dim, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(source),
                                   yaa_db_text(section), yaa_db_text(text),
                                   yaa_db_blob(vec, (size_t)dim * sizeof(float)),
                                   yaa_db_text(embedder), yaa_db_text(content_hash),
                                   yaa_db_int(dim), yaa_db_text(now)),
                       NULL, err);
}

int yaa_rag_repo_delete(yaa_db *db, int64_t id, yaa_err *err) {
    return yaa_db_exec(db, "DELETE FROM rag_chunks WHERE id = ?", YAA_DB_ARGS(yaa_db_int(id)), NULL,
                       err);
}

int yaa_rag_repo_delete_channel(yaa_db *db, const char *channel_id, yaa_err *err) {
    int rc = yaa_db_exec(db, "DELETE FROM rag_chunks WHERE channel_id = ?",
                         YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
    if (!rc)
        rc = yaa_db_exec(db, "DELETE FROM rag_index_state WHERE channel_id = ?",
                         YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
    return rc;
}

int yaa_rag_repo_vectors(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                         int64_t **ids, float **mat, size_t *n, yaa_err *err) {
    *ids = NULL;
    *mat = NULL;
    *n = 0;
    if (dim <= 0) return 0;
    size_t cap = 0, row_bytes = (size_t)dim * sizeof(float);
    int64_t after = -1;
    int rc = 0;
    for (;;) {
        yaa_db_rows *r;
        rc = yaa_db_query(db,
                          "SELECT id, embedding FROM rag_chunks WHERE channel_id = ? AND "
                          "embedder = ? AND id > ? ORDER BY id LIMIT ?",
                          YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(embedder),
                                      yaa_db_int(after), yaa_db_int(VEC_PAGE)),
                          &r, err);
        if (rc) break;
        size_t m = yaa_db_rows_count(r);
        if (*n + m > cap) {
            size_t ncap = cap ? cap : 1024;
            while (ncap < *n + m) ncap *= 2;
            int64_t *ni = realloc(*ids, ncap * sizeof *ni);
            if (ni) *ids = ni;
            float *nm = ni ? realloc(*mat, ncap * row_bytes) : NULL;
            if (nm) *mat = nm;
            if (!ni || !nm) {
                yaa_db_rows_free(r);
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory loading %zu vectors", *n + m);
                break;
            }
            cap = ncap;
        }
        for (size_t i = 0; i < m; i++) {
            size_t len;
            const void *b = yaa_db_get_blob(r, i, 1, &len);
            after = yaa_db_get_int(r, i, 0);
            if (!b || len != row_bytes) continue;
            (*ids)[*n] = after;
            memcpy(*mat + *n * (size_t)dim, b, row_bytes);
            (*n)++;
        }
        yaa_db_rows_free(r);
        if (m < VEC_PAGE) break;
    }
    if (rc) {
        free(*ids);
        free(*mat);
        *ids = NULL;
        *mat = NULL;
        *n = 0;
    }
    return rc;
}

static void fill_hits(yaa_db_rows *r, size_t limit, int negate, int64_t *ids, double *scores,
                      size_t *n) {
    size_t m = yaa_db_rows_count(r);
    for (size_t i = 0; i < m && i < limit; i++) {
        ids[i] = yaa_db_get_int(r, i, 0);
        double s = yaa_db_get_real(r, i, 1);
        scores[i] = negate ? -s : s;
        *n = i + 1;
    }
}

/* PostgreSQL: "stem1:* | stem2:* ..." over the stored tsvector, ranked by ts_rank. Stems are
 * letters and digits only (the caller's normaliser), so they need no quoting. */
static int pg_lexical(yaa_db *db, const char *channel_id, const char *embedder,
                      const char *const *stems, size_t nstems, size_t limit, int64_t *ids,
                      double *scores, size_t *n, yaa_err *err) {
    yaa_buf q;
    yaa_buf_init(&q, 1 << 16);
    int rc = 0;
    for (size_t i = 0; i < nstems && !rc; i++)
        rc = yaa_buf_printf(&q, "%s%s:*", i ? " | " : "", stems[i]);
    if (rc) {
        yaa_buf_free(&q);
        return yaa_err_set(err, rc, "lexical query too long");
    }
    yaa_db_rows *r;
    rc = yaa_db_query(db,
                      "SELECT id, ts_rank(text_tsv, q) AS s FROM rag_chunks, "
                      "to_tsquery('simple', ?) AS q WHERE channel_id = ? AND embedder = ? "
                      "AND text_tsv @@ q ORDER BY s DESC, id LIMIT ?",
                      YAA_DB_ARGS(yaa_db_text(yaa_buf_cstr(&q)), yaa_db_text(channel_id),
                                  yaa_db_text(embedder), yaa_db_int((int64_t)limit)),
                      &r, err);
    yaa_buf_free(&q);
    if (rc) return rc;
    fill_hits(r, limit, 0, ids, scores, n);
    yaa_db_rows_free(r);
    return 0;
}

typedef struct term_df {
    const char *term;
    int64_t df;
} term_df;

static int cmp_df(const void *a, const void *b) {
    const term_df *x = a, *y = b;
    return (x->df > y->df) - (x->df < y->df);
}

/* SQLite: the LEX_TERMS terms with the lowest document frequency (rag_chunks_vocab, 0011);
 * terms found nowhere are dropped. *keep points into terms (free the array only). */
static int rarest_terms(yaa_db *db, const char *const *terms, size_t nterms, const char ***keep,
                        size_t *nkeep, yaa_err *err) {
    *keep = NULL;
    *nkeep = 0;
    yaa_db_val *params = calloc(nterms, sizeof *params);
    char *sql = malloc(80 + 2 * nterms);
    term_df *found = calloc(nterms, sizeof *found);
    if (!params || !sql || !found) {
        free(params);
        free(sql);
        free(found);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    char *o = sql + sprintf(sql, "SELECT term, doc FROM rag_chunks_vocab WHERE term IN (");
    for (size_t i = 0; i < nterms; i++) {
        o += sprintf(o, i ? ",?" : "?");
        params[i] = yaa_db_text(terms[i]);
    }
    strcpy(o, ")");
    yaa_db_rows *r;
    int rc = yaa_db_query(db, sql, params, nterms, &r, err);
    free(sql);
    free(params);
    size_t nf = 0;
    if (!rc) {
        for (size_t j = 0; j < yaa_db_rows_count(r); j++) {
            const char *t = yaa_db_get_text(r, j, 0);
            for (size_t i = 0; t && i < nterms; i++)
                if (strcmp(terms[i], t) == 0) {
                    found[nf].term = terms[i];
                    found[nf++].df = yaa_db_get_int(r, j, 1);
                    break;
                }
        }
        yaa_db_rows_free(r);
        qsort(found, nf, sizeof *found, cmp_df);
        if (nf > LEX_TERMS) nf = LEX_TERMS;
        /* Common trigrams say little (low IDF) and cost the most (long posting lists). */
        int64_t total = 0;
        if (nf > LEX_MIN && yaa_db_query(db, "SELECT COALESCE(SUM(chunks), 0) FROM rag_index_state",
                                         NULL, 0, &r, err) == 0) {
            total = yaa_db_get_int(r, 0, 0);
            yaa_db_rows_free(r);
        }
        while (total > 0 && nf > LEX_MIN && found[nf - 1].df * LEX_COMMON > total) nf--;
        *keep = calloc(nf + 1, sizeof **keep);
        if (!*keep) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        for (size_t i = 0; i < nf && !rc; i++) (*keep)[i] = found[i].term;
        if (!rc) *nkeep = nf;
    }
    free(found);
    return rc;
}

int yaa_rag_repo_lexical(yaa_db *db, const char *channel_id, const char *embedder,
                         const char *const *terms, size_t nterms, const char *const *stems,
                         size_t nstems, size_t limit, int64_t *ids, double *scores, size_t *n,
                         yaa_err *err) {
    *n = 0;
    if (!limit) return 0;
    if (yaa_db_kind(db) == YAA_DB_POSTGRES)
        return nstems
                   ? pg_lexical(db, channel_id, embedder, stems, nstems, limit, ids, scores, n, err)
                   : 0;
    if (!nterms) return 0;
    const char **keep = NULL;
    size_t nkeep = 0;
    int rc = rarest_terms(db, terms, nterms, &keep, &nkeep, err);
    if (rc) return rc;
    if (!nkeep) {
        free(keep);
        return 0; /* no trigram of the question occurs anywhere */
    }
    /* FTS5 query: "t1" OR "t2" ... with quotes doubled inside each phrase. */
    size_t cap = 16;
    for (size_t i = 0; i < nkeep; i++) cap += 2 * strlen(keep[i]) + 6;
    char *match = malloc(cap), *o = match;
    if (!match) {
        free(keep);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nkeep; i++) {
        if (i) o += sprintf(o, " OR ");
        *o++ = '"';
        for (const char *p = keep[i]; *p; p++) {
            if (*p == '"') *o++ = '"';
            *o++ = *p;
        }
        *o++ = '"';
    }
    *o = '\0';
    free(keep);
    yaa_db_rows *r;
    rc = yaa_db_query(db,
                      "SELECT c.id, bm25(rag_chunks_fts) AS r FROM rag_chunks_fts "
                      "JOIN rag_chunks c ON c.id = rag_chunks_fts.rowid "
                      "WHERE rag_chunks_fts MATCH ? AND c.channel_id = ? AND c.embedder = ? "
                      "ORDER BY r, c.id LIMIT ?",
                      YAA_DB_ARGS(yaa_db_text(match), yaa_db_text(channel_id),
                                  yaa_db_text(embedder), yaa_db_int((int64_t)limit)),
                      &r, err);
    free(match);
    if (rc) return rc;
    fill_hits(r, limit, 1, ids, scores, n);
    yaa_db_rows_free(r);
    return 0;
}

int yaa_rag_repo_get(yaa_db *db, const int64_t *ids, size_t n, yaa_rag_row *rows, yaa_err *err) {
    memset(rows, 0, n * sizeof *rows);
    if (!n) return 0;
    yaa_db_val *params = calloc(n, sizeof *params);
    char *sql = malloc(160 + 3 * n);
    if (!params || !sql) {
        free(params);
        free(sql);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    char *o = sql + sprintf(sql, "SELECT id, source, section, text, content_hash, embedder, dim "
                                 "FROM rag_chunks WHERE id IN (");
    for (size_t i = 0; i < n; i++) {
        o += sprintf(o, i ? ",?" : "?");
        params[i] = yaa_db_int(ids[i]);
    }
    strcpy(o, ")");
    yaa_db_rows *r;
    int rc = yaa_db_query(db, sql, params, n, &r, err);
    free(sql);
    free(params);
    if (rc) return rc;
    for (size_t j = 0; j < yaa_db_rows_count(r) && !rc; j++) {
        int64_t id = yaa_db_get_int(r, j, 0);
        for (size_t i = 0; i < n; i++) {
            if (ids[i] != id || rows[i].text) continue;
            yaa_rag_row *w = &rows[i];
            w->id = id;
            w->source = yaa_db_dup_text(r, j, 1);
            w->section = yaa_db_dup_text(r, j, 2);
            w->text = yaa_db_dup_text(r, j, 3);
            w->content_hash = yaa_db_dup_text(r, j, 4);
            w->embedder = yaa_db_dup_text(r, j, 5);
            w->dim = (int)yaa_db_get_int(r, j, 6);
            if (!w->source || !w->section || !w->text || !w->content_hash || !w->embedder)
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    yaa_db_rows_free(r);
    return rc;
}
