/* rag_internal.h - helpers shared inside yaa_rag (not for other libraries). */
#ifndef YAA_RAG_INTERNAL_H
#define YAA_RAG_INTERNAL_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

/* Calls fn for each normalised word of text (case and width folded, apostrophes dropped,
 * Hangul jamo composed), as code points; at most 64 code points a word. */
typedef void (*yaa_rag__word_fn)(void *ud, const uint32_t *cp, size_t n);
void yaa_rag__each_word(const char *text, yaa_rag__word_fn fn, void *ud);
int yaa_rag__is_stopword(const uint32_t *w, size_t n);
int yaa_rag__is_hangul(uint32_t c);
/* UTF-8 encoding of cp into out (4 bytes max); returns the length. */
size_t yaa_rag__utf8(uint32_t cp, char *out);

/* Lexical terms of a text (analyze.c): Korean words without particles and endings (plus
 * the syllable bigrams of stems of three or more syllables), English words lightly stemmed,
 * function words dropped. fn gets each term as UTF-8 (NUL-terminated, len bytes). */
typedef void (*yaa_rag__term_fn)(void *ud, const char *term, size_t len);
#define YAA_RAG__GRAM '\x01'       /* first byte of a syllable-bigram term */
#define YAA_RAG__GRAM_WEIGHT 0.35f /* its weight against a whole word in BM25 */
void yaa_rag__analyze(const char *text, yaa_rag__term_fn fn, void *ud);
/* English synonyms (en_syn.c, WordNet): calls fn with each one-word synonym of the most common
 * senses of word (lowercase ASCII, n bytes); nothing when WordNet is not installed. */
void yaa_rag__en_synonyms(const char *word, size_t n, yaa_rag__term_fn fn, void *ud);
/* The analysed terms of the WordNet synonyms of each English content word of text (stop words
 * and modal verbs skipped), for expanding a question on the lexical side. */
#define YAA_RAG__SYN_WEIGHT 0.3f /* a synonym's weight against a word of the question */
void yaa_rag__analyze_synonyms(const char *text, yaa_rag__term_fn fn, void *ud);
/* Words for the same thing in video work, Korean and English (syn_table.c): calls fn with the
 * analysed terms of the other words of term's group (term: an analysed whole-word term). */
void yaa_rag__table_synonyms(const char *term, size_t n, yaa_rag__term_fn fn, void *ud);
/* Length (in code points) of a Hangul word without its particles and endings. */
size_t yaa_rag__ko_stem(const uint32_t *w, size_t n);
/* The stems of a Hangul word from the Korean Hunspell dictionary (ko_dict.c), written to out
 * as UTF-8, several readings separated by tabs; returns the length, 0 when the dictionary is
 * missing or does not know the word. */
size_t yaa_rag__ko_dict_stem(const char *word, char *out, size_t cap);
/* Whether the Korean dictionary's files are there (cheap: nothing is loaded). */
int yaa_rag__ko_dict_present(void);
/* The tag of the analyser that runs in this process, YAA_RAG__TAG_LEN bytes: stored terms
 * (yaa_rag_terms) with another tag were made by another analyser and are not used. */
#define YAA_RAG__TAG_LEN 3
const char *yaa_rag__terms_tag(void);
/* Length of a lowercase ASCII English word after light suffix stemming (may rewrite a
 * trailing "ies" to "y"). */
size_t yaa_rag__en_stem(char *w, size_t n);

/* ---- streaming top-k (vec.c) ---- */

/* Keeps the k best (score, index) pairs pushed so far; score and idx hold k entries each,
 * owned by the caller. After yaa_rag__best_sort they are best first. */
typedef struct yaa_rag__best {
    float *score;
    size_t *idx;
    size_t n, k;
} yaa_rag__best;
void yaa_rag__best_push(yaa_rag__best *b, float score, size_t idx);
size_t yaa_rag__best_sort(yaa_rag__best *b);

/* A per-thread scratch buffer of at least `bytes`, zero-filled when (re)allocated; slot picks
 * one of a few independent buffers. Valid until the next call with the same slot on this
 * thread; freed when the thread ends. NULL when out of memory. */
enum { YAA_RAG__SCRATCH_ACC, YAA_RAG__SCRATCH_TOUCHED, YAA_RAG__SCRATCH_SLOTS };
void *yaa_rag__scratch(int slot, size_t bytes);

/* ---- the in-memory BM25 index (lexindex.c) ---- */

typedef struct yaa_rag__lex_pair {
    uint32_t term, row;
    uint16_t tf;
} yaa_rag__lex_pair;

typedef struct yaa_rag__lex {
    size_t nrows;
    uint32_t nterms;
    size_t nslots;
    uint32_t *slots; /* open addressing: term id + 1, 0 = empty */
    uint64_t *term_hash;
    uint32_t *str_off; /* term t is strings[str_off[t] .. str_off[t + 1]) */
    char *strings;
    size_t strings_len;
    uint32_t *start; /* CSR: postings of term t are [start[t], start[t + 1]) */
    uint32_t *post_doc;
    uint16_t *post_tf;
    float *norm;  /* per row: k1 * (1 - b + b * len / avg len) */
    size_t bytes; /* memory held after yaa_rag__lex_finish */
    /* while building */
    yaa_rag__lex_pair *pairs;
    size_t npairs, pairs_cap;
    uint32_t *doc_len, *last_doc, seen_terms;
    size_t *last_pos;
    size_t term_cap, str_off_cap, strings_cap, doc_len_cap, last_cap, last_pos_cap;
} yaa_rag__lex;

void yaa_rag__lex_init(yaa_rag__lex *x);
void yaa_rag__lex_free(yaa_rag__lex *x);
/* Adds row number `row` (rows are added in ascending order) with its text. */
int yaa_rag__lex_add(yaa_rag__lex *x, uint32_t row, const char *text);
/* The same from the row's stored terms (yaa_rag_terms), without analysing anything. */
int yaa_rag__lex_add_terms(yaa_rag__lex *x, uint32_t row, const char *terms);
/* Ends building: postings compacted, length norms computed. */
int yaa_rag__lex_finish(yaa_rag__lex *x);
/* BM25 top-limit rows for a query, best first; returns how many were written. */
size_t yaa_rag__lex_search(const yaa_rag__lex *x, const char *query, size_t limit, uint32_t *rows,
                           float *scores);

/* ---- the in-memory copy of a channel's index (memindex.c) ---- */

typedef struct yaa_rag__mem {
    const void *db; /* the yaa_db it was loaded from (a key, never dereferenced) */
    char *channel_id;
    char *embedder;
    int64_t generation;
    int dim;
    size_t n;     /* rows */
    int64_t *ids; /* rag_chunks.id of each row, ascending */
    float *mat;   /* n x dim float32, row-major (rescoring) */
    int8_t *q8;   /* n x dim int8 (the scan) */
    float *inv;   /* per row: int8 dot -> float dot factor */
    yaa_rag__lex lex;
    size_t bytes; /* memory held */
    int refs;     /* users, plus 1 while cached */
    uint64_t used;
} yaa_rag__mem;

struct yaa_db;
/* The entry for (db, channel, embedder) at generation gen: cached, or loaded from the
 * database. Release it with yaa_rag__mem_release. */
int yaa_rag__mem_get(struct yaa_db *db, const char *channel_id, const char *embedder, int dim,
                     int64_t gen, yaa_rag__mem **out, yaa_err *err);
void yaa_rag__mem_release(yaa_rag__mem *m);

#endif
