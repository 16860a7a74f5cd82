/* lexindex.c - the in-memory inverted index and BM25 ranking of the lexical list.
 *
 * Built from the rows of one channel's index (the database stays the source of truth; the
 * cache in retrieve.c rebuilds this when the channel's generation changes). Layout, after
 * yaa_rag__lex_finish:
 *
 *   term dictionary: open addressing, slot -> term id + 1; term id -> its UTF-8 string
 *   postings (CSR):  start[t] .. start[t+1] index post_doc[] (row numbers, ascending) and
 *                    post_tf[] (term frequency in that row)
 *   norm[row]:       k1 * (1 - b + b * len(row) / average len), BM25's length normalisation
 *
 * A query is analysed the same way as the rows (analyze.c); each of its distinct terms adds
 * idf * tf * (k1 + 1) / (tf + norm[row]) to the rows of its posting list. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BM25_K1 1.2f
#define BM25_B 0.75f
#define QUERY_TERMS 64 /* distinct terms of a question that are scored */

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) ncap *= 2;
    void *np = realloc(p, ncap * elem);
    if (np) *cap = ncap;
    return np;
}

/* The term id of s, inserting it when add is set; UINT32_MAX when absent or out of memory. */
static uint32_t term_id(yaa_rag__lex *x, const char *s, size_t n, int add) {
    if (!x->slots) {
        if (!add) return UINT32_MAX;
        x->nslots = 1024;
        if (!(x->slots = calloc(x->nslots, sizeof *x->slots))) return UINT32_MAX;
    }
    uint64_t h = fnv(s, n);
    size_t mask = x->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t t = x->slots[i];
        if (!t) break;
        t--;
        if (x->term_hash[t] == h && x->str_off[t + 1] - x->str_off[t] == n &&
            memcmp(x->strings + x->str_off[t], s, n) == 0)
            return t;
    }
    if (!add) return UINT32_MAX;
    /* Insert: keep the table at most half full. */
    if ((x->nterms + 1) * 2 > x->nslots) {
        size_t ns = x->nslots * 2;
        uint32_t *slots = calloc(ns, sizeof *slots);
        if (!slots) return UINT32_MAX;
        for (uint32_t t = 0; t < x->nterms; t++) {
            size_t j = (size_t)x->term_hash[t] & (ns - 1);
            while (slots[j]) j = (j + 1) & (ns - 1);
            slots[j] = t + 1;
        }
        free(x->slots);
        x->slots = slots;
        x->nslots = ns;
        mask = ns - 1;
    }
    uint32_t t = x->nterms;
    void *p;
    if (!(p = grow(x->term_hash, &x->term_cap, t + 1, sizeof *x->term_hash))) return UINT32_MAX;
    x->term_hash = p;
    if (!(p = grow(x->str_off, &x->str_off_cap, t + 2, sizeof *x->str_off))) return UINT32_MAX;
    x->str_off = p;
    if (!(p = grow(x->strings, &x->strings_cap, x->strings_len + n, 1))) return UINT32_MAX;
    x->strings = p;
    if (t == 0) x->str_off[0] = 0;
    memcpy(x->strings + x->strings_len, s, n);
    x->strings_len += n;
    x->str_off[t + 1] = (uint32_t)x->strings_len;
    x->term_hash[t] = h;
    size_t i = (size_t)h & mask;
    while (x->slots[i]) i = (i + 1) & mask;
    x->slots[i] = t + 1;
    x->nterms++;
    return t;
}

void yaa_rag__lex_init(yaa_rag__lex *x) { memset(x, 0, sizeof *x); }

void yaa_rag__lex_free(yaa_rag__lex *x) {
    free(x->slots);
    free(x->term_hash);
    free(x->str_off);
    free(x->strings);
    free(x->start);
    free(x->post_doc);
    free(x->post_tf);
    free(x->norm);
    free(x->pairs);
    free(x->doc_len);
    free(x->last_doc);
    free(x->last_pos);
    memset(x, 0, sizeof *x);
}

typedef struct {
    yaa_rag__lex *x;
    uint32_t row;
    uint32_t len;
    int oom;
} add_ud;

static void on_term(void *ud, const char *s, size_t n) {
    add_ud *a = ud;
    yaa_rag__lex *x = a->x;
    if (a->oom) return;
    uint32_t t = term_id(x, s, n, 1);
    if (t == UINT32_MAX) {
        a->oom = 1;
        return;
    }
    a->len++;
    void *p;
    if (t >= x->seen_terms) {
        if (!(p = grow(x->last_doc, &x->last_cap, (size_t)t + 1, sizeof *x->last_doc))) goto oom;
        x->last_doc = p;
        if (!(p = grow(x->last_pos, &x->last_pos_cap, (size_t)t + 1, sizeof *x->last_pos)))
            goto oom;
        x->last_pos = p;
        for (uint32_t i = x->seen_terms; i <= t; i++) x->last_doc[i] = UINT32_MAX;
        x->seen_terms = t + 1;
    }
    if (x->last_doc[t] == a->row) {
        yaa_rag__lex_pair *pp = &x->pairs[x->last_pos[t]];
        if (pp->tf < UINT16_MAX) pp->tf++;
        return;
    }
    if (!(p = grow(x->pairs, &x->pairs_cap, x->npairs + 1, sizeof *x->pairs))) goto oom;
    x->pairs = p;
    x->pairs[x->npairs] = (yaa_rag__lex_pair){.term = t, .row = a->row, .tf = 1};
    x->last_doc[t] = a->row;
    x->last_pos[t] = x->npairs++;
    return;
oom:
    a->oom = 1;
}

/* Records the length of a row whose terms were added. */
static int end_row(yaa_rag__lex *x, uint32_t row, const add_ud *a) {
    void *p = grow(x->doc_len, &x->doc_len_cap, (size_t)row + 1, sizeof *x->doc_len);
    if (!p) return YAA_ENOMEM;
    x->doc_len = p;
    for (size_t i = x->nrows; i < row; i++) x->doc_len[i] = 0;
    x->doc_len[row] = a->len;
    if (row + 1 > x->nrows) x->nrows = row + 1;
    return a->oom ? YAA_ENOMEM : 0;
}

int yaa_rag__lex_add(yaa_rag__lex *x, uint32_t row, const char *text) {
    add_ud a = {x, row, 0, 0};
    yaa_rag__analyze(text, on_term, &a);
    return end_row(x, row, &a);
}

int yaa_rag__lex_add_terms(yaa_rag__lex *x, uint32_t row, const char *terms) {
    add_ud a = {x, row, 0, 0};
    const char *p = strchr(terms, '\t');
    for (p = p ? p + 1 : terms; *p;) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n) on_term(&a, p, n);
        p += n + (sp ? 1 : 0);
    }
    return end_row(x, row, &a);
}

int yaa_rag__lex_finish(yaa_rag__lex *x) {
    free(x->last_doc);
    free(x->last_pos);
    x->last_doc = NULL;
    x->last_pos = NULL;
    x->start = calloc((size_t)x->nterms + 1, sizeof *x->start);
    x->post_doc = malloc((x->npairs ? x->npairs : 1) * sizeof *x->post_doc);
    x->post_tf = malloc((x->npairs ? x->npairs : 1) * sizeof *x->post_tf);
    x->norm = malloc((x->nrows ? x->nrows : 1) * sizeof *x->norm);
    if (!x->start || !x->post_doc || !x->post_tf || !x->norm) return YAA_ENOMEM;
    /* Counting sort of the pairs by term; rows stay ascending within a term because pairs
     * were appended row by row. */
    for (size_t i = 0; i < x->npairs; i++) x->start[x->pairs[i].term + 1]++;
    for (uint32_t t = 0; t < x->nterms; t++) x->start[t + 1] += x->start[t];
    uint32_t *fill = malloc(((size_t)x->nterms + 1) * sizeof *fill);
    if (!fill) return YAA_ENOMEM;
    memcpy(fill, x->start, ((size_t)x->nterms + 1) * sizeof *fill);
    for (size_t i = 0; i < x->npairs; i++) {
        uint32_t at = fill[x->pairs[i].term]++;
        x->post_doc[at] = x->pairs[i].row;
        x->post_tf[at] = x->pairs[i].tf;
    }
    free(fill);
    free(x->pairs);
    x->pairs = NULL;
    double total = 0;
    for (size_t r = 0; r < x->nrows; r++) total += x->doc_len[r];
    float avg = x->nrows && total > 0 ? (float)(total / (double)x->nrows) : 1.0f;
    for (size_t r = 0; r < x->nrows; r++)
        x->norm[r] = BM25_K1 * (1.0f - BM25_B + BM25_B * (float)x->doc_len[r] / avg);
    free(x->doc_len);
    x->doc_len = NULL;
    /* The dictionary keeps only what queries need. */
    x->bytes = x->nslots * sizeof *x->slots + x->nterms * sizeof *x->term_hash +
               ((size_t)x->nterms + 1) * (sizeof *x->str_off + sizeof *x->start) + x->strings_len +
               x->npairs * (sizeof *x->post_doc + sizeof *x->post_tf) + x->nrows * sizeof *x->norm;
    return 0;
}

typedef struct {
    const yaa_rag__lex *x;
    uint32_t terms[QUERY_TERMS];
    float weight[QUERY_TERMS];
    size_t n;
} query_ud;

static void on_query_term(void *ud, const char *s, size_t n) {
    query_ud *q = ud;
    uint32_t t = term_id((yaa_rag__lex *)q->x, s, n, 0);
    if (t == UINT32_MAX || q->n >= QUERY_TERMS) return;
    for (size_t i = 0; i < q->n; i++)
        if (q->terms[i] == t) return;
    q->weight[q->n] = s[0] == YAA_RAG__GRAM ? YAA_RAG__GRAM_WEIGHT : 1.0f;
    q->terms[q->n++] = t;
}

/* A term of the question brings the other words of its group in the domain table. */
static void on_question_term(void *ud, const char *s, size_t n) {
    if (s[0] != YAA_RAG__GRAM) yaa_rag__table_synonyms(s, n, on_query_term, ud);
}

size_t yaa_rag__lex_search(const yaa_rag__lex *x, const char *query, size_t limit, uint32_t *rows,
                           float *scores) {
    if (!x->nrows || !limit) return 0;
    query_ud q = {.x = x};
    yaa_rag__analyze(query, on_query_term, &q);
    /* Then, lighter, where the index has them and the question does not already: the WordNet
     * synonyms of its English words and the other words of its terms' groups in the domain
     * table (syn_table.c). */
    size_t own = q.n;
    yaa_rag__analyze_synonyms(query, on_query_term, &q);
    yaa_rag__analyze(query, on_question_term, &q);
    for (size_t i = own; i < q.n; i++) q.weight[i] *= YAA_RAG__SYN_WEIGHT;
    if (!q.n) return 0;
    /* acc (a score per row) is per-thread scratch that is all zero between queries: the
     * rows touched are set back to zero before returning. */
    size_t tcap = 0;
    for (size_t i = 0; i < q.n; i++) tcap += x->start[q.terms[i] + 1] - x->start[q.terms[i]];
    float *acc = yaa_rag__scratch(YAA_RAG__SCRATCH_ACC, x->nrows * sizeof *acc);
    uint32_t *touched = yaa_rag__scratch(YAA_RAG__SCRATCH_TOUCHED, (tcap + 1) * sizeof *touched);
    if (!acc || !touched) return 0;
    size_t ntouched = 0;
    for (size_t i = 0; i < q.n; i++) {
        uint32_t t = q.terms[i], a = x->start[t], b = x->start[t + 1];
        float df = (float)(b - a), n = (float)x->nrows;
        float idf = q.weight[i] * logf(1.0f + (n - df + 0.5f) / (df + 0.5f));
        for (uint32_t p = a; p < b; p++) {
            uint32_t r = x->post_doc[p];
            float tf = (float)x->post_tf[p];
            if (acc[r] == 0.0f) touched[ntouched++] = r;
            acc[r] += idf * tf * (BM25_K1 + 1.0f) / (tf + x->norm[r]);
        }
    }
    /* The best `limit` touched rows; ties go to the lower row (the older chunk). */
    float *sc = malloc(limit * sizeof *sc);
    size_t *idx = malloc(limit * sizeof *idx);
    size_t got = 0;
    if (sc && idx) {
        yaa_rag__best best = {sc, idx, 0, limit};
        for (size_t i = 0; i < ntouched; i++)
            yaa_rag__best_push(&best, acc[touched[i]], touched[i]);
        got = yaa_rag__best_sort(&best);
        for (size_t i = 0; i < got; i++) {
            rows[i] = (uint32_t)idx[i];
            scores[i] = sc[i];
        }
    }
    for (size_t i = 0; i < ntouched; i++) acc[touched[i]] = 0.0f;
    free(sc);
    free(idx);
    return got;
}
