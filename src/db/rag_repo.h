/* rag_repo.h - every statement on rag_chunks and rag_index_state (migrations 0003, 0010).
 *
 * Embeddings are stored as raw little-endian float32 (BLOB on SQLite, BYTEA on PostgreSQL).
 * Lexical search: FTS5 trigram MATCH ranked by bm25 on SQLite; full-text search over a stored
 * 'simple' tsvector (GIN) on PostgreSQL. Used by src/rag; nothing else touches these tables. */
#ifndef YAA_DB_RAG_REPO_H
#define YAA_DB_RAG_REPO_H

#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yaa_rag_row {
    int64_t id;
    char *source;
    char *section;
    char *text; /* NULL in yaa_rag_repo_list */
    char *content_hash;
    char *embedder;
    int dim;
} yaa_rag_row;

void yaa_rag_rows_free(yaa_rag_row *rows, size_t n);

/* Index state of a channel; *found = false when it was never indexed. *embedder is
 * malloc'd (free it). */
typedef struct yaa_rag_state {
    bool found;
    char *embedder;
    int dim;
    int64_t chunks;
    int64_t generation;
} yaa_rag_state;

int yaa_rag_repo_state(yaa_db *db, const char *channel_id, yaa_rag_state *st, yaa_err *err);
void yaa_rag_state_free(yaa_rag_state *st);
/* Upserts the state and bumps its generation. */
int yaa_rag_repo_state_set(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                           int64_t chunks, yaa_err *err);
/* Inside a transaction: serialises writers of one channel's index (PostgreSQL: a
 * transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE already does). */
int yaa_rag_repo_lock_channel(yaa_db *tx, const char *channel_id, yaa_err *err);
/* Channels with a recorded index, sorted. */
int yaa_rag_repo_channels(yaa_db *db, char ***ids, size_t *n, yaa_err *err);

/* Every chunk of a channel without its text (id, source, section, hash, embedder, dim). */
int yaa_rag_repo_list(yaa_db *db, const char *channel_id, yaa_rag_row **rows, size_t *n,
                      yaa_err *err);
int yaa_rag_repo_insert(yaa_db *db, const char *channel_id, const char *source, const char *section,
                        const char *text, const char *content_hash, const char *embedder,
                        const float *vec, int dim, yaa_err *err);
int yaa_rag_repo_delete(yaa_db *db, int64_t id, yaa_err *err);
/* Deletes a channel's chunks and state. */
int yaa_rag_repo_delete_channel(yaa_db *db, const char *channel_id, yaa_err *err);

/* A channel's vectors of one embedder as one contiguous row-major matrix (ids ascending).
 * Rows whose blob is not dim floats are skipped. *ids and *mat are malloc'd. */
int yaa_rag_repo_vectors(yaa_db *db, const char *channel_id, const char *embedder, int dim,
                         int64_t **ids, float **mat, size_t *n, yaa_err *err);

/* Lexical top-limit of a channel's chunks of one embedder. SQLite: terms are the question's
 * trigrams, the rarest kept (rag_chunks_vocab) and OR'ed as FTS5 phrases ranked by bm25.
 * PostgreSQL: stems are word prefixes, OR'ed into a tsquery over text_tsv (0012) ranked by
 * ts_rank. Scores are larger-is-better. ids/scores hold limit entries. */
int yaa_rag_repo_lexical(yaa_db *db, const char *channel_id, const char *embedder,
                         const char *const *terms, size_t nterms, const char *const *stems,
                         size_t nstems, size_t limit, int64_t *ids, double *scores, size_t *n,
                         yaa_err *err);

/* Rows (with text) for ids, returned in the order of ids; a missing id leaves a zeroed row. */
int yaa_rag_repo_get(yaa_db *db, const int64_t *ids, size_t n, yaa_rag_row *rows, yaa_err *err);

#endif
