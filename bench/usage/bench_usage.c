/* bench_usage.c - grouped usage (yaa_db_usage_summary, behind GET /usage/summary and
 * `yaa usage`) over N usage_events (default 1,000,000): loads them with one INSERT ... SELECT
 * (10,000 runs over 20 channels, 8 models of 5 providers, 90 days), then times every group_by
 * with no filter, with the last 30 days, and with one channel.
 * Figures: docs/benchmarks/usage.md.
 *
 *   bench_usage [DATABASE_URL] [N]   default: a temporary SQLite file
 *   (PostgreSQL: eval "$(tests/lib/pg-start)"; bench_usage "$PGTEST_URL")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"

static void die(const char *what, const yaa_err *err) {
    fprintf(stderr, "bench_usage: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

/* Each agent calls one model, one of two per run (by run parity): 6 (agent, model) pairs a
 * run, as a real pipeline has. */
#define PAIR "((i %% 6) * 2 + (i / 100) %% 2)"
#define MODEL_CASE                                                                              \
    "CASE " PAIR " WHEN 0 THEN 'gpt-4o' WHEN 1 THEN 'gpt-4o-mini' WHEN 2 THEN "                 \
    "'claude-sonnet-4-20250514' WHEN 3 THEN 'claude-3-5-haiku' WHEN 4 THEN 'gpt-4o' WHEN 5 "    \
    "THEN 'gpt-4o-mini' WHEN 6 THEN 'eleven_multilingual_v2' WHEN 7 THEN 'espeak-ng' WHEN 8 "   \
    "THEN 'gpt-image-1' WHEN 9 THEN 'cards' WHEN 10 THEN 'text-embedding-3-small' ELSE 'hash' " \
    "END"
#define PROVIDER_CASE                                                                         \
    "CASE " PAIR " WHEN 2 THEN 'anthropic' WHEN 3 THEN 'anthropic' WHEN 6 THEN 'elevenlabs' " \
    "WHEN 7 THEN 'espeak' WHEN 9 THEN 'cards' WHEN 11 THEN 'hash' ELSE 'openai' END"
#define AGENT_CASE                                                                        \
    "CASE i %% 6 WHEN 0 THEN 'brand_researcher' WHEN 1 THEN 'script_writer' WHEN 2 THEN " \
    "'seo_optimizer' WHEN 3 THEN 'media_generator' WHEN 4 THEN 'media_editor' ELSE 'rag' END"

static void load(yaa_db *db, long n) {
    yaa_err err = {0};
    bool pg = yaa_db_kind(db) == YAA_DB_POSTGRES;
    long runs = n / 100 > 0 ? n / 100 : 1;
    char sql[4096];
    double t0 = yaa_mono_sec();
    /* Runs first (usage_events.run_id references them). */
    if (pg)
        snprintf(sql, sizeof sql,
                 "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
                 "errors_json, created_at, updated_at) SELECT 'run-' || lpad(i::text, 6, '0'), "
                 "'channel_' || (i %% 20), 'topic', '', 1, 'completed', '[]', "
                 "'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' "
                 "FROM generate_series(0, %ld) AS s(i)",
                 runs - 1);
    else
        snprintf(sql, sizeof sql,
                 "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
                 "errors_json, created_at, updated_at) WITH RECURSIVE s(i) AS (SELECT 0 UNION "
                 "ALL SELECT i + 1 FROM s WHERE i < %ld) SELECT printf('run-%%06d', i), "
                 "'channel_' || (i %% 20), 'topic', '', 1, 'completed', '[]', "
                 "'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM s",
                 runs - 1);
    if (yaa_db_exec(db, sql, NULL, 0, NULL, &err)) die("load runs", &err);
    /* Events: 100 per run, in time order over 90 days (7.776 s apart for 1M). */
    double step = 90.0 * 86400.0 / (double)n;
    /* clang-format off */
#define EVENT_COLS                                                                             \
    "INSERT INTO usage_events (id, run_id, agent, provider, model, kind, prompt_tokens, "        \
    "completion_tokens, total_tokens, units, cost_usd, created_at) "
#define EVENT_SUMS                                                                             \
    "'chat', 500 + i %% 1500, 100 + i %% 700, 600 + i %% 1500 + i %% 700, 0, "                   \
    "(i %% 1000) / 100000.0, "
    if (pg)
        snprintf(sql, sizeof sql,
                 EVENT_COLS "SELECT 'ev-' || i, 'run-' || lpad((i / 100)::text, 6, '0'), "
                            AGENT_CASE ", " PROVIDER_CASE ", " MODEL_CASE ", " EVENT_SUMS
                            "to_char(timestamp '2026-01-01' + (i * %.6f) * interval '1 second', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                            "FROM generate_series(0, %ld) AS s(i)",
                 step, n - 1);
    else
        snprintf(sql, sizeof sql,
                 EVENT_COLS "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
                            "WHERE i < %ld) SELECT 'ev-' || i, printf('run-%%06d', i / 100), "
                            AGENT_CASE ", " PROVIDER_CASE ", " MODEL_CASE ", " EVENT_SUMS
                            "strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', '2026-01-01', '+' || "
                            "CAST(i * %.6f AS INTEGER) || ' seconds') FROM s",
                 n - 1, step);
    /* clang-format on */
    if (yaa_db_exec(db, sql, NULL, 0, NULL, &err)) die("load events", &err);
    double t1 = yaa_mono_sec();
    /* One bulk transaction leaves a dead version of a rollup row per event (1,000,000),
     * which autovacuum and HOT pruning never let pile up when events arrive one call at a
     * time: compact it, as the steady state is. */
    static const char *const pg_maint[] = {
        "VACUUM ANALYZE usage_events", "VACUUM FULL ANALYZE usage_rollup", "ANALYZE pipeline_runs"};
    for (size_t k = 0; k < (pg ? 3u : 1u); k++)
        if (yaa_db_exec_script(db, pg ? pg_maint[k] : "ANALYZE", &err)) die("analyze", &err);
    printf("loaded %ld events and %ld runs in %.1f s (analyze %.1f s)\n", n, runs, t1 - t0,
           yaa_mono_sec() - t1);
}

/* Best and median of 5 runs, in ms. */
static void time_one(yaa_db *db, const char *label, const yaa_db_usage_filter *f, const char *by) {
    double ms[5];
    size_t groups = 0;
    int64_t events = 0;
    for (int k = 0; k < 5; k++) {
        yaa_arena a;
        yaa_arena_init(&a, 1 << 16);
        yaa_db_usage_group *g = NULL;
        yaa_db_usage_totals t;
        yaa_err err = {0};
        double t0 = yaa_mono_sec();
        if (yaa_db_usage_summary(db, f, by, &a, &g, &groups, &t, &err)) die(by, &err);
        ms[k] = (yaa_mono_sec() - t0) * 1000.0;
        events = t.events;
        yaa_arena_free(&a);
    }
    for (int i = 0; i < 5; i++) /* sort */
        for (int j = i + 1; j < 5; j++)
            if (ms[j] < ms[i]) {
                double x = ms[i];
                ms[i] = ms[j];
                ms[j] = x;
            }
    printf("| %-10s | %-16s | %7zu | %9lld | %8.1f | %8.1f |\n", by, label, groups,
           (long long)events, ms[0], ms[2]);
}

static void time_all(yaa_db *db) {
    static const char *bys[] = {"day", "run", "agent", "provider", "model", "channel"};
    yaa_db_usage_filter all = {0}, month = {.from = "2026-03-02T00:00:00Z"},
                        chan = {.channel_id = "channel_7"};
    printf("| group_by   | filter           |  groups |    events | best ms  | median ms |\n"
           "| ---------- | ---------------- | ------: | --------: | -------: | --------: |\n");
    for (size_t i = 0; i < sizeof bys / sizeof *bys; i++) {
        time_one(db, "none", &all, bys[i]);
        time_one(db, "last 30 days", &month, bys[i]);
        time_one(db, "one channel", &chan, bys[i]);
    }
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/yaa-bench-usage-XXXXXX", url[256], mig[1024];
    const char *u = argc > 1 && *argv[1] ? argv[1] : NULL;
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
    if (n <= 0) n = 1000000;
    if (!u) {
        if (!mkdtemp(dir)) die("mkdtemp", NULL);
        snprintf(url, sizeof url, "sqlite:///%s/bench.db", dir);
        u = url;
    }
    const char *src = getenv("YAA_SOURCE_DIR");
    snprintf(mig, sizeof mig, "%s/migrations", src && *src ? src : YAA_SOURCE_DIR);
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(u, &db, &err)) die("open", &err);
    if (yaa_db_upgrade(db, mig, -1, NULL, &err)) die("upgrade", &err);
    printf("bench_usage: %s, %ld events\n", yaa_db_kind_name(db), n);
    load(db, n);
    yaa_db_rows *r = NULL;
    if (yaa_db_query(db, "SELECT COUNT(*) FROM usage_rollup", NULL, 0, &r, &err))
        die("rollup rows", &err);
    printf("usage_rollup: %lld rows\n", (long long)yaa_db_get_int(r, 0, 0));
    yaa_db_rows_free(r);
    printf("\nwith 0020 (covering indexes) and 0021 (daily rollup):\n\n");
    time_all(db);
    yaa_db_close(db);
    if (u == url) {
        char path[512];
        snprintf(path, sizeof path, "%s/bench.db", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/bench.db-wal", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/bench.db-shm", dir);
        unlink(path);
        rmdir(dir);
    }
    return 0;
}
