/* test_lex.c - the lexical analyser (Korean particles and endings by rule and by the
 * hunspell-ko dictionary, English suffixes, function words), the in-memory BM25 index, int8
 * quantisation with its scan, and the streaming top-k. */
#include "test_util.h"

#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char buf[1024];
    size_t len;
} terms;

static void collect(void *ud, const char *t, size_t n) {
    terms *x = ud;
    if (x->len + n + 2 >= sizeof x->buf) return;
    if (x->len) x->buf[x->len++] = ' ';
    if (*t == YAA_RAG__GRAM) { /* shown as "~xy" */
        x->buf[x->len++] = '~';
        t++;
        n--;
    }
    memcpy(x->buf + x->len, t, n);
    x->len += n;
    x->buf[x->len] = '\0';
}

/* The analysed terms of text, space-separated. */
static const char *analyse(const char *text) {
    static terms x;
    x.len = 0;
    x.buf[0] = '\0';
    yaa_rag__analyze(text, collect, &x);
    return x.buf;
}

/* The rule set alone (the fallback when the dictionary does not know a word). */
static const char *rule_stem(const char *word) {
    static char out[256];
    uint32_t cp[64];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)word;
    while (*p && n < 64) { /* Hangul syllables: three bytes each */
        cp[n++] = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        p += 3;
    }
    size_t m = yaa_rag__ko_stem(cp, n), len = 0;
    for (size_t i = 0; i < m; i++) len += yaa_rag__utf8(cp[i], out + len);
    out[len] = '\0';
    return out;
}

static void test_korean_rules(void **state) {
    (void)state;
    /* One noun with different particles: one stem. */
    assert_string_equal(rule_stem("배터리가"), "배터리");
    assert_string_equal(rule_stem("배터리는"), "배터리");
    assert_string_equal(rule_stem("배터리에서도"), "배터리");
    assert_string_equal(rule_stem("가격을"), "가격");
    assert_string_equal(rule_stem("시청자들에게"), "시청자");
    /* Short nouns keep their last syllable even when it looks like a particle. */
    assert_string_equal(rule_stem("화면"), "화면");
    assert_string_equal(rule_stem("광고"), "광고");
    assert_string_equal(rule_stem("길이"), "길이");
    /* An inflected 하다-verb finds its stem. */
    const char *forms[] = {"측정한",   "측정하지",   "측정했습니다", "측정해서",
                           "측정하는", "측정합니다", "측정하면",     "측정된"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        assert_string_equal(rule_stem(forms[i]), "측정");
    assert_string_equal(rule_stem("비교했어요"), "비교");
    assert_string_equal(rule_stem("추천합니다"), "추천");
    assert_string_equal(rule_stem("알려야"), "알려");
}

static int have_dictionary(void) { return access("/usr/share/hunspell/ko_KR.aff", R_OK) == 0; }

static void test_korean_analyser(void **state) {
    (void)state;
    /* Whatever reads the dictionary gives, every form of a word meets its other forms. */
    const char *forms[] = {"측정한", "측정하지", "측정했습니다", "측정해서", "측정합니다"};
    char first[256];
    snprintf(first, sizeof first, "%s", analyse("측정"));
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        assert_string_equal(analyse(forms[i]), first);
    assert_string_equal(analyse("배터리가"), analyse("배터리는"));
    /* Syllable bigrams are lighter terms of their own ("~xy"). */
    assert_non_null(strstr(analyse("배터리가"), "배터리 ~배터 ~터리"));
    /* Function words go, with their particle too. */
    assert_string_equal(analyse("무엇을 어떻게"), "");
    /* Mixed and Latin words are left to their own rules. */
    assert_string_equal(analyse("USB-C"), "usb c");
    if (!have_dictionary()) {
        /* The rules: a two-syllable word with a case particle also gives its noun. */
        assert_string_equal(analyse("색을"), "색을 색 ~색을");
        skip();
    }
    /* With Debian's hunspell-ko: irregular verbs find their dictionary stem, and a word
     * with two readings is indexed with both. */
    assert_non_null(strstr(analyse("알려야"), "알리"));
    assert_non_null(strstr(analyse("써"), "쓰"));
    assert_string_equal(analyse("색을"), "색");
    assert_non_null(strstr(analyse("화면"), "화면"));
}

static void test_english_stems(void **state) {
    (void)state;
    assert_string_equal(analyse("measured"), analyse("measuring"));
    assert_string_equal(analyse("measures"), analyse("measure"));
    assert_string_equal(analyse("batteries"), analyse("battery"));
    assert_string_equal(analyse("Recipes"), analyse("recipe"));
    assert_string_equal(analyse("quickly"), "quick");
    assert_string_equal(analyse("running"), "run");
    /* Stop words vanish; digits stay as they are. */
    assert_string_equal(analyse("what is the 2026 plan"), "2026 plan");
    assert_string_equal(analyse("don't"), "dont");
    /* British and American spellings meet. */
    assert_string_equal(analyse("colours"), analyse("color"));
    assert_string_equal(analyse("centre"), analyse("center"));
}

static void test_bm25(void **state) {
    (void)state;
    const char *docs[] = {
        "tone > dont\nNever promise weight loss from a recipe",
        "tone > do\nShow the measured battery runtime on screen",
        "brand > values\n배터리 수명은 한 달 동안 측정합니다",
        "knowledge/faq.md#shipping\nWe ship sauces in glass jars",
        "brand > tagline\nHonest tests, measured numbers",
    };
    yaa_rag__lex x;
    yaa_rag__lex_init(&x);
    for (uint32_t i = 0; i < 5; i++) assert_int_equal(yaa_rag__lex_add(&x, i, docs[i]), 0);
    assert_int_equal(yaa_rag__lex_finish(&x), 0);
    assert_true(x.bytes > 0);
    uint32_t rows[5];
    float sc[5];
    /* An inflected Korean verb finds the row with another form of it. */
    size_t n = yaa_rag__lex_search(&x, "배터리를 측정했나요", 5, rows, sc);
    assert_true(n >= 1);
    assert_int_equal(rows[0], 2);
    /* The row with both rare terms ranks above rows with one; scores descend. */
    n = yaa_rag__lex_search(&x, "measuring battery", 5, rows, sc);
    assert_true(n >= 2);
    assert_int_equal(rows[0], 1);
    for (size_t i = 1; i < n; i++) assert_true(sc[i] <= sc[i - 1]);
    /* Unknown words and stop words find nothing; an empty index answers nothing. */
    assert_int_equal(yaa_rag__lex_search(&x, "the of what zzzz", 5, rows, sc), 0);
    /* Repeated queries leave no state behind (the per-thread score buffer is reset). */
    float first = 0;
    for (int rep = 0; rep < 3; rep++) {
        n = yaa_rag__lex_search(&x, "jars", 5, rows, sc);
        assert_int_equal(n, 1);
        assert_int_equal(rows[0], 3);
        if (rep == 0) first = sc[0];
        assert_true(sc[0] == first);
    }
    yaa_rag__lex_free(&x);
    yaa_rag__lex_init(&x);
    assert_int_equal(yaa_rag__lex_finish(&x), 0);
    assert_int_equal(yaa_rag__lex_search(&x, "jars", 5, rows, sc), 0);
    yaa_rag__lex_free(&x);
}

static void test_bm25_idf_and_length(void **state) {
    (void)state;
    /* 200 rows share "common"; one also has "rare": a query with both puts it first, and of
     * two rows with the same term once, the shorter one ranks higher. */
    yaa_rag__lex x;
    yaa_rag__lex_init(&x);
    char text[256];
    for (uint32_t i = 0; i < 200; i++) {
        snprintf(text, sizeof text, "common filler%u%s", i,
                 i == 150 ? " rare"
                 : i == 7 ? " solo extra words here"
                 : i == 9 ? " solo"
                          : "");
        assert_int_equal(yaa_rag__lex_add(&x, i, text), 0);
    }
    assert_int_equal(yaa_rag__lex_finish(&x), 0);
    uint32_t rows[10];
    float sc[10];
    size_t n = yaa_rag__lex_search(&x, "common rare", 10, rows, sc);
    assert_int_equal(n, 10);
    assert_int_equal(rows[0], 150);
    n = yaa_rag__lex_search(&x, "solo", 10, rows, sc);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0], 9);
    assert_int_equal(rows[1], 7);
    yaa_rag__lex_free(&x);
}

static void test_quantize_i8(void **state) {
    (void)state;
    enum { N = 3000, DIM = 384 };
    float *mat = malloc(sizeof(float) * N * DIM), q[DIM], *exact = malloc(sizeof(float) * N),
          *approx = malloc(sizeof(float) * N), inv[N];
    int8_t *q8 = malloc((size_t)N * DIM), qq[DIM];
    uint64_t s = 42;
    for (int r = 0; r < N; r++) {
        float *v = mat + (size_t)r * DIM;
        for (int i = 0; i < DIM; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            v[i] = (float)((double)(s >> 11) / (double)(1ULL << 53) - 0.5);
        }
        inv[r] = yaa_rag_quantize_i8(v, DIM, q8 + (size_t)r * DIM);
    }
    memcpy(q, mat + 17 * DIM, sizeof q);
    float q_inv = yaa_rag_quantize_i8(q, DIM, qq);
    /* Round trip within half a step of the row's scale. */
    for (int i = 0; i < DIM; i++) assert_true(fabsf(q8[17 * DIM + i] * inv[17] - q[i]) <= inv[17]);
    yaa_rag_dot_many(mat, N, DIM, q, exact);
    yaa_rag_dot_many_i8(q8, inv, N, DIM, qq, q_inv, approx);
    /* The error stays within 1% of the product of the norms (the cosine scale). */
    float qn = sqrtf(yaa_rag_dot(q, q, DIM));
    for (int r = 0; r < N; r++) {
        const float *v = mat + (size_t)r * DIM;
        float vn = sqrtf(yaa_rag_dot(v, v, DIM));
        assert_true(fabsf(exact[r] - approx[r]) < 0.01f * vn * qn);
    }
    /* A dimension that is not a multiple of the vector width takes the portable path. */
    yaa_rag_dot_many_i8(q8, inv, 4, 100, qq, q_inv, approx);
    int32_t d = 0;
    for (int i = 0; i < 100; i++) d += q8[i] * qq[i];
    assert_true(fabsf(approx[0] - (float)d * inv[0] * q_inv) < 1e-3f);
    /* The zero vector quantises to zeros and scores 0. */
    float zero[DIM] = {0};
    assert_true(yaa_rag_quantize_i8(zero, DIM, qq) == 0.0f);
    free(mat);
    free(exact);
    free(approx);
    free(q8);
}

static void test_best(void **state) {
    (void)state;
    float sc[4];
    size_t idx[4];
    yaa_rag__best b = {sc, idx, 0, 4};
    const float in[] = {0.1f, 0.9f, 0.5f, 0.9f, 0.3f, 0.7f, 0.2f};
    for (size_t i = 0; i < 7; i++) yaa_rag__best_push(&b, in[i], i);
    assert_int_equal(yaa_rag__best_sort(&b), 4);
    /* Best first; of two equal scores the earlier index wins. */
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 3);
    assert_int_equal(idx[2], 5);
    assert_int_equal(idx[3], 2);
}

/* Terms stored at index time (yaa_rag_terms) build the same BM25 index as analysing the text
 * when it is loaded: same scores for the same queries, Korean and English. */
static void test_stored_terms(void **state) {
    (void)state;
    const char *docs[] = {
        "tone > dont\nNever promise weight loss from a recipe",
        "brand > values\n배터리 수명은 한 달 동안 측정합니다",
        "audience > pain points\n보호자들이 답답해하는 대기 시간, measured twice",
        "\n",
        "",
    };
    yaa_rag__lex a, b;
    yaa_rag__lex_init(&a);
    yaa_rag__lex_init(&b);
    for (uint32_t i = 0; i < 5; i++) {
        yaa_buf t;
        yaa_buf_init(&t, 0);
        assert_int_equal(yaa_rag_terms(docs[i], &t), 0);
        /* The analyser's tag, a tab, then the terms. */
        assert_memory_equal(yaa_buf_cstr(&t), yaa_rag__terms_tag(), YAA_RAG__TAG_LEN);
        assert_int_equal(yaa_buf_cstr(&t)[YAA_RAG__TAG_LEN], '\t');
        assert_int_equal(yaa_rag__lex_add(&a, i, docs[i]), 0);
        assert_int_equal(yaa_rag__lex_add_terms(&b, i, yaa_buf_cstr(&t)), 0);
        yaa_buf_free(&t);
    }
    assert_int_equal(yaa_rag__lex_finish(&a), 0);
    assert_int_equal(yaa_rag__lex_finish(&b), 0);
    assert_int_equal(a.nterms, b.nterms);
    const char *queries[] = {"배터리를 측정했나요", "weight-loss promises", "답답함", "measuring"};
    for (size_t q = 0; q < 4; q++) {
        uint32_t ra[5], rb[5];
        float sa[5], sb[5];
        size_t na = yaa_rag__lex_search(&a, queries[q], 5, ra, sa);
        assert_true(na >= 1);
        assert_int_equal(yaa_rag__lex_search(&b, queries[q], 5, rb, sb), na);
        for (size_t i = 0; i < na; i++) {
            assert_int_equal(ra[i], rb[i]);
            assert_true(sa[i] == sb[i]);
        }
    }
    yaa_rag__lex_free(&a);
    yaa_rag__lex_free(&b);
}

typedef struct {
    char all[512];
} syn_acc;

/* A BM25 index of n texts, rows in order. */
static void build_lex(yaa_rag__lex *x, const char *const *docs, uint32_t n) {
    yaa_rag__lex_init(x);
    for (uint32_t i = 0; i < n; i++) assert_int_equal(yaa_rag__lex_add(x, i, docs[i]), 0);
    assert_int_equal(yaa_rag__lex_finish(x), 0);
}

static void on_syn(void *ud, const char *w, size_t n) {
    syn_acc *a = ud;
    size_t used = strlen(a->all);
    if (used + n + 2 < sizeof a->all) snprintf(a->all + used, sizeof a->all - used, "%s,", w);
}

/* English synonyms from WordNet (wordnet-base, installed by scripts/install-deps): base forms
 * and regular inflections, several parts of speech; a question's synonyms reach a row that
 * shares no word with it, below a row that has the question's own word. */
static void test_synonyms(void **state) {
    (void)state;
    syn_acc a = {{0}};
    yaa_rag__en_synonyms("hurt", 4, on_syn, &a);
    assert_non_null(strstr(a.all, "injury,"));
    memset(&a, 0, sizeof a);
    yaa_rag__en_synonyms("closed", 6, on_syn, &a); /* the adjective, and "close" the verb */
    assert_non_null(strstr(a.all, "shut,"));
    memset(&a, 0, sizeof a);
    yaa_rag__en_synonyms("gadgets", 7, on_syn, &a); /* plural: the noun "gadget" */
    assert_non_null(strstr(a.all, "gizmo,"));
    memset(&a, 0, sizeof a);
    yaa_rag__en_synonyms("zzzqx", 5, on_syn, &a); /* not a word */
    yaa_rag__en_synonyms("ab", 2, on_syn, &a);    /* too short to expand */
    assert_string_equal(a.all, "");
    const char *docs[] = {
        "tone > dont\nGlorify running through injury on camera",
        "pain points\nMy knees hurt on descents",
        "knowledge/gear.md\nHeadtorch and spare batteries",
    };
    yaa_rag__lex x;
    build_lex(&x, docs, 3);
    uint32_t rows[3];
    float sc[3];
    size_t n = yaa_rag__lex_search(&x, "can I film when my ankle is hurt?", 3, rows, sc);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0], 1); /* its own word */
    assert_int_equal(rows[1], 0); /* the synonym, lighter */
    assert_true(sc[1] < sc[0]);
    yaa_rag__lex_free(&x);
}

/* The domain table: an everyday Korean verb reaches the formal noun of a chunk ("찍어도" ->
 * 촬영), below a chunk with the question's own word; "advertiser" reaches "sponsor"; members of the
 * other script are not added (the field meanings carry both languages already). */
static void test_table_synonyms(void **state) {
    (void)state;
    syn_acc a = {{0}};
    yaa_rag__table_synonyms("찍", strlen("찍"), on_syn, &a);
    assert_non_null(strstr(a.all, "촬영,"));
    assert_null(strstr(a.all, "film"));
    memset(&a, 0, sizeof a);
    yaa_rag__table_synonyms("zzz", 3, on_syn, &a);
    assert_string_equal(a.all, "");
    const char *docs[] = {
        "knowledge/rules.md#촬영\n동물 촬영은 15분을 넘기지 않는다",
        "knowledge/partners.md\nEvery sponsor is named in the first minute",
        "brand > values\n집에서 찍은 영상만 올린다",
    };
    yaa_rag__lex x;
    build_lex(&x, docs, 3);
    uint32_t rows[3];
    float sc[3];
    size_t n = yaa_rag__lex_search(&x, "고양이를 찍어도 돼?", 3, rows, sc);
    assert_true(n >= 2);
    assert_int_equal(rows[0], 2); /* its own word, 찍다 */
    assert_int_equal(rows[1], 0); /* 촬영, through the table */
    n = yaa_rag__lex_search(&x, "our advertiser", 3, rows, sc);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0], 1);
    yaa_rag__lex_free(&x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_korean_rules),   cmocka_unit_test(test_korean_analyser),
        cmocka_unit_test(test_english_stems),  cmocka_unit_test(test_bm25),
        cmocka_unit_test(test_stored_terms),   cmocka_unit_test(test_synonyms),
        cmocka_unit_test(test_table_synonyms), cmocka_unit_test(test_bm25_idf_and_length),
        cmocka_unit_test(test_quantize_i8),    cmocka_unit_test(test_best),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
