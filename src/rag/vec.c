/* vec.c - vector scoring over a contiguous row-major float matrix, top-k selection and
 * reciprocal rank fusion. Compiled with -O3 (cmake/rag.cmake): the dot product keeps eight
 * independent accumulators so the compiler vectorises it without -ffast-math. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <stdlib.h>
#include <string.h>

float yaa_rag_dot(const float *restrict a, const float *restrict b, int dim) {
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= dim; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < dim; i++) s += a[i] * b[i];
    return s;
}

void yaa_rag_dot_many(const float *restrict mat, size_t n, int dim, const float *restrict q,
                      float *restrict out) {
    for (size_t r = 0; r < n; r++) out[r] = yaa_rag_dot(mat + r * (size_t)dim, q, dim);
}

/* Min-heap on score (ties: the larger index is "smaller", so lower indices win). */
static int heap_less(const float *s, size_t x, size_t y) {
    float sx = s[x], sy = s[y];
    return sx < sy || (sx == sy && x > y);
}

static void sift_down(const float *s, size_t *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && heap_less(s, h[l], h[m])) m = l;
        if (r < n && heap_less(s, h[r], h[m])) m = r;
        if (m == i) return;
        size_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

size_t yaa_rag_topk(const float *scores, size_t n, size_t k, size_t *idx) {
    if (k == 0 || n == 0) return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m < k) {
            idx[m++] = i;
            if (m == k)
                for (size_t j = k / 2 + 1; j-- > 0;) sift_down(scores, idx, m, j);
        } else if (heap_less(scores, idx[0], i)) {
            idx[0] = i;
            sift_down(scores, idx, m, 0);
        }
    }
    if (m < k)
        for (size_t j = m / 2 + 1; j-- > 0;) sift_down(scores, idx, m, j);
    /* Heap sort: popping the minimum to the end leaves the array best first. */
    for (size_t end = m; end > 1; end--) {
        size_t t = idx[0];
        idx[0] = idx[end - 1];
        idx[end - 1] = t;
        sift_down(scores, idx, end - 1, 0);
    }
    return m;
}

typedef struct {
    int64_t id;
    double score;
    size_t first; /* order of first appearance, for stable ties */
} fused;

static int cmp_fused(const void *a, const void *b) {
    const fused *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->first < y->first ? -1 : (x->first > y->first);
}

size_t yaa_rag_rrf(const int64_t *const *lists, const size_t *lens, size_t nlists, size_t max,
                   int64_t *ids, double *scores) {
    return yaa_rag_rrf_weighted(lists, lens, NULL, nlists, max, ids, scores);
}

/* Fuses ranked lists: each entry adds w * (its score / the list's best score) when
 * list_scores is given, else w / (k0 + rank). */
static size_t fuse(const int64_t *const *lists, const double *const *list_scores,
                   const size_t *lens, const double *weights, size_t nlists, size_t max,
                   int64_t *ids, double *scores) {
    size_t total = 0;
    for (size_t l = 0; l < nlists; l++) total += lens[l];
    if (!total || !max) return 0;
    fused *f = calloc(total, sizeof *f);
    if (!f) return 0;
    size_t nf = 0, seq = 0;
    for (size_t l = 0; l < nlists; l++) {
        double w = weights ? weights[l] : 1.0;
        double best = list_scores && lens[l] ? list_scores[l][0] : 0.0;
        for (size_t r = 0; r < lens[l]; r++, seq++) {
            double s = !list_scores ? w / (double)(YAA_RAG_RRF_K + r + 1)
                       : best > 0.0 ? w * list_scores[l][r] / best
                                    : 0.0;
            size_t j = 0;
            while (j < nf && f[j].id != lists[l][r]) j++;
            if (j == nf) {
                f[nf].id = lists[l][r];
                f[nf].first = seq;
                nf++;
            }
            f[j].score += s;
        }
    }
    qsort(f, nf, sizeof *f, cmp_fused);
    size_t out = nf < max ? nf : max;
    for (size_t i = 0; i < out; i++) {
        ids[i] = f[i].id;
        if (scores) scores[i] = f[i].score;
    }
    free(f);
    return out;
}

size_t yaa_rag_rrf_weighted(const int64_t *const *lists, const size_t *lens, const double *weights,
                            size_t nlists, size_t max, int64_t *ids, double *scores) {
    return fuse(lists, NULL, lens, weights, nlists, max, ids, scores);
}

size_t yaa_rag_fuse_scores(const int64_t *const *lists, const double *const *list_scores,
                           const size_t *lens, const double *weights, size_t nlists, size_t max,
                           int64_t *ids, double *scores) {
    return fuse(lists, list_scores, lens, weights, nlists, max, ids, scores);
}

/* ---- streaming top-k (yaa_rag__best) ---- */

static int best_less(const yaa_rag__best *b, size_t x, size_t y) {
    return b->score[x] < b->score[y] || (b->score[x] == b->score[y] && b->idx[x] > b->idx[y]);
}

static void best_swap(yaa_rag__best *b, size_t x, size_t y) {
    float s = b->score[x];
    size_t i = b->idx[x];
    b->score[x] = b->score[y];
    b->idx[x] = b->idx[y];
    b->score[y] = s;
    b->idx[y] = i;
}

static void best_down(yaa_rag__best *b, size_t i, size_t n) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && best_less(b, l, m)) m = l;
        if (r < n && best_less(b, r, m)) m = r;
        if (m == i) return;
        best_swap(b, i, m);
        i = m;
    }
}

void yaa_rag__best_push(yaa_rag__best *b, float score, size_t idx) {
    if (b->n < b->k) {
        size_t i = b->n++;
        b->score[i] = score;
        b->idx[i] = idx;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!best_less(b, i, p)) break;
            best_swap(b, i, p);
            i = p;
        }
        return;
    }
    /* Full: replace the worst kept when this one is better (indices arrive ascending, so an
     * equal score never displaces an earlier row). */
    if (b->k == 0 || score <= b->score[0]) return;
    b->score[0] = score;
    b->idx[0] = idx;
    best_down(b, 0, b->n);
}

size_t yaa_rag__best_sort(yaa_rag__best *b) {
    for (size_t end = b->n; end > 1; end--) {
        best_swap(b, 0, end - 1);
        best_down(b, 0, end - 1);
    }
    return b->n;
}
