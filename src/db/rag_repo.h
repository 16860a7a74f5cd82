/* rag_repo.h - every statement on rag_chunks and rag_index_state (migrations 0003, 0010, 0081).
 *
 * Embeddings are stored as raw little-endian float32 (BLOB on SQLite, BYTEA on PostgreSQL).
 * Search runs in memory (src/rag): this file only stores rows and loads them page by page.
 * Used by src/rag; nothing else touches these tables. */
#ifndef YAA_DB_RAG_REPO_H
#define YAA_DB_RAG_REPO_H

#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yaa_db_rag_row {
    int64_t id;
    char *source;
    char *section;
    char *text; /* NULL in yaa_db_rag_list */
    char *content_hash;
    char *embedder;
    int dim;
    char *terms_tag; /* yaa_db_rag_list: the analyser tag of the stored terms ("" = none) */
} yaa_db_rag_row;

void yaa_db_rag_rows_free(yaa_db_rag_row *rows, size_t n);

/* Index state of a channel; *found = false when it was never indexed. *embedder is
 * malloc'd (free it). */
typedef struct yaa_db_rag_state {
    bool found;
    char *embedder;
    int dim;
    int64_t chunks;
    int64_t generation;
} yaa_db_rag_state;

int yaa_db_rag_state_get(yaa_db *db, const char *channel_id, yaa_db_rag_state *st, yaa_err *err);
void yaa_db_rag_state_free(yaa_db_rag_state *st);
/* Upserts the state and bumps its generation. */
int yaa_db_rag_state_set(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                         int64_t chunks, yaa_err *err);
/* Inside a transaction: serialises writers of one channel's index (PostgreSQL: a
 * transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE already does). */
int yaa_db_rag_lock_channel(yaa_db *tx, const char *channel_id, yaa_err *err);
/* Channels with a recorded index, sorted. */
int yaa_db_rag_channels(yaa_db *db, char ***ids, size_t *n, yaa_err *err);

/* Every chunk of a channel without its text (id, source, section, hash, embedder, dim, the
 * first YAA_DB_RAG_TAG_LEN bytes of its stored terms). */
#define YAA_DB_RAG_TAG_LEN 3
int yaa_db_rag_list(yaa_db *db, const char *channel_id, yaa_db_rag_row **rows, size_t *n,
                    yaa_err *err);
int yaa_db_rag_insert(yaa_db *db, const char *channel_id, const char *source, const char *section,
                      const char *text, const char *terms, const char *content_hash,
                      const char *embedder, const float *vec, int dim, yaa_err *err);
/* Replaces a chunk's stored terms (terms may be NULL). */
int yaa_db_rag_set_terms(yaa_db *db, int64_t id, const char *terms, yaa_err *err);
int yaa_db_rag_delete(yaa_db *db, int64_t id, yaa_err *err);
/* Deletes a channel's chunks and state. */
int yaa_db_rag_delete_channel(yaa_db *db, const char *channel_id, yaa_err *err);

/* Every chunk of a channel of one embedder, ids ascending, read SCAN_PAGE rows at a time:
 * fn gets the id, the stored text, its stored terms (NULL when none) and the embedding bytes
 * (vec may be NULL). A non-zero return from fn stops the scan and is returned with a message
 * naming the channel. */
typedef int (*yaa_db_rag_row_fn)(void *ud, int64_t id, const char *text, const char *terms,
                                 const void *vec, size_t len);
int yaa_db_rag_scan(yaa_db *db, const char *channel_id, const char *embedder, yaa_db_rag_row_fn fn,
                    void *ud, yaa_err *err);

/* Rows (with text) for ids, returned in the order of ids; a missing id leaves a zeroed row. */
int yaa_db_rag_get(yaa_db *db, const int64_t *ids, size_t n, yaa_db_rag_row *rows, yaa_err *err);

#endif
