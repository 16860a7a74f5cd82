/* rag_repo.c - the SQL of brand retrieval: rag_chunks rows, the paged scan that loads a
 * channel's index into memory (src/rag builds its BM25 index and vector matrices from it) and
 * the per-channel index state whose generation invalidates those in-memory copies in every
 * process. */
#include "db/rag_repo.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_PAGE 5000 /* rows per page when loading an index, bounds each result's memory */

void yaa_db_rag_rows_free(yaa_db_rag_row *rows, size_t n) {
    if (!rows) return;
    for (size_t i = 0; i < n; i++) {
        free(rows[i].source);
        free(rows[i].section);
        free(rows[i].text);
        free(rows[i].content_hash);
        free(rows[i].embedder);
        free(rows[i].terms_tag);
    }
    free(rows);
}

void yaa_db_rag_state_free(yaa_db_rag_state *st) {
    free(st->embedder);
    memset(st, 0, sizeof *st);
}

int yaa_db_rag_state_get(yaa_db *db, const char *channel_id, yaa_db_rag_state *st, yaa_err *err) {
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

int yaa_db_rag_state_set(yaa_db *db, const char *channel_id, const char *embedder, int dim,
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

int yaa_db_rag_lock_channel(yaa_db *tx, const char *channel_id, yaa_err *err) {
    if (yaa_db_kind(tx) != YAA_DB_POSTGRES) return 0;
    return yaa_db_exec(tx, "SELECT pg_advisory_xact_lock(7275010, hashtext(?))",
                       YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
}

int yaa_db_rag_channels(yaa_db *db, char ***ids, size_t *n, yaa_err *err) {
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

int yaa_db_rag_list(yaa_db *db, const char *channel_id, yaa_db_rag_row **rows, size_t *n,
                    yaa_err *err) {
    *rows = NULL;
    *n = 0;
    yaa_db_rows *r;
    int rc = yaa_db_query(db,
                          "SELECT id, source, section, content_hash, embedder, dim, "
                          "COALESCE(substr(terms, 1, 3), '') "
                          "FROM rag_chunks WHERE channel_id = ? ORDER BY id",
                          YAA_DB_ARGS(yaa_db_text(channel_id)), &r, err);
    if (rc) return rc;
    size_t m = yaa_db_rows_count(r);
    if (m) {
        *rows = calloc(m, sizeof **rows);
        if (!*rows) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        for (size_t i = 0; i < m && !rc; i++) {
            yaa_db_rag_row *w = &(*rows)[i];
            w->id = yaa_db_get_int(r, i, 0);
            w->source = yaa_db_dup_text(r, i, 1);
            w->section = yaa_db_dup_text(r, i, 2);
            w->content_hash = yaa_db_dup_text(r, i, 3);
            w->embedder = yaa_db_dup_text(r, i, 4);
            w->dim = (int)yaa_db_get_int(r, i, 5);
            w->terms_tag = yaa_db_dup_text(r, i, 6);
            *n = i + 1;
            if (!w->source || !w->section || !w->content_hash || !w->embedder || !w->terms_tag)
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_rag_insert(yaa_db *db, const char *channel_id, const char *source, const char *section,
                      const char *text, const char *terms, const char *content_hash,
                      const char *embedder, const float *vec, int dim, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(
        db,
        "INSERT INTO rag_chunks (channel_id, source, section, text, terms, "
        "embedding, embedder, content_hash, dim, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(source), yaa_db_text(section),
                    yaa_db_text(text), terms ? yaa_db_text(terms) : yaa_db_null(),
                    yaa_db_blob(vec, (size_t)dim * sizeof(float)), yaa_db_text(embedder),
                    yaa_db_text(content_hash), yaa_db_int(dim), yaa_db_text(now)),
        NULL, err);
}

int yaa_db_rag_set_terms(yaa_db *db, int64_t id, const char *terms, yaa_err *err) {
    return yaa_db_exec(db, "UPDATE rag_chunks SET terms = ? WHERE id = ?",
                       YAA_DB_ARGS(terms ? yaa_db_text(terms) : yaa_db_null(), yaa_db_int(id)),
                       NULL, err);
}

int yaa_db_rag_delete(yaa_db *db, int64_t id, yaa_err *err) {
    return yaa_db_exec(db, "DELETE FROM rag_chunks WHERE id = ?", YAA_DB_ARGS(yaa_db_int(id)), NULL,
                       err);
}

int yaa_db_rag_delete_channel(yaa_db *db, const char *channel_id, yaa_err *err) {
    int rc = yaa_db_exec(db, "DELETE FROM rag_chunks WHERE channel_id = ?",
                         YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
    if (!rc)
        rc = yaa_db_exec(db, "DELETE FROM rag_index_state WHERE channel_id = ?",
                         YAA_DB_ARGS(yaa_db_text(channel_id)), NULL, err);
    return rc;
}

int yaa_db_rag_scan(yaa_db *db, const char *channel_id, const char *embedder, yaa_db_rag_row_fn fn,
                    void *ud, yaa_err *err) {
    int64_t after = -1;
    for (;;) {
        yaa_db_rows *r;
        int rc = yaa_db_query(db,
                              "SELECT id, text, embedding, terms FROM rag_chunks "
                              "WHERE channel_id = ? "
                              "AND embedder = ? AND id > ? ORDER BY id LIMIT ?",
                              YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(embedder),
                                          yaa_db_int(after), yaa_db_int(SCAN_PAGE)),
                              &r, err);
        if (rc) return rc;
        size_t m = yaa_db_rows_count(r);
        for (size_t i = 0; i < m && !rc; i++) {
            size_t len = 0;
            const void *b = yaa_db_get_blob(r, i, 2, &len);
            const char *text = yaa_db_get_text(r, i, 1);
            after = yaa_db_get_int(r, i, 0);
            rc = fn(ud, after, text ? text : "", yaa_db_get_text(r, i, 3), b, b ? len : 0);
        }
        yaa_db_rows_free(r);
        if (rc)
            return yaa_err_set(err, rc, "loading the index of channel '%s': %s", channel_id,
                               yaa_strerror(rc));
        if (m < SCAN_PAGE) return 0;
    }
}

int yaa_db_rag_get(yaa_db *db, const int64_t *ids, size_t n, yaa_db_rag_row *rows, yaa_err *err) {
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
            yaa_db_rag_row *w = &rows[i];
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
