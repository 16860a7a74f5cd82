/* rag_internal.h - helpers shared inside yaa_rag (not for other libraries). */
#ifndef YAA_RAG_INTERNAL_H
#define YAA_RAG_INTERNAL_H

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

/* Lexical query terms for FTS5 trigram search: every trigram of each non-stopword of
 * three or more characters, plus " xy" (word start) for Hangul words; deduplicated, at most
 * max. Each term is malloc'd into terms[]; returns the count. */
size_t yaa_rag__query_terms(const char *query, char **terms, size_t max);

/* Word-prefix terms for PostgreSQL full-text search: each non-stopword, a Hangul word of
 * three or more syllables without its last one (a particle or ending), a Latin word longer
 * than five letters without its last two; deduplicated, at most max, malloc'd. */
size_t yaa_rag__query_stems(const char *query, char **stems, size_t max);

#endif
