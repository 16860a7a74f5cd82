/* usage_cases.h - the grouped usage queries (yaa_db_usage_summary) on a small known data set,
 * shared by the SQLite unit test and the PostgreSQL integration test: every group_by, the
 * filters, totals, ordering and the rejected group_by. Include after cmocka (test_util.h). */
#ifndef YAA_TEST_USAGE_CASES_H
#define YAA_TEST_USAGE_CASES_H

#include "db/repo.h"

#include <math.h>
#include <string.h>

static void usage_cases_load(yaa_db *db) {
    yaa_err err = {0};
    static const char *runs[][3] = {{"11111111-1111-4111-8111-111111111111", "chan_a", "t1"},
                                    {"22222222-2222-4222-8222-222222222222", "chan_b", "t2"}};
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(
            yaa_db_exec(db,
                        "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, "
                        "status, errors_json, created_at, updated_at) VALUES (?, ?, ?, '', 1, "
                        "'completed', '[]', '2026-02-01T00:00:00.000000Z', "
                        "'2026-02-01T00:00:00.000000Z')",
                        YAA_DB_ARGS(yaa_db_text(runs[i][0]), yaa_db_text(runs[i][1]),
                                    yaa_db_text(runs[i][2])),
                        NULL, &err),
            0);
    const yaa_db_usage ev[] = {
        {"e1", runs[0][0], "script_writer", "anthropic", "claude-sonnet-4", "chat", 1000, 500, 0, 0,
         0.0105, "2026-02-01T10:00:00Z"},
        {"e2", runs[0][0], "seo_optimizer", "openai", "gpt-4o", "chat", 2000, 100, 0, 0, 0.006,
         "2026-02-01T11:00:00Z"},
        {"e3", runs[1][0], "script_writer", "anthropic", "claude-sonnet-4", "chat", 3000, 1000, 0,
         0, 0.024, "2026-02-02T09:00:00Z"},
        {"e4", runs[1][0], "media_generator", "espeak", "espeak-ng", "tts", 0, 0, 0, 1200, 0,
         "2026-02-03T09:00:00Z"},
        {"e5", NULL, "rag", "openai", "text-embedding-3-small", "embedding", 500, 0, 0, 0, 0.00001,
         "2026-02-03T10:00:00Z"},
    };
    for (size_t i = 0; i < sizeof ev / sizeof *ev; i++) {
        bool ins = false;
        assert_int_equal(yaa_db_usage_insert(db, &ev[i], &ins, &err), 0);
        assert_true(ins);
        assert_int_equal(yaa_db_usage_insert(db, &ev[i], &ins, &err), 0); /* replayed */
        assert_false(ins);
    }
}

typedef struct {
    const char *key; /* NULL: the group of events outside a run */
    int64_t prompt, completion, events;
    double cost;
} usage_want;

static void usage_check(yaa_db *db, const yaa_db_usage_filter *f, const char *by,
                        const usage_want *want, size_t nwant) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_usage_group *g = NULL;
    size_t n = 0;
    yaa_db_usage_totals t;
    yaa_err err = {0};
    int rc = yaa_db_usage_summary(db, f, by, &a, &g, &n, &t, &err);
    if (rc) fprintf(stderr, "group_by %s: %s\n", by, err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, nwant);
    int64_t ev = 0;
    double cost = 0;
    for (size_t i = 0; i < n; i++) {
        if (want[i].key)
            assert_string_equal(g[i].key, want[i].key);
        else
            assert_null(g[i].key);
        assert_int_equal(g[i].prompt_tokens, want[i].prompt);
        assert_int_equal(g[i].completion_tokens, want[i].completion);
        assert_int_equal(g[i].total_tokens, want[i].prompt + want[i].completion);
        assert_int_equal(g[i].events, want[i].events);
        assert_true(fabs(g[i].cost_usd - want[i].cost) < 1e-9);
        ev += want[i].events;
        cost += want[i].cost;
    }
    assert_int_equal(t.events, ev);
    assert_true(fabs(t.cost_usd - cost) < 1e-9);
    yaa_arena_free(&a);
}

static void usage_cases_run(yaa_db *db) {
    usage_cases_load(db);
    const char *r1 = "11111111-1111-4111-8111-111111111111",
               *r2 = "22222222-2222-4222-8222-222222222222";
    yaa_db_usage_filter all = {0};
    const usage_want day[] = {{"2026-02-01", 3000, 600, 2, 0.0165},
                              {"2026-02-02", 3000, 1000, 1, 0.024},
                              {"2026-02-03", 500, 0, 2, 0.00001}};
    usage_check(db, &all, "day", day, 3);
    const usage_want run[] = {
        {r2, 3000, 1000, 2, 0.024}, {r1, 3000, 600, 2, 0.0165}, {NULL, 500, 0, 1, 0.00001}};
    usage_check(db, &all, "run", run, 3);
    const usage_want agent[] = {{"script_writer", 4000, 1500, 2, 0.0345},
                                {"seo_optimizer", 2000, 100, 1, 0.006},
                                {"rag", 500, 0, 1, 0.00001},
                                {"media_generator", 0, 0, 1, 0}};
    usage_check(db, &all, "agent", agent, 4);
    const usage_want prov[] = {{"anthropic", 4000, 1500, 2, 0.0345},
                               {"openai", 2500, 100, 2, 0.00601},
                               {"espeak", 0, 0, 1, 0}};
    usage_check(db, &all, "provider", prov, 3);
    const usage_want model[] = {{"claude-sonnet-4", 4000, 1500, 2, 0.0345},
                                {"gpt-4o", 2000, 100, 1, 0.006},
                                {"text-embedding-3-small", 500, 0, 1, 0.00001},
                                {"espeak-ng", 0, 0, 1, 0}};
    usage_check(db, &all, "model", model, 4);
    const usage_want chan[] = {{"chan_b", 3000, 1000, 2, 0.024},
                               {"chan_a", 3000, 600, 2, 0.0165},
                               {NULL, 500, 0, 1, 0.00001}};
    usage_check(db, &all, "channel", chan, 3);

    /* Filters: channel (through the runs), time range, agent, provider, run. */
    yaa_db_usage_filter fc = {.channel_id = "chan_a"};
    const usage_want chan_a[] = {{"chan_a", 3000, 600, 2, 0.0165}};
    usage_check(db, &fc, "channel", chan_a, 1);
    const usage_want chan_a_days[] = {{"2026-02-01", 3000, 600, 2, 0.0165}};
    usage_check(db, &fc, "day", chan_a_days, 1);
    yaa_db_usage_filter ft = {.from = "2026-02-01T10:30:00Z", .to = "2026-02-02T23:59:59Z"};
    const usage_want mid[] = {{"anthropic", 3000, 1000, 1, 0.024}, {"openai", 2000, 100, 1, 0.006}};
    usage_check(db, &ft, "provider", mid, 2);
    yaa_db_usage_filter fa = {.agent = "script_writer", .provider = "anthropic", .run_id = r1};
    const usage_want one[] = {{"claude-sonnet-4", 1000, 500, 1, 0.0105}};
    usage_check(db, &fa, "model", one, 1);
    /* A range with partial days at both ends: the edges come from the events, the whole
     * day between from the rollup. */
    yaa_db_usage_filter fe = {.from = "2026-02-01T10:30:00Z", .to = "2026-02-03T09:30:00Z"};
    const usage_want edge_days[] = {{"2026-02-01", 2000, 100, 1, 0.006},
                                    {"2026-02-02", 3000, 1000, 1, 0.024},
                                    {"2026-02-03", 0, 0, 1, 0}};
    usage_check(db, &fe, "day", edge_days, 3);
    const usage_want edge_prov[] = {{"anthropic", 3000, 1000, 1, 0.024},
                                    {"openai", 2000, 100, 1, 0.006},
                                    {"espeak", 0, 0, 1, 0}};
    usage_check(db, &fe, "provider", edge_prov, 3);
    const usage_want edge_runs[] = {{r2, 3000, 1000, 2, 0.024}, {r1, 2000, 100, 1, 0.006}};
    usage_check(db, &fe, "run", edge_runs, 2);
    yaa_db_usage_filter fd = {.from = "2026-02-02", .to = "2026-02-03T23:59:59.999999Z"};
    const usage_want whole[] = {{"2026-02-02", 3000, 1000, 1, 0.024},
                                {"2026-02-03", 500, 0, 2, 0.00001}};
    usage_check(db, &fd, "day", whole, 2);
    yaa_db_usage_totals tt;
    yaa_err terr = {0};
    assert_int_equal(yaa_db_usage_totals_get(db, &fe, &tt, &terr), 0);
    assert_int_equal(tt.events, 3);
    assert_true(fabs(tt.cost_usd - 0.030) < 1e-9);
    yaa_db_usage_filter none = {.model = "no-such-model"};
    usage_check(db, &none, "day", NULL, 0);
    /* unfiltered totals come from usage_totals (kept on write): same sums as the events */
    yaa_db_usage_totals all_t, grouped_t;
    yaa_db_usage_filter wide = {.from = "2000-01-01"};
    assert_int_equal(yaa_db_usage_totals_get(db, NULL, &all_t, &terr), 0);
    assert_int_equal(yaa_db_usage_totals_get(db, &wide, &grouped_t, &terr), 0);
    assert_int_equal(all_t.events, grouped_t.events);
    assert_int_equal(all_t.total_tokens, grouped_t.total_tokens);
    assert_true(fabs(all_t.cost_usd - grouped_t.cost_usd) < 1e-9);

    yaa_arena a;
    yaa_arena_init(&a, 256);
    yaa_db_usage_group *g = NULL;
    size_t n = 0;
    yaa_err err = {0};
    assert_int_equal(yaa_db_usage_summary(db, &all, "week", &a, &g, &n, NULL, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "group_by 'week'"));
    assert_false(yaa_db_usage_group_by_valid("week"));
    assert_true(yaa_db_usage_group_by_valid("channel"));
    yaa_arena_free(&a);

    /* Deleting a run takes its usage out of the sums (the rollup follows the cascade). */
    assert_int_equal(yaa_db_runs_delete(db, r2, &err), 0);
    const usage_want after[] = {{r1, 3000, 600, 2, 0.0165}, {NULL, 500, 0, 1, 0.00001}};
    usage_check(db, &all, "run", after, 2);
    const usage_want after_days[] = {{"2026-02-01", 3000, 600, 2, 0.0165},
                                     {"2026-02-03", 500, 0, 1, 0.00001}};
    usage_check(db, &all, "day", after_days, 2);
}

#endif
