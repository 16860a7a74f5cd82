/* eval.c - retrieval quality on a labelled question file: recall@k and MRR (first relevant
 * hit within 10) for lexical-only, vector-only and hybrid retrieval. */
#include "rag/rag.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MRR_DEPTH 10

int yaa_rag_section_matches(const char *section, const char *expected) {
    size_t n = strlen(expected);
    if (strncmp(section, expected, n) != 0) return 0;
    char c = section[n];
    return c == '\0' || c == '.' || c == '[' || c == '/' || c == '#';
}

/* 1-based rank of the first hit matching any expected path, 0 if none. */
static int first_match(const yaa_rag_results *r, json_t *expect) {
    for (size_t i = 0; i < r->n; i++) {
        size_t j;
        json_t *e;
        json_array_foreach(expect, j, e) {
            const char *s = json_string_value(e);
            if (s && yaa_rag_section_matches(r->hits[i].section, s)) return (int)i + 1;
        }
    }
    return 0;
}

int yaa_rag_eval_file(struct yaa_db *db, yaa_rag_embedder *emb, const char *path, int k,
                      int verbose, yaa_rag_eval_report *rep, yaa_err *err) {
    memset(rep, 0, sizeof *rep);
    if (k <= 0) k = 5;
    rep->k = k;
    FILE *f = fopen(path, "r");
    if (!f) return yaa_err_set(err, YAA_ENOTFOUND, "%s: cannot open the question file", path);
    static const yaa_rag_mode modes[3] = {YAA_RAG_HYBRID, YAA_RAG_LEXICAL, YAA_RAG_VECTOR};
    int hits[3] = {0}, nq = 0, rc = 0, lineno = 0;
    double rr[3] = {0};
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '\n' || *s == '#') continue;
        json_error_t je;
        json_t *q = json_loads(s, 0, &je);
        const char *ch = json_string_value(json_object_get(q, "channel"));
        const char *text = json_string_value(json_object_get(q, "question"));
        json_t *expect = json_object_get(q, "expect");
        if (!q || !ch || !text || !json_is_array(expect) || !json_array_size(expect)) {
            rc = yaa_err_set(err, YAA_EPARSE,
                             "%s:%d: expected {\"channel\", \"question\", \"expect\": [paths]}%s%s",
                             path, lineno, q ? "" : ": ", q ? "" : je.text);
            json_decref(q);
            break;
        }
        nq++;
        for (int m = 0; m < 3 && !rc; m++) {
            yaa_rag_results r;
            rc =
                yaa_rag_search(db, emb, ch, text, k > MRR_DEPTH ? k : MRR_DEPTH, modes[m], &r, err);
            if (rc) break;
            int rank = first_match(&r, expect);
            if (rank && rank <= k) hits[m]++;
            if (rank) rr[m] += 1.0 / rank;
            if (verbose && m == 0 && (!rank || rank > k)) {
                fprintf(stderr, "miss (%s) %s: %s -> expected %s, got", yaa_rag_mode_name(modes[m]),
                        ch, text, json_string_value(json_array_get(expect, 0)));
                for (size_t i = 0; i < r.n && i < (size_t)k; i++)
                    fprintf(stderr, " %s", r.hits[i].section);
                fputc('\n', stderr);
            }
            if (m == 0 && (!rank || rank > k)) rep->missed_hybrid++;
            yaa_rag_results_free(&r);
        }
        json_decref(q);
        if (rc) {
            yaa_err_prefix(err, "%s:%d: ", path, lineno);
            break;
        }
    }
    free(line);
    fclose(f);
    if (rc) return rc;
    if (!nq) return yaa_err_set(err, YAA_EINVAL, "%s: no questions", path);
    for (int m = 0; m < 3; m++) {
        rep->methods[m].mode = modes[m];
        rep->methods[m].questions = nq;
        rep->methods[m].recall_at_k = (double)hits[m] / nq;
        rep->methods[m].mrr = rr[m] / nq;
    }
    return 0;
}
