/* rag_store_cases.h - store and retrieval cases run against any database: the SQLite unit
 * test (test_store.c) and the PostgreSQL integration test (tests/integration/rag/). Each
 * case gets a freshly migrated database from the runner's setup (store_db). */
#ifndef YAA_TEST_RAG_STORE_CASES_H
#define YAA_TEST_RAG_STORE_CASES_H

#include "test_util.h"

#include <pthread.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/rag_repo.h"
#include "db/repo.h"
#include "rag/rag.h"
#include "rag/rag_internal.h"

typedef struct store_env {
    yaa_db *db;
    char tmp[PATH_MAX];
    char channels[PATH_MAX + 16];
    char output[PATH_MAX + 16];
    yaa_config cfg;
} store_env;

/* The runner provides this: a fresh, empty database URL for a case. */
static int store_fresh_url(char *url, size_t n);

static void put(store_env *e, const char *rel, const char *text) {
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", e->tmp, rel);
    char dir[PATH_MAX * 2];
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(yaa_mkdirs(dir, 0755), 0);
    assert_int_equal(yaa_write_file(p, text, strlen(text)), 0);
}

static void copy_fixture(store_env *e, const char *fixture, const char *rel) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/tests/data/rag/%s", yaa_test_source_dir(), fixture);
    char *data;
    size_t len;
    assert_int_equal(yaa_read_file(p, 1 << 20, &data, &len), 0);
    put(e, rel, data);
    free(data);
}

static const char *ko_guide =
    "brand:\n  name: 테크리뷰랩\n  tagline: 광고 없이 솔직한 기기 리뷰\n"
    "target_audience:\n  pain_points:\n    - 광고인지 리뷰인지 구분하기 어렵다\n"
    "    - 배터리 수명 정보가 부족하다\n"
    "tone_and_manner:\n  dont:\n    - 과장된 표현이나 낚시성 제목을 쓰지 않는다\n"
    "  do:\n    - 측정 결과를 먼저 보여준다\n"
    "visual_identity:\n  thumbnail_style: 분해한 기기를 작업대 위에 놓고 두 단어 제목\n";

static int store_setup(void **state) {
    store_env *e = calloc(1, sizeof *e);
    yaa_test_tmpdir(e->tmp, sizeof e->tmp);
    snprintf(e->channels, sizeof e->channels, "%s/channels", e->tmp);
    snprintf(e->output, sizeof e->output, "%s/output", e->tmp);
    char url[PATH_MAX + 64];
    assert_int_equal(store_fresh_url(url, sizeof url), 0);
    yaa_err err = {0};
    if (yaa_db_open(url, &e->db, &err)) fail_msg("open: %s", err.msg);
    if (yaa_db_upgrade(e->db, NULL, -1, NULL, &err)) fail_msg("upgrade: %s", err.msg);
    e->cfg.channels_dir = e->channels;
    e->cfg.output_dir = e->output;
    e->cfg.embedding_provider = "hash";
    e->cfg.rag_enabled = true;
    copy_fixture(e, "brand_guide_full.yaml", "channels/gg/brand_guide.yaml");
    put(e, "channels/gg/config.yaml",
        "channel:\n  name: Gadget Garage\n  category: tech\n  language: en\n"
        "seo:\n  primary_keywords: [teardown, repair]\n");
    put(e, "channels/gg/knowledge/studio.md",
        "# Lighting\nTwo soft boxes at 45 degrees, never the ring light.\n\n"
        "# Audio\nA lavalier clipped at the second shirt button.\n");
    put(e, "channels/ko/brand_guide.yaml", ko_guide);
    put(e, "channels/_template/brand_guide.yaml", "brand:\n  name: \"\"\n");
    yaa_rag_cache_clear();
    *state = e;
    return 0;
}

static int store_teardown(void **state) {
    store_env *e = *state;
    yaa_db_close(e->db);
    yaa_rag_cache_clear();
    yaa_test_rmrf(e->tmp);
    free(e);
    return 0;
}

static int rank_of_section(const yaa_rag_results *r, const char *expected) {
    for (size_t i = 0; i < r->n; i++)
        if (yaa_rag_section_matches(r->hits[i].section, expected)) return (int)i + 1;
    return 0;
}

static void index_all(store_env *e, yaa_rag_index_stats *st) {
    yaa_err err = {0};
    if (yaa_rag_index(e->db, &e->cfg, NULL, st, &err)) fail_msg("index: %s", err.msg);
}

/* Every field of the full brand guide is found (hybrid, top 5) by a question made of its
 * own value; sections and sources come back intact. */
static void case_every_field(void **state) {
    store_env *e = *state;
    yaa_rag_index_stats st;
    index_all(e, &st);
    assert_int_equal(st.channels, 2); /* _template is not a channel */
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    assert_int_equal(yaa_rag_chunk_channel(&c, e->channels, e->output, "gg", &err), 0);
    assert_true(c.n > 40);
    for (size_t i = 0; i < c.n; i++) {
        const char *value = strchr(c.v[i].text, '\n') + 1;
        yaa_rag_results r;
        if (yaa_rag_retrieve(e->db, &e->cfg, "gg", value, 5, &r, &err))
            fail_msg("retrieve: %s", err.msg);
        if (!rank_of_section(&r, c.v[i].section))
            fail_msg("%s not in the top 5 for \"%s\"", c.v[i].section, value);
        yaa_rag_results_free(&r);
    }
    yaa_rag_chunks_free(&c);
}

/* Hybrid hits carry both ranks, scores descend, and the prompt context cites sections. */
static void case_hybrid_and_context(void **state) {
    store_env *e = *state;
    yaa_rag_index_stats st;
    index_all(e, &st);
    yaa_err err = {0};
    yaa_rag_results r;
    assert_int_equal(
        yaa_rag_retrieve(e->db, &e->cfg, "gg", "what should we avoid in thumbnails", 5, &r, &err),
        0);
    assert_true(r.n > 0 && r.n <= 5);
    assert_int_equal(rank_of_section(&r, "tone_and_manner.dont[2]"), 1);
    assert_true(r.hits[0].lex_rank > 0 && r.hits[0].vec_rank > 0);
    for (size_t i = 1; i < r.n; i++) assert_true(r.hits[i - 1].score >= r.hits[i].score);
    assert_string_equal(r.hits[0].source, "brand_guide.yaml");
    assert_string_equal(r.hits[0].body, "Use shocked-face thumbnails");
    yaa_buf ctx;
    yaa_buf_init(&ctx, 0);
    assert_int_equal(yaa_rag_format_context(&r, 0, &ctx), 0);
    assert_true(
        yaa_str_startswith(ctx.data, "[tone_and_manner.dont[2]] Use shocked-face thumbnails\n"));
    yaa_buf_reset(&ctx);
    assert_int_equal(yaa_rag_format_context(&r, 40, &ctx), 0);
    assert_true(ctx.len <= 40);
    yaa_buf_free(&ctx);
    yaa_rag_results_free(&r);
    /* Knowledge files are searchable by heading. */
    assert_int_equal(
        yaa_rag_retrieve(e->db, &e->cfg, "gg", "which microphone for audio", 3, &r, &err), 0);
    assert_int_equal(rank_of_section(&r, "knowledge/studio.md#Audio"), 1);
    yaa_rag_results_free(&r);
    /* Each mode alone works too. */
    for (int m = 0; m < 3; m++) {
        assert_int_equal(
            yaa_rag_search(e->db, NULL, "gg", "ring light lighting", 3, (yaa_rag_mode)m, &r, &err),
            0);
        assert_true(rank_of_section(&r, "knowledge/studio.md#Lighting") > 0);
        yaa_rag_results_free(&r);
    }
    /* A question with no word the embedder knows shares nothing with any chunk: no hits
     * rather than the first rows in id order. */
    assert_int_equal(
        yaa_rag_search(e->db, NULL, "gg", "\xc2\xbd \xe2\x85\xab", 3, YAA_RAG_VECTOR, &r, &err), 0);
    assert_int_equal(r.n, 0);
    /* RAG_ENABLED=false: nothing, no error. */
    e->cfg.rag_enabled = false;
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "gg", "thumbnails", 5, &r, &err), 0);
    assert_int_equal(r.n, 0);
    e->cfg.rag_enabled = true;
    /* A channel that was never indexed: no hits, no error. */
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "nope", "thumbnails", 5, &r, &err), 0);
    assert_int_equal(r.n, 0);
}

/* Korean questions (particles attached, paraphrased) find the Korean guide's sections. */
static void case_korean(void **state) {
    store_env *e = *state;
    yaa_rag_index_stats st;
    index_all(e, &st);
    static const struct {
        const char *q, *expect;
    } qs[] = {
        {"낚시성 제목은 피해야 하나요?", "tone_and_manner.dont[0]"},
        {"시청자들이 배터리에 대해 겪는 불편", "target_audience.pain_points[1]"},
        {"썸네일은 어떤 스타일로 만들어?", "visual_identity.thumbnail_style"},
        {"측정 결과를 언제 보여줘야 해?", "tone_and_manner.do[0]"},
        {"이 채널의 슬로건", "brand.tagline"},
    };
    yaa_err err = {0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        for (int m = 0; m < 3; m += 2) { /* hybrid and vector */
            yaa_rag_results r;
            if (yaa_rag_search(e->db, NULL, "ko", qs[i].q, 3, (yaa_rag_mode)m, &r, &err))
                fail_msg("search: %s", err.msg);
            if (!rank_of_section(&r, qs[i].expect))
                fail_msg("%s: %s not in the top 3 (%s)", qs[i].q, qs[i].expect,
                         yaa_rag_mode_name((yaa_rag_mode)m));
            yaa_rag_results_free(&r);
        }
    }
    /* Lexical alone matches Korean through its stems. */
    yaa_rag_results r;
    assert_int_equal(yaa_rag_search(e->db, NULL, "ko", "배터리 수명", 3, YAA_RAG_LEXICAL, &r, &err),
                     0);
    assert_int_equal(rank_of_section(&r, "target_audience.pain_points[1]"), 1);
    yaa_rag_results_free(&r);
}

/* The in-memory indexes stay under the cache bound: with room for one channel, querying a
 * second drops the first (and querying the first again loads it again, same answers). */
static void case_cache_bound(void **state) {
    store_env *e = *state;
    yaa_rag_index_stats st;
    index_all(e, &st);
    yaa_err err = {0};
    yaa_rag_results r;
    assert_int_equal(yaa_rag_search(e->db, NULL, "gg", "soft boxes", 3, YAA_RAG_HYBRID, &r, &err),
                     0);
    int64_t first = r.n ? r.hits[0].id : -1;
    yaa_rag_results_free(&r);
    size_t one = yaa_rag_cache_bytes();
    assert_true(one > 0);
    yaa_rag_cache_limit(one + one / 2);
    assert_int_equal(yaa_rag_search(e->db, NULL, "ko", "배터리 수명", 3, YAA_RAG_HYBRID, &r, &err),
                     0);
    yaa_rag_results_free(&r);
    assert_true(yaa_rag_cache_bytes() <= one + one / 2);
    assert_int_equal(yaa_rag_search(e->db, NULL, "gg", "soft boxes", 3, YAA_RAG_HYBRID, &r, &err),
                     0);
    assert_true(r.n > 0 && r.hits[0].id == first);
    assert_true(yaa_rag_cache_bytes() <= one + one / 2);
    yaa_rag_results_free(&r);
    yaa_rag_cache_limit(0); /* back to the default */
}

/* Re-indexing embeds only what changed and deletes what vanished; the cached matrix follows. */
static void case_incremental(void **state) {
    store_env *e = *state;
    yaa_err err = {0};
    yaa_rag_index_stats st;
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    assert_int_equal(st.channels, 1);
    int total = st.chunks;
    assert_int_equal(st.embedded, total);
    assert_int_equal(st.kept, 0);
    yaa_db_rag_state s0;
    assert_int_equal(yaa_db_rag_state_get(e->db, "ko", &s0, &err), 0);
    /* Nothing changed: nothing embedded, generation unchanged. */
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    assert_int_equal(st.embedded, 0);
    assert_int_equal(st.kept, total);
    assert_int_equal(st.deleted, 0);
    yaa_db_rag_state s1;
    assert_int_equal(yaa_db_rag_state_get(e->db, "ko", &s1, &err), 0);
    assert_int_equal(s0.generation, s1.generation);
    /* Every row carries its analysed terms, stored by this analyser. Rows without them (an
     * older version) or with another analyser's are still found (the text is analysed when
     * loaded), and the next index run stores their terms without embedding anything. */
    yaa_db_rows *tr;
    assert_int_equal(yaa_db_query(e->db,
                                  "SELECT COUNT(*) FROM rag_chunks WHERE channel_id = 'ko' AND "
                                  "substr(terms, 1, 3) = ?",
                                  YAA_DB_ARGS(yaa_db_text(yaa_rag__terms_tag())), &tr, &err),
                     0);
    assert_int_equal(yaa_db_get_int(tr, 0, 0), total);
    yaa_db_rows_free(tr);
    yaa_rag_results before, after;
    assert_int_equal(
        yaa_rag_search(e->db, NULL, "ko", "채널 슬로건이 뭐야", 5, YAA_RAG_LEXICAL, &before, &err),
        0);
    assert_int_equal(yaa_db_exec(e->db,
                                 "UPDATE rag_chunks SET terms = CASE WHEN id % 2 = 0 THEN NULL "
                                 "ELSE 'zz9\tstale' END",
                                 NULL, 0, NULL, &err),
                     0);
    yaa_rag_cache_clear();
    assert_int_equal(
        yaa_rag_search(e->db, NULL, "ko", "채널 슬로건이 뭐야", 5, YAA_RAG_LEXICAL, &after, &err),
        0);
    assert_true(before.n >= 1);
    assert_int_equal(after.n, before.n);
    for (size_t i = 0; i < before.n; i++) assert_int_equal(after.hits[i].id, before.hits[i].id);
    yaa_rag_results_free(&before);
    yaa_rag_results_free(&after);
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    assert_int_equal(st.embedded, 0);
    assert_int_equal(st.kept, total);
    assert_int_equal(yaa_db_query(e->db,
                                  "SELECT COUNT(*) FROM rag_chunks WHERE channel_id = 'ko' AND "
                                  "substr(terms, 1, 3) = ?",
                                  YAA_DB_ARGS(yaa_db_text(yaa_rag__terms_tag())), &tr, &err),
                     0);
    assert_int_equal(yaa_db_get_int(tr, 0, 0), total);
    yaa_db_rows_free(tr);
    yaa_db_rag_state_free(&s1);
    assert_int_equal(yaa_db_rag_state_get(e->db, "ko", &s1, &err), 0);
    /* Warm the cache, then change one value, drop one item, add a knowledge file. */
    yaa_rag_results r;
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "ko", "슬로건", 3, &r, &err), 0);
    yaa_rag_results_free(&r);
    char *g = strdup(ko_guide);
    char *p = strstr(g, "광고 없이 솔직한 기기 리뷰");
    memcpy(p, "광고 없이 정직한", strlen("광고 없이 정직한")); /* same length in bytes */
    char *drop = strstr(g, "    - 배터리 수명 정보가 부족하다\n");
    memmove(drop, drop + strlen("    - 배터리 수명 정보가 부족하다\n"),
            strlen(drop + strlen("    - 배터리 수명 정보가 부족하다\n")) + 1);
    put(e, "channels/ko/brand_guide.yaml", g);
    free(g);
    put(e, "channels/ko/knowledge/faq.txt", "협찬 제품은 영상 시작에 밝힌다.\n");
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    assert_int_equal(st.embedded, 2); /* the changed tagline and the new file */
    assert_int_equal(st.deleted, 2);  /* the old tagline and the dropped pain point */
    assert_int_equal(st.kept, total - 2);
    assert_int_equal(st.chunks, total);
    yaa_db_rag_state s2;
    assert_int_equal(yaa_db_rag_state_get(e->db, "ko", &s2, &err), 0);
    assert_true(s2.generation > s1.generation);
    assert_int_equal(s2.chunks, total);
    /* The cache is invalidated: the new file is found by vector search at once. */
    assert_int_equal(
        yaa_rag_search(e->db, NULL, "ko", "협찬 제품 공개", 3, YAA_RAG_VECTOR, &r, &err), 0);
    assert_true(rank_of_section(&r, "knowledge/faq.txt") >= 1);
    yaa_rag_results_free(&r);
    assert_int_equal(
        yaa_rag_search(e->db, NULL, "ko", "배터리 수명 정보", 5, YAA_RAG_VECTOR, &r, &err), 0);
    for (size_t i = 0; i < r.n; i++) assert_true(strstr(r.hits[i].text, "배터리 수명") == NULL);
    yaa_rag_results_free(&r);
    yaa_db_rag_state_free(&s0);
    yaa_db_rag_state_free(&s1);
    yaa_db_rag_state_free(&s2);
    /* A past run's research notes are about its topic, not the brand: they never join the
     * index, whether they name their channel or are found through the run's row, so one
     * run's topic cannot leak into another run's narration. */
    put(e, "output/run-1/research.json",
        "{\"channel_id\":\"ko\",\"summary\":\"접이식 폰 힌지 내구성\"}");
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run run = {.channel_id = "ko", .topic = "스마트워치"};
    assert_int_equal(yaa_db_runs_create(e->db, &run, &a, &err), 0);
    char rel[128];
    snprintf(rel, sizeof rel, "output/%s/research.json", run.id);
    put(e, rel, "{\"brand_summary\":\"스마트워치 수면 측정 정확도\"}");
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    assert_int_equal(st.embedded, 0);
    assert_int_equal(st.chunks, total);
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "ko", "힌지 내구성 수면 측정", 10, &r, &err),
                     0);
    for (size_t i = 0; i < r.n; i++) assert_false(yaa_str_startswith(r.hits[i].section, "runs/"));
    yaa_rag_results_free(&r);
    yaa_arena_free(&a);
}

/* An index built with one embedder refuses queries with another, with a message that says
 * how to fix it; re-indexing with the new embedder replaces the whole index. */
static void case_embedder_mismatch(void **state) {
    store_env *e = *state;
    yaa_err err = {0};
    yaa_rag_index_stats st;
    assert_int_equal(yaa_rag_index(e->db, &e->cfg, "ko", &st, &err), 0);
    yaa_rag_embedder *small;
    assert_int_equal(yaa_rag_embedder_open_hash(128, &small, &err), 0);
    assert_string_equal(yaa_rag_embedder_name(small), "hash-128");
    yaa_rag_results r;
    assert_int_equal(yaa_rag_search(e->db, small, "ko", "슬로건", 3, YAA_RAG_HYBRID, &r, &err),
                     YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "indexed with embedder 'hash' (384 dimensions)"));
    assert_non_null(strstr(err.msg, "'hash-128'"));
    assert_non_null(strstr(err.msg, "yaa rag index --channel ko"));
    assert_int_equal(r.n, 0);
    /* Re-index with the other embedder: everything re-embedded, old rows gone. */
    assert_int_equal(yaa_rag_index_with(e->db, &e->cfg, small, "ko", &st, &err), 0);
    assert_int_equal(st.embedded, st.chunks);
    assert_int_equal(st.deleted, st.chunks);
    assert_int_equal(yaa_rag_search(e->db, small, "ko", "슬로건", 3, YAA_RAG_HYBRID, &r, &err), 0);
    assert_true(r.n > 0);
    yaa_rag_results_free(&r);
    yaa_db_rag_row *rows;
    size_t n;
    assert_int_equal(yaa_db_rag_list(e->db, "ko", &rows, &n, &err), 0);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].embedder, "hash-128");
        assert_int_equal(rows[i].dim, 128);
    }
    yaa_db_rag_rows_free(rows, n);
    /* And now the default embedder is the mismatched one. */
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "ko", "슬로건", 3, &r, &err), YAA_ECONFLICT);
    yaa_rag_embedder_free(small);
    /* Unknown providers are refused when opening. */
    e->cfg.embedding_provider = "word2vec";
    assert_int_equal(yaa_rag_retrieve(e->db, &e->cfg, "ko", "x", 3, &r, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "EMBEDDING_PROVIDER"));
    e->cfg.embedding_provider = "hash";
}

typedef struct racer {
    store_env *e;
    int rc;
    yaa_err err;
} racer;

static void *race_index(void *arg) {
    racer *r = arg;
    yaa_rag_index_stats st;
    r->rc = yaa_rag_index(r->e->db, &r->e->cfg, "gg", &st, &r->err);
    return NULL;
}

/* Indexers of a fresh channel at once (workers starting runs): whichever commits later
 * finds its plan stale and starts over, so no chunk is stored twice. */
static void case_concurrent_index(void **state) {
    store_env *e = *state;
    enum { RACERS = 4 };
    racer r[RACERS];
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer){.e = e};
        assert_int_equal(pthread_create(&t[i], NULL, race_index, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < RACERS; i++)
        if (r[i].rc) fail_msg("indexer %d: %s", i, r[i].err.msg);
    yaa_db_rag_row *rows;
    size_t n;
    yaa_err err = {0};
    assert_int_equal(yaa_db_rag_list(e->db, "gg", &rows, &n, &err), 0);
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    assert_int_equal(yaa_rag_chunk_channel(&c, e->channels, e->output, "gg", &err), 0);
    assert_int_equal(n, c.n);
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rows[i].content_hash, rows[j].content_hash))
                fail_msg("%s stored twice", rows[i].section);
    yaa_rag_chunks_free(&c);
    yaa_db_rag_rows_free(rows, n);
}

/* yaa_rag_eval_file over a small labelled file. */
static void case_eval(void **state) {
    store_env *e = *state;
    yaa_rag_index_stats st;
    index_all(e, &st);
    put(e, "q.jsonl",
        "# comment\n"
        "{\"channel\":\"gg\",\"question\":\"thumbnails with shocked faces?\","
        "\"expect\":[\"tone_and_manner.dont\"]}\n"
        "{\"channel\":\"ko\",\"question\":\"배터리 수명 "
        "정보\",\"expect\":[\"target_audience\"]}\n");
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/q.jsonl", e->tmp);
    yaa_rag_eval_report rep;
    yaa_err err = {0};
    assert_int_equal(yaa_rag_eval_file(e->db, NULL, path, 5, 0, &rep, &err), 0);
    assert_int_equal(rep.methods[0].questions, 2);
    assert_true(rep.methods[0].recall_at_k == 1.0);
    assert_true(rep.methods[0].mrr > 0.5);
    put(e, "bad.jsonl", "{\"channel\":\"gg\"}\n");
    snprintf(path, sizeof path, "%s/bad.jsonl", e->tmp);
    assert_int_equal(yaa_rag_eval_file(e->db, NULL, path, 5, 0, &rep, &err), YAA_EPARSE);
    assert_non_null(strstr(err.msg, "bad.jsonl:1:"));
}

#define RAG_STORE_CASES                                                                        \
    cmocka_unit_test_setup_teardown(case_every_field, store_setup, store_teardown),            \
        cmocka_unit_test_setup_teardown(case_hybrid_and_context, store_setup, store_teardown), \
        cmocka_unit_test_setup_teardown(case_korean, store_setup, store_teardown),             \
        cmocka_unit_test_setup_teardown(case_cache_bound, store_setup, store_teardown),        \
        cmocka_unit_test_setup_teardown(case_incremental, store_setup, store_teardown),        \
        cmocka_unit_test_setup_teardown(case_embedder_mismatch, store_setup, store_teardown),  \
        cmocka_unit_test_setup_teardown(case_eval, store_setup, store_teardown),               \
        cmocka_unit_test_setup_teardown(case_concurrent_index, store_setup, store_teardown)

#endif
