/* terms.c - a question turned into FTS5 trigram terms: every trigram of its content words
 * (so a Korean word still matches with another particle attached) and, for Hangul words,
 * the word start after a space (" 조명"), which lets two-syllable nouns match too; and the
 * word-prefix terms of PostgreSQL full-text search. */
#include "rag/rag_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char **terms;
    size_t n, max;
} terms_ud;

static void add_term(terms_ud *t, const uint32_t *cp, size_t n, int lead_space) {
    if (t->n >= t->max) return;
    char buf[4 * 3 + 2];
    size_t len = 0;
    if (lead_space) buf[len++] = ' ';
    for (size_t i = 0; i < n; i++) len += yaa_rag__utf8(cp[i], buf + len);
    buf[len] = '\0';
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->terms[i], buf) == 0) return;
    char *s = strdup(buf);
    if (s) t->terms[t->n++] = s;
}

static void on_word(void *ud, const uint32_t *cp, size_t n) {
    terms_ud *t = ud;
    if (yaa_rag__is_stopword(cp, n)) return;
    int hangul = n >= 1 && yaa_rag__is_hangul(cp[0]);
    if (hangul && n >= 2) add_term(t, cp, 2, 1);
    for (size_t i = 0; i + 3 <= n; i++) add_term(t, cp + i, 3, 0);
}

size_t yaa_rag__query_terms(const char *query, char **terms, size_t max) {
    terms_ud t = {terms, 0, max};
    yaa_rag__each_word(query, on_word, &t);
    return t.n;
}

static void on_stem(void *ud, const uint32_t *cp, size_t n) {
    terms_ud *t = ud;
    if (yaa_rag__is_stopword(cp, n) || t->n >= t->max) return;
    size_t keep = n;
    if (yaa_rag__is_hangul(cp[0]))
        keep = n >= 3 ? n - 1 : n;
    else if (n > 5)
        keep = n - 2;
    char buf[64 * 4 + 1];
    size_t len = 0;
    for (size_t i = 0; i < keep; i++)
        if (cp[i] != '#') len += yaa_rag__utf8(cp[i], buf + len);
    buf[len] = '\0';
    if (!len) return;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->terms[i], buf) == 0) return;
    char *s = strdup(buf);
    if (s) t->terms[t->n++] = s;
}

size_t yaa_rag__query_stems(const char *query, char **stems, size_t max) {
    terms_ud t = {stems, 0, max};
    yaa_rag__each_word(query, on_stem, &t);
    return t.n;
}
