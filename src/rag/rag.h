/* rag.h - brand retrieval: chunker, embedders, indexer and hybrid retriever (yaa_rag).
 *
 * A channel's brand guide, config, knowledge files and past research notes are cut into
 * chunks that keep their structural path (`tone_and_manner.dont[2]`) as `section`, embedded,
 * and stored in rag_chunks (src/db/rag_repo.c). Retrieval runs on an in-memory copy of the
 * channel's index (rebuilt from the database when its generation changes): a lexical ranking
 * (BM25 over analysed terms: Korean stems, English stems) and a vector ranking (int8 scan,
 * float32 rescoring), fused by weighted reciprocal rank fusion. See docs/RAG.md. */
#ifndef YAA_RAG_H
#define YAA_RAG_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct yaa_db;

/* ---- chunks ------------------------------------------------------------------------- */

#define YAA_RAG_CHUNK_MAX 1200 /* bytes of body text per chunk before splitting */

typedef struct yaa_rag_chunk {
    const char *
        source; /* "brand_guide.yaml", "config.yaml", "knowledge/x.md", "runs/<id>/research.json" */
    const char *section; /* structural path, e.g. "tone_and_manner.dont[2]" */
    const char *text;    /* what is embedded and searched: a line of path words, then the value */
    char hash[65];       /* SHA-256 of source, section and text */
} yaa_rag_chunk;

/* A growable list of chunks whose strings live in its arena. */
typedef struct yaa_rag_chunks {
    yaa_arena arena;
    yaa_rag_chunk *v;
    size_t n, cap;
} yaa_rag_chunks;

void yaa_rag_chunks_init(yaa_rag_chunks *c);
void yaa_rag_chunks_free(yaa_rag_chunks *c);
/* Appends one chunk (strings are copied); computes its hash. */
int yaa_rag_chunks_add(yaa_rag_chunks *c, const char *source, const char *section,
                       const char *text);

/* Walks any YAML document: every non-empty scalar becomes a chunk whose section is its path
 * (`a.b[2].c`) and whose text holds the path words, their aliases and the value. */
int yaa_rag_chunk_yaml(yaa_rag_chunks *out, const char *source, const char *yaml, size_t len,
                       yaa_err *err);
/* Markdown or plain text: split at headings, then paragraphs, capped at YAA_RAG_CHUNK_MAX;
 * section = "<source>#<heading>" (parts after the first get "/2", "/3", ...). */
int yaa_rag_chunk_markdown(yaa_rag_chunks *out, const char *source, const char *text, size_t len,
                           yaa_err *err);
/* A past run's research.json: string leaves flattened as "key: value" lines, capped;
 * section = "runs/<run_id>/research". */
int yaa_rag_chunk_research(yaa_rag_chunks *out, const char *run_id, const char *json, size_t len,
                           yaa_err *err);
/* Every source of one channel: <channels_dir>/<id>/brand_guide.yaml, config.yaml,
 * knowledge/ *.md|*.markdown|*.txt, and <output_dir>/<run>/research.json of its runs
 * (a research.json names its channel in "channel_id"). A missing file is skipped; a
 * missing channel directory is YAA_ENOTFOUND. */
int yaa_rag_chunk_channel(yaa_rag_chunks *out, const char *channels_dir, const char *output_dir,
                          const char *channel_id, yaa_err *err);

/* ---- embedders ---------------------------------------------------------------------- */

#define YAA_RAG_HASH_DIM 384

typedef struct yaa_rag_embedder yaa_rag_embedder;

/* From cfg->embedding_provider (hash | openai | openai-compatible) and embedding_model. */
int yaa_rag_embedder_open(const yaa_config *cfg, yaa_rag_embedder **out, yaa_err *err);
/* The hash embedder with another dimension (0 = YAA_RAG_HASH_DIM, named "hash"; others are
 * named "hash-<dim>"). */
int yaa_rag_embedder_open_hash(int dim, yaa_rag_embedder **out, yaa_err *err);
void yaa_rag_embedder_free(yaa_rag_embedder *e);
/* The name stored with each chunk ("hash", "openai:text-embedding-3-small") and the
 * dimension (known after the first call for hosted models; 0 before). */
const char *yaa_rag_embedder_name(const yaa_rag_embedder *e);
int yaa_rag_embedder_dim(const yaa_rag_embedder *e);
/* The per-call context handed to the usage hook with each hosted embedding request
 * (the run/agent of the caller); NULL by default. */
void yaa_rag_embedder_set_usage_ctx(yaa_rag_embedder *e, void *usage_ctx);
/* Embeds n texts into out (n * dim floats, each row L2-normalised); *dim is set.
 * out is malloc'd; the caller frees it. Hosted embedders send batches. */
int yaa_rag_embed(yaa_rag_embedder *e, const char *const *texts, size_t n, float **out, int *dim,
                  yaa_err *err);

/* The built-in offline embedder: normalised (lowercase, full-width folded, Hangul jamo
 * composed) character n-grams (2-3 for Hangul, 3-4 for Latin) and words, feature-hashed
 * into dim signed buckets, L2-normalised. Deterministic. */
void yaa_rag_hash_embed(const char *text, float *out, int dim);

/* ---- vectors and fusion ------------------------------------------------------------- */

/* out[i] = dot(mat[i*dim ..], q) for n rows. Written for auto-vectorisation. */
void yaa_rag_dot_many(const float *mat, size_t n, int dim, const float *q, float *out);
float yaa_rag_dot(const float *a, const float *b, int dim);
/* int8 quantisation (quant.c): out[i] = round(v[i] * 127 / max|v|); returns the factor that
 * turns an int8 dot product back into the float one (max|v| / 127; 0 for a zero row). */
float yaa_rag_quantize_i8(const float *v, int dim, int8_t *out);
/* out[r] = dot(mat[r], q) * inv[r] * q_inv: approximate cosines of n int8 rows. */
void yaa_rag_dot_many_i8(const int8_t *mat, const float *inv, size_t n, int dim, const int8_t *q,
                         float q_inv, float *out);
/* Indices of the k largest scores, best first; returns how many were written (<= k). */
size_t yaa_rag_topk(const float *scores, size_t n, size_t k, size_t *idx);

/* Reciprocal rank fusion of ranked id lists: score(id) = sum 1/(k0 + rank), rank from 1.
 * Writes up to max fused ids (best first) and scores; returns the count. */
#define YAA_RAG_RRF_K 60
size_t yaa_rag_rrf(const int64_t *const *lists, const size_t *lens, size_t nlists, size_t max,
                   int64_t *ids, double *scores);
/* The same with a weight per list (NULL = all 1): score(id) = sum w[l] / (k0 + rank). */
size_t yaa_rag_rrf_weighted(const int64_t *const *lists, const size_t *lens, const double *weights,
                            size_t nlists, size_t max, int64_t *ids, double *scores);
/* Score fusion: each list's scores (best first, > 0) divided by its best score, weighted and
 * summed per id: score(id) = sum w[l] * s_l(id) / s_l(first). Unlike ranks, this keeps how far
 * ahead a list's best matches are (a BM25 hit far above the rest stays ahead). */
size_t yaa_rag_fuse_scores(const int64_t *const *lists, const double *const *list_scores,
                           const size_t *lens, const double *weights, size_t nlists, size_t max,
                           int64_t *ids, double *scores);

/* The stored form of a text's lexical terms, computed when a chunk is indexed so loading the
 * in-memory BM25 index analyses nothing: "<analyser tag>\t<term> <term> ...", appended to out. */
int yaa_rag_terms(const char *text, yaa_buf *out);

/* ---- index and retrieval ------------------------------------------------------------ */

typedef struct yaa_rag_index_stats {
    int channels;
    int chunks;   /* chunks now in the index */
    int embedded; /* new or changed: embedded this time */
    int kept;     /* unchanged: reused without embedding */
    int deleted;  /* vanished from the sources */
} yaa_rag_index_stats;

/* Indexes one channel (or every channel directory under CHANNELS_DIR when channel_id is
 * NULL) incrementally: unchanged chunks (same content hash and embedder) are kept, new or
 * changed ones embedded, vanished ones deleted. Only brand knowledge is indexed (the channel's
 * YAML and knowledge/ files): run outputs such as research.json are about one run's topic and
 * never join the index (chunks of them left by older versions are deleted). Re-indexing
 * with another embedder than the stored one replaces the channel's whole index. */
int yaa_rag_index(struct yaa_db *db, const yaa_config *cfg, const char *channel_id,
                  yaa_rag_index_stats *stats, yaa_err *err);
/* Same with an explicit embedder (tests, benches). */
int yaa_rag_index_with(struct yaa_db *db, const yaa_config *cfg, yaa_rag_embedder *emb,
                       const char *channel_id, yaa_rag_index_stats *stats, yaa_err *err);

typedef enum {
    YAA_RAG_HYBRID = 0,
    YAA_RAG_LEXICAL = 1,
    YAA_RAG_VECTOR = 2,
} yaa_rag_mode;

const char *yaa_rag_mode_name(yaa_rag_mode m);

typedef struct yaa_rag_hit {
    int64_t id;
    char *source;
    char *section;
    char *text;       /* the content (the stored chunk without its line of path words) */
    const char *body; /* the same as text (kept for callers that used it) */
    double score;     /* fused (hybrid), bm25-derived (lexical) or cosine (vector) */
    int lex_rank;     /* 1-based rank in the lexical list, 0 = absent */
    int vec_rank;     /* 1-based rank in the vector list, 0 = absent */
    float vec_score;  /* cosine similarity when ranked by vector */
} yaa_rag_hit;

typedef struct yaa_rag_results {
    yaa_rag_hit *hits;
    size_t n;
} yaa_rag_results;

void yaa_rag_results_free(yaa_rag_results *r);

/* Hybrid top-k for the agents. With RAG_ENABLED=false returns 0 and no hits. A channel
 * without an index gives no hits (not an error); an index built with another embedder
 * than the configured one is refused (YAA_ECONFLICT) with a message saying how to fix it. */
int yaa_rag_retrieve(struct yaa_db *db, const yaa_config *cfg, const char *channel_id,
                     const char *query, int k, yaa_rag_results *out, yaa_err *err);
/* Any mode, explicit embedder (NULL = open from cfg); ignores RAG_ENABLED. */
int yaa_rag_search(struct yaa_db *db, yaa_rag_embedder *emb, const char *channel_id,
                   const char *query, int k, yaa_rag_mode mode, yaa_rag_results *out, yaa_err *err);

/* Formats hits for a prompt: one block per hit, "[<section>] <body>", within max_bytes
 * (0 = 6000), never splitting a UTF-8 character. Appends to out. */
int yaa_rag_format_context(const yaa_rag_results *r, size_t max_bytes, yaa_buf *out);

/* Drops the in-process index cache (tests; re-indexing invalidates it by generation). */
void yaa_rag_cache_clear(void);
/* Caps the memory of the in-process index cache (0 = the default, 1 GiB); the least recently
 * used channels are dropped past it. */
void yaa_rag_cache_limit(size_t bytes);
/* Memory the cache holds now. */
size_t yaa_rag_cache_bytes(void);
/* Vector lists by a float32 scan of every row instead of the int8 scan + rescoring
 * (benchmarks and `yaa rag eval --exact` measure what the approximation loses). */
void yaa_rag_vector_exact(int on);

/* ---- evaluation --------------------------------------------------------------------- */

typedef struct yaa_rag_eval_method {
    yaa_rag_mode mode;
    int questions;
    double recall_at_k; /* share of questions with an expected section in the top k */
    double mrr;         /* mean reciprocal rank of the first expected section (within 10) */
} yaa_rag_eval_method;

typedef struct yaa_rag_eval_report {
    int k;
    yaa_rag_eval_method methods[3]; /* hybrid, lexical, vector */
    int missed_hybrid;              /* questions hybrid missed within k */
} yaa_rag_eval_report;

/* Evaluates a question file (JSON Lines, one object a line:
 * {"channel":"id","question":"...","expect":["section.path", ...]}); an expected path
 * matches a hit whose section equals it or continues it with '.', '[', '/' or '#'.
 * verbose: misses are printed to stderr. */
int yaa_rag_eval_file(struct yaa_db *db, yaa_rag_embedder *emb, const char *path, int k,
                      int verbose, yaa_rag_eval_report *rep, yaa_err *err);
/* True if a hit section satisfies an expected path (see above). */
int yaa_rag_section_matches(const char *section, const char *expected);

#endif
