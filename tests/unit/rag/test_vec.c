/* test_vec.c - the hash embedder (Korean and English, normalisation), dot products, top-k
 * selection and reciprocal rank fusion. */
#include "test_util.h"

#include "rag/rag.h"

#include <math.h>

#define D YAA_RAG_HASH_DIM

static float sim(const char *a, const char *b) {
    float x[D], y[D];
    yaa_rag_hash_embed(a, x, D);
    yaa_rag_hash_embed(b, y, D);
    return yaa_rag_dot(x, y, D);
}

static void test_hash_normalised(void **state) {
    (void)state;
    float v[D];
    yaa_rag_hash_embed("Honest gear tests", v, D);
    double ss = 0;
    for (int i = 0; i < D; i++) ss += v[i] * v[i];
    assert_true(fabs(ss - 1.0) < 1e-4);
    yaa_rag_hash_embed("", v, D);
    for (int i = 0; i < D; i++) assert_true(v[i] == 0.0f);
    /* Case, full-width letters and apostrophes fold away. */
    assert_true(sim("DON'T use CLICKBAIT", "dont use clickbait") > 0.999f);
    assert_true(sim("ＡＢＣ camera", "abc camera") > 0.999f);
    /* Invalid UTF-8 does not crash and still embeds the rest. */
    assert_true(sim("camera \xff\xfe review", "camera review") > 0.9f);
}

static void test_hash_korean(void **state) {
    (void)state;
    /* A particle changes only the tail of a Korean word: still close. */
    float with = sim("카메라는 배터리가 오래 간다", "카메라 배터리");
    float other = sim("카메라는 배터리가 오래 간다", "요리 레시피 추천");
    assert_true(with > 0.3f);
    assert_true(other < 0.1f);
    assert_true(with > other);
    /* Conjoining jamo (NFD) compose to the same syllables (NFC). */
    assert_true(sim("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "한") > 0.999f);
}

static void test_hash_english(void **state) {
    (void)state;
    assert_true(sim("measuring battery runtime", "battery runtimes measured") >
                sim("measuring battery runtime", "thumbnail colours"));
    /* Stop words alone carry nothing. */
    float v[D];
    yaa_rag_hash_embed("what is the", v, D);
    for (int i = 0; i < D; i++) assert_true(v[i] == 0.0f);
}

static void test_dot_topk(void **state) {
    (void)state;
    enum { N = 1000, DIM = 37 };
    float *m = calloc(N * DIM, sizeof *m), q[DIM], s[N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < DIM; j++) m[i * DIM + j] = (float)((i * 7 + j * 3) % 11) / 11.0f;
    for (int j = 0; j < DIM; j++) q[j] = (float)(j % 5) - 2.0f;
    yaa_rag_dot_many(m, N, DIM, q, s);
    for (int i = 0; i < N; i += 97) {
        double ref = 0;
        for (int j = 0; j < DIM; j++) ref += (double)m[i * DIM + j] * q[j];
        assert_true(fabs(ref - s[i]) < 1e-3);
    }
    size_t idx[10];
    assert_int_equal(yaa_rag_topk(s, N, 10, idx), 10);
    for (int i = 1; i < 10; i++) assert_true(s[idx[i - 1]] >= s[idx[i]]);
    float best = -1e30f;
    for (int i = 0; i < N; i++) best = s[i] > best ? s[i] : best;
    assert_true(s[idx[0]] == best);
    /* fewer rows than k */
    float few[3] = {0.1f, 0.9f, 0.5f};
    assert_int_equal(yaa_rag_topk(few, 3, 10, idx), 3);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    assert_int_equal(idx[2], 0);
    assert_int_equal(yaa_rag_topk(few, 0, 10, idx), 0);
    free(m);
}

static void test_rrf(void **state) {
    (void)state;
    int64_t lex[] = {10, 20, 30};
    int64_t vec[] = {30, 40, 10};
    const int64_t *lists[] = {lex, vec};
    size_t lens[] = {3, 3};
    int64_t ids[8];
    double sc[8];
    size_t n = yaa_rag_rrf(lists, lens, 2, 8, ids, sc);
    assert_int_equal(n, 4);
    /* 10: 1/61 + 1/63; 30: 1/63 + 1/61 -> tie, lexical first seen wins; then 20, 40. */
    assert_int_equal(ids[0], 10);
    assert_int_equal(ids[1], 30);
    assert_true(fabs(sc[0] - (1.0 / 61 + 1.0 / 63)) < 1e-12);
    assert_int_equal(ids[2], 20);
    assert_int_equal(ids[3], 40);
    assert_int_equal(yaa_rag_rrf(lists, lens, 2, 2, ids, sc), 2);
    size_t zero[] = {0, 0};
    assert_int_equal(yaa_rag_rrf(lists, zero, 2, 8, ids, sc), 0);
    /* Weighted (vector list at 0.5): 10 = 1/61 + 0.5/63 beats 30 = 1/63 + 0.5/61, and 20
     * (1/62) beats 40 (0.5/62). */
    const double w[2] = {1.0, 0.5};
    assert_int_equal(yaa_rag_rrf_weighted(lists, lens, w, 2, 8, ids, sc), 4);
    assert_int_equal(ids[0], 10);
    assert_int_equal(ids[1], 30);
    assert_true(fabs(sc[1] - (1.0 / 63 + 0.5 / 61)) < 1e-12);
    assert_int_equal(ids[2], 20);
    assert_int_equal(ids[3], 40);
}

static void test_fuse_scores(void **state) {
    (void)state;
    /* BM25 list with one hit far ahead; vector list close together. */
    int64_t lex[] = {10, 20, 30};
    double lex_sc[] = {8.0, 2.0, 1.0};
    int64_t vec[] = {30, 20, 40};
    double vec_sc[] = {0.5, 0.45, 0.4};
    const int64_t *lists[] = {lex, vec};
    const double *scores[] = {lex_sc, vec_sc};
    size_t lens[] = {3, 3};
    const double w[2] = {1.0, 0.4};
    int64_t ids[8];
    double sc[8];
    /* 10 = 1; 30 = 1/8 + 0.4; 20 = 2/8 + 0.4 * 0.9; 40 = 0.4 * 0.8. Rank fusion would put 30
     * (ranks 3 and 1) level with 10 (rank 1 only); the scores keep 10 far ahead. */
    assert_int_equal(yaa_rag_fuse_scores(lists, scores, lens, w, 2, 8, ids, sc), 4);
    assert_int_equal(ids[0], 10);
    assert_true(fabs(sc[0] - 1.0) < 1e-12);
    assert_int_equal(ids[1], 20);
    assert_true(fabs(sc[1] - (0.25 + 0.36)) < 1e-12);
    assert_int_equal(ids[2], 30);
    assert_int_equal(ids[3], 40);
    assert_true(fabs(sc[3] - 0.32) < 1e-12);
    assert_int_equal(yaa_rag_fuse_scores(lists, scores, lens, w, 2, 1, ids, sc), 1);
    /* A list whose best score is 0 (nothing in common) adds nothing. */
    double none[] = {0.0, 0.0, 0.0};
    const double *zero[] = {lex_sc, none};
    assert_int_equal(yaa_rag_fuse_scores(lists, zero, lens, w, 2, 8, ids, sc), 4);
    assert_int_equal(ids[0], 10);
    assert_true(fabs(sc[3]) < 1e-12);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_normalised),
        cmocka_unit_test(test_hash_korean),
        cmocka_unit_test(test_hash_english),
        cmocka_unit_test(test_dot_topk),
        cmocka_unit_test(test_rrf),
        cmocka_unit_test(test_fuse_scores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
