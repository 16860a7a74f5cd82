/* bench_db.c - throughput of the repositories against the bare client library doing the same
 * statement (the ceiling): run inserts, API-key lookups (once per request), batched audit
 * writes, and a filtered page of runs. Figures: docs/benchmarks/db.md.
 *
 *   bench_db [DATABASE_URL] [N]     default: a temporary SQLite file, N = 5000
 *   (PostgreSQL: eval "$(tests/lib/pg-start)"; bench_db "$PGTEST_URL")
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"

static long N = 5000;
static char hashes[64][65];

static void die(const char *what, const yaa_err *err) {
    fprintf(stderr, "bench_db: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static void report(const char *what, long ops, double sec) {
    printf("%-44s %9.0f ops/s  (%ld in %.2f s)\n", what, ops / sec, ops, sec);
}

static void bench_runs_create(yaa_db *db) {
    yaa_arena a;
    yaa_arena_init(&a, 1 << 16);
    yaa_err err = {0};
    double t0 = yaa_mono_sec();
    for (long i = 0; i < N; i++) {
        yaa_db_run run = {.channel_id = i % 2 ? "ko_channel" : "en_channel", .topic = "topic"};
        if (yaa_db_runs_create(db, &run, &a, &err)) die("runs_create", &err);
        if (i % 256 == 0) yaa_arena_reset(&a);
    }
    report("repo: yaa_db_runs_create (autocommit)", N, yaa_mono_sec() - t0);
    yaa_arena_free(&a);
}

typedef struct lookup_arg {
    yaa_db *db;
    long n;
} lookup_arg;

static void *lookups(void *p) {
    lookup_arg *la = p;
    yaa_arena a;
    yaa_arena_init(&a, 1 << 14);
    yaa_err err = {0};
    for (long i = 0; i < la->n; i++) {
        yaa_db_apikey k;
        if (yaa_db_keys_find_by_hash(la->db, hashes[i % 64], &a, &k, &err))
            die("find_by_hash", &err);
        if (i % 256 == 0) yaa_arena_reset(&a);
    }
    yaa_arena_free(&a);
    return NULL;
}

static void bench_lookups(yaa_db *db, int threads) {
    yaa_arena a;
    yaa_arena_init(&a, 1 << 14);
    yaa_err err = {0};
    for (int i = 0; i < 64 && threads == 1; i++) {
        char key[YAA_APIKEY_LEN + 1];
        yaa_db_apikey k;
        if (yaa_db_keys_issue(db, "bench", "read", 0, key, &a, &k, &err)) die("issue", &err);
        snprintf(hashes[i], sizeof hashes[i], "%s", k.key_hash);
    }
    yaa_arena_free(&a);
    pthread_t th[8];
    lookup_arg la = {db, N * 2};
    double t0 = yaa_mono_sec();
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, lookups, &la);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    char what[80];
    snprintf(what, sizeof what, "repo: yaa_db_keys_find_by_hash, %d thread%s", threads,
             threads > 1 ? "s" : "");
    report(what, la.n * threads, yaa_mono_sec() - t0);
}

static void bench_audit(yaa_db *db) {
    yaa_err err = {0};
    yaa_db_audit rows[100];
    for (int i = 0; i < 100; i++)
        rows[i] = (yaa_db_audit){.method = "GET",
                                 .path = "/api/v1/pipeline/runs",
                                 .status_code = 200,
                                 .api_key_id = "k",
                                 .ip_address = "127.0.0.1",
                                 .duration_ms = 1.25,
                                 .request_id = "r"};
    long batches = N / 100 > 0 ? N / 100 : 1;
    double t0 = yaa_mono_sec();
    for (long b = 0; b < batches; b++)
        if (yaa_db_audit_insert_many(db, rows, 100, &err)) die("audit", &err);
    report("repo: yaa_db_audit_insert_many (rows, 100/tx)", batches * 100, yaa_mono_sec() - t0);
}

static void bench_list(yaa_db *db) {
    yaa_arena a;
    yaa_arena_init(&a, 1 << 16);
    yaa_err err = {0};
    long n = N / 10 > 0 ? N / 10 : 1;
    double t0 = yaa_mono_sec();
    for (long i = 0; i < n; i++) {
        yaa_db_run_filter f = {.channel_id = "ko_channel", .limit = 20, .offset = 40};
        yaa_db_run *items;
        size_t cnt;
        int64_t total;
        if (yaa_db_runs_list(db, &f, &a, &items, &cnt, &total, &err)) die("list", &err);
        yaa_arena_reset(&a);
    }
    report("repo: yaa_db_runs_list (page of 20 + total)", n, yaa_mono_sec() - t0);
    yaa_arena_free(&a);
}

/* Ceilings: the same insert and lookup straight through sqlite3 / libpq with a statement
 * prepared once. */
static void ceiling_sqlite(const char *path) {
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK) return;
    sqlite3_busy_timeout(h, 5000);
    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
                 NULL, NULL, NULL);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(h,
                       "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, "
                       "status, errors_json, created_at, updated_at) VALUES (?, 'c', 't', '', 0, "
                       "'pending', '[]', ?, ?)",
                       -1, &s, NULL);
    double t0 = yaa_mono_sec();
    for (long i = 0; i < N; i++) {
        char id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
        yaa_uuid4(id);
        yaa_db_now(now);
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    report("ceiling: sqlite3 prepared INSERT (autocommit)", N, yaa_mono_sec() - t0);
    sqlite3_finalize(s);
    sqlite3_prepare_v2(h, "SELECT * FROM api_keys WHERE key_hash = ?", -1, &s, NULL);
    t0 = yaa_mono_sec();
    for (long i = 0; i < N * 2; i++) {
        sqlite3_bind_text(s, 1, hashes[i % 64], -1, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW) {
        }
        sqlite3_reset(s);
    }
    report("ceiling: sqlite3 prepared SELECT by key_hash", N * 2, yaa_mono_sec() - t0);
    sqlite3_finalize(s);
    sqlite3_close(h);
}

static void ceiling_pg(const char *url) {
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return;
    }
    PQclear(PQprepare(c, "ins",
                      "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, "
                      "status, errors_json, created_at, updated_at) VALUES ($1, 'c', 't', '', 0, "
                      "'pending', '[]', $2, $2)",
                      0, NULL));
    double t0 = yaa_mono_sec();
    for (long i = 0; i < N; i++) {
        char id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
        yaa_uuid4(id);
        yaa_db_now(now);
        const char *v[2] = {id, now};
        PQclear(PQexecPrepared(c, "ins", 2, v, NULL, NULL, 0));
    }
    report("ceiling: libpq prepared INSERT (autocommit)", N, yaa_mono_sec() - t0);
    PQclear(PQprepare(c, "sel", "SELECT * FROM api_keys WHERE key_hash = $1", 0, NULL));
    t0 = yaa_mono_sec();
    for (long i = 0; i < N * 2; i++) {
        const char *v[1] = {hashes[i % 64]};
        PQclear(PQexecPrepared(c, "sel", 1, v, NULL, NULL, 0));
    }
    report("ceiling: libpq prepared SELECT by key_hash", N * 2, yaa_mono_sec() - t0);
    PQfinish(c);
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/yaa-bench-db-XXXXXX", url[256];
    const char *u = argc > 1 && argv[1][0] ? argv[1] : NULL;
    if (argc > 2) N = atol(argv[2]);
    if (N < 100) N = 100;
    if (!u) {
        if (!mkdtemp(dir)) return 1;
        snprintf(url, sizeof url, "sqlite:///%s/bench.db", dir);
        u = url;
    }
    yaa_db *db;
    yaa_err err = {0};
    if (yaa_db_open(u, &db, &err)) die("open", &err);
    char mig[512];
    snprintf(mig, sizeof mig, "%s/migrations", YAA_SOURCE_DIR);
    if (yaa_db_downgrade(db, mig, 0, NULL, &err) || yaa_db_upgrade(db, mig, -1, NULL, &err))
        die("migrate", &err);
    printf("bench_db: %s, N=%ld\n", yaa_db_kind_name(db), N);
    bench_runs_create(db);
    bench_lookups(db, 1);
    bench_lookups(db, 2);
    bench_audit(db);
    bench_list(db);
    if (yaa_db_kind(db) == YAA_DB_SQLITE)
        ceiling_sqlite(u + strlen("sqlite:///"));
    else
        ceiling_pg(u);
    yaa_db_close(db);
    if (u == url) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) return 1;
    }
    return 0;
}
