/* test_drivers.c - the same driver checks on SQLite and on a real PostgreSQL (tests/lib/
 * pg-start): typed params and rows, RETURNING, error mapping, transactions, a pooled
 * multi-threaded load, migrations up / down to zero / up, the text search index, and on
 * PostgreSQL a dropped connection (reconnect once) and a stopped server (clear error). */
#include "test_util.h"

#include <pthread.h>

#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "lib/pgtest.h"

static yaa_pgtest pg;
static char pg_url[512];
static char lite_dir[PATH_MAX];
static char lite_url[PATH_MAX + 32];

static const char *migrations(void) {
    static char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/migrations", yaa_test_source_dir());
    return dir;
}

static yaa_db *open_db(void **state) {
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open((const char *)*state, &db, &err) != 0) fail_msg("open: %s", err.msg);
    return db;
}

static void reset(yaa_db *db) {
    yaa_err err = {0};
    assert_int_equal(yaa_db_downgrade(db, migrations(), 0, NULL, &err), 0);
    yaa_db_exec_script(db, "DROP TABLE IF EXISTS t", &err);
}

static void test_basics(void **state) {
    yaa_db *db = open_db(state);
    yaa_err err = {0};
    reset(db);
    assert_int_equal(yaa_db_exec_script(db,
                                        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT UNIQUE, "
                                        "d DOUBLE PRECISION, n BIGINT, note TEXT)",
                                        &err),
                     0);
    int64_t ch = 0;
    assert_int_equal(
        yaa_db_exec(db, "INSERT INTO t (id, s, d, n) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
                    YAA_DB_ARGS(yaa_db_int(1), yaa_db_text("가나 '?' -- x"), yaa_db_real(0.25),
                                yaa_db_int(INT64_C(1) << 40), yaa_db_int(2), yaa_db_text("b"),
                                yaa_db_null(), yaa_db_null()),
                    &ch, &err),
        0);
    assert_int_equal(ch, 2);
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db,
                                  "SELECT id, s, d, n, note, '?' AS q FROM t WHERE s <> ? "
                                  "ORDER BY id",
                                  YAA_DB_ARGS(yaa_db_text("zz")), &r, &err),
                     0);
    assert_int_equal(yaa_db_rows_count(r), 2);
    assert_int_equal(yaa_db_get_type(r, 0, 0), YAA_DB_INT);
    assert_string_equal(yaa_db_get_text(r, 0, 1), "가나 '?' -- x");
    assert_true(yaa_db_get_real(r, 0, 2) == 0.25);
    assert_int_equal(yaa_db_get_int(r, 0, 3), INT64_C(1) << 40);
    assert_true(yaa_db_is_null(r, 1, 2));
    assert_string_equal(yaa_db_get_text(r, 0, 5), "?");
    assert_string_equal(yaa_db_rows_colname(r, 5), "q");
    yaa_db_rows_free(r);

    assert_int_equal(yaa_db_query(db, "UPDATE t SET note = ? WHERE id = ? RETURNING id, note",
                                  YAA_DB_ARGS(yaa_db_text("n"), yaa_db_int(2)), &r, &err),
                     0);
    assert_int_equal(yaa_db_rows_count(r), 1);
    assert_string_equal(yaa_db_get_text(r, 0, 1), "n");
    yaa_db_rows_free(r);

    assert_int_equal(yaa_db_exec(db, "INSERT INTO t (id, s) VALUES (?, ?)",
                                 YAA_DB_ARGS(yaa_db_int(3), yaa_db_text("b")), NULL, &err),
                     YAA_EEXIST);
    assert_int_equal(yaa_db_exec(db, "SELECT nope FROM t", NULL, 0, NULL, &err), YAA_EDB);
    assert_int_equal(yaa_db_ping(db, &err), 0);

    /* cached prepared statements: a table change under a cached SELECT *, and evictions */
    assert_int_equal(
        yaa_db_query(db, "SELECT * FROM t WHERE id = ?", YAA_DB_ARGS(yaa_db_int(1)), &r, &err), 0);
    assert_int_equal(yaa_db_rows_ncols(r), 5);
    yaa_db_rows_free(r);
    assert_int_equal(yaa_db_exec_script(db, "ALTER TABLE t ADD COLUMN extra TEXT", &err), 0);
    assert_int_equal(
        yaa_db_query(db, "SELECT * FROM t WHERE id = ?", YAA_DB_ARGS(yaa_db_int(1)), &r, &err), 0);
    assert_int_equal(yaa_db_rows_ncols(r), 6);
    yaa_db_rows_free(r);
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 100; k++) {
            char sql[64];
            snprintf(sql, sizeof sql, "SELECT ? + %d", k);
            assert_int_equal(yaa_db_query(db, sql, YAA_DB_ARGS(yaa_db_int(round)), &r, &err), 0);
            assert_int_equal(yaa_db_get_int(r, 0, 0), round + k);
            yaa_db_rows_free(r);
        }
    assert_int_equal(yaa_db_exec_script(db, "DROP TABLE t", &err), 0);
    yaa_db_close(db);
}

static int tx_fn(yaa_db *tx, void *arg, yaa_err *err) {
    int rc = yaa_db_exec(tx,
                         "INSERT INTO channels (id, name, created_at, updated_at) "
                         "VALUES (?, 'n', 'x', 'x')",
                         YAA_DB_ARGS(yaa_db_text("c1")), NULL, err);
    if (rc) return rc;
    return *(int *)arg ? yaa_err_set(err, YAA_ECANCELLED, "abort") : 0;
}

static void test_tx_and_migrations(void **state) {
    yaa_db *db = open_db(state);
    yaa_err err = {0};
    reset(db);
    int n = 0;
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, &n, &err), 0);
    assert_true(n >= 3);
    int abort_it = 1;
    assert_int_equal(yaa_db_tx(db, tx_fn, &abort_it, &err), YAA_ECANCELLED);
    abort_it = 0;
    assert_int_equal(yaa_db_tx(db, tx_fn, &abort_it, &err), 0);
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db, "SELECT COUNT(*) FROM channels", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 1);
    yaa_db_rows_free(r);
    /* NOT NULL and foreign-key violations are YAA_EINVAL on both drivers */
    assert_int_equal(
        yaa_db_exec(db, "INSERT INTO channels (id, name) VALUES ('c2', 'n')", NULL, 0, NULL, &err),
        YAA_EINVAL);
    assert_int_equal(yaa_db_exec(db, "INSERT INTO run_stages (run_id, stage) VALUES ('no', 's')",
                                 NULL, 0, NULL, &err),
                     YAA_EINVAL);

    /* every table of the contract exists, with the text search index on rag_chunks */
    const char *tables[] = {"pipeline_runs", "run_stages", "channels",
                            "api_keys",      "audit_logs", "usage_events",
                            "jobs",          "rag_chunks", "schema_migrations"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        assert_int_equal(yaa_db_query(db, sql, NULL, 0, &r, &err), 0);
        yaa_db_rows_free(r);
    }
    const char *ins = "INSERT INTO rag_chunks (channel_id, source, text, embedding, created_at) "
                      "VALUES (?, ?, ?, ?, ?) RETURNING id";
    const unsigned char emb[8] = {1, 2, 3, 4, 0, 0, 128, 63};
    assert_int_equal(yaa_db_query(db, ins,
                                  YAA_DB_ARGS(yaa_db_text("ko"), yaa_db_text("brand_guide"),
                                              yaa_db_text("우리 채널은 친근한 말투를 씁니다"),
                                              yaa_db_blob(emb, sizeof emb), yaa_db_text("t")),
                                  &r, &err),
                     0);
    assert_true(yaa_db_get_int(r, 0, 0) > 0);
    yaa_db_rows_free(r);
    assert_int_equal(yaa_db_query(db, "SELECT embedding FROM rag_chunks WHERE text LIKE ?",
                                  YAA_DB_ARGS(yaa_db_text("%친근한%")), &r, &err),
                     0);
    assert_int_equal(yaa_db_rows_count(r), 1);
    size_t bn;
    assert_memory_equal(yaa_db_get_blob(r, 0, 0, &bn), emb, sizeof emb);
    assert_int_equal(bn, sizeof emb);
    yaa_db_rows_free(r);

    /* down to zero and up again */
    assert_int_equal(yaa_db_downgrade(db, migrations(), 0, &n, &err), 0);
    long v = -1;
    assert_int_equal(yaa_db_current_version(db, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(yaa_db_exec(db, "SELECT 1 FROM pipeline_runs", NULL, 0, NULL, &err), YAA_EDB);
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, &n, &err), 0);
    assert_int_equal(yaa_db_current_version(db, &v, &err), 0);
    assert_true(v >= 3);
    yaa_db_close(db);
}

static void *worker(void *arg) {
    yaa_db *db = arg;
    for (int i = 0; i < 40; i++) {
        yaa_err err = {0};
        yaa_db_rows *r = NULL;
        char id[64];
        snprintf(id, sizeof id, "c-%p-%d", (void *)&id, i);
        if (yaa_db_exec(db,
                        "INSERT INTO channels (id, name, created_at, updated_at) VALUES (?, ?, "
                        "'x', 'x')",
                        YAA_DB_ARGS(yaa_db_text(id), yaa_db_text("n")), NULL, &err) != 0 ||
            yaa_db_query(db, "SELECT COUNT(*) FROM channels", NULL, 0, &r, &err) != 0) {
            fprintf(stderr, "worker: %s\n", err.msg);
            return (void *)1;
        }
        yaa_db_rows_free(r);
    }
    return NULL;
}

static void test_threads(void **state) {
    yaa_db *db = open_db(state);
    yaa_err err = {0};
    reset(db);
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, NULL, &err), 0);
    pthread_t th[12];
    for (int i = 0; i < 12; i++) pthread_create(&th[i], NULL, worker, db);
    for (int i = 0; i < 12; i++) {
        void *res;
        pthread_join(th[i], &res);
        assert_null(res);
    }
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db, "SELECT COUNT(*) FROM channels", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 12 * 40);
    yaa_db_rows_free(r);
    yaa_db_close(db);
}

/* PostgreSQL only: the server kills our connection; the next call reconnects once. */
static void test_pg_dropped_connection(void **state) {
    yaa_db *db = open_db(state);
    yaa_db *killer = open_db(state);
    yaa_err err = {0};
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db, "SELECT pg_backend_pid()", NULL, 0, &r, &err), 0);
    int64_t pid = yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    assert_int_equal(yaa_db_query(killer, "SELECT pg_terminate_backend(?::int)",
                                  YAA_DB_ARGS(yaa_db_int(pid)), &r, &err),
                     0);
    yaa_db_rows_free(r);
    yaa_sleep_ms(100);
    assert_int_equal(yaa_db_query(db, "SELECT pg_backend_pid()", NULL, 0, &r, &err), 0);
    assert_int_not_equal(yaa_db_get_int(r, 0, 0), pid);
    yaa_db_rows_free(r);
    yaa_db_close(killer);
    yaa_db_close(db);
}

typedef struct killctx {
    yaa_db *killer;
    int second_rc;
} killctx;

/* Inside a transaction the server kills our connection: the next statement fails with
 * YAA_EUNAVAILABLE (no silent retry inside a transaction), the transaction is gone. */
static int killed_tx(yaa_db *tx, void *arg, yaa_err *err) {
    killctx *k = arg;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(tx, "SELECT pg_backend_pid()", NULL, 0, &r, err);
    if (rc) return rc;
    int64_t pid = yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    rc = yaa_db_exec(tx,
                     "INSERT INTO channels (id, name, created_at, updated_at) VALUES "
                     "('lost', 'n', 'x', 'x')",
                     NULL, 0, NULL, err);
    if (rc) return rc;
    rc = yaa_db_query(k->killer, "SELECT pg_terminate_backend(?::int)",
                      YAA_DB_ARGS(yaa_db_int(pid)), &r, err);
    yaa_db_rows_free(r);
    if (rc) return rc;
    yaa_sleep_ms(100);
    k->second_rc = yaa_db_exec(tx, "SELECT 1", NULL, 0, NULL, err);
    return k->second_rc;
}

static void test_pg_dropped_in_tx(void **state) {
    yaa_db *db = open_db(state);
    killctx k = {.killer = open_db(state)};
    yaa_err err = {0};
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, NULL, &err), 0);
    assert_int_equal(yaa_db_tx(db, killed_tx, &k, &err), YAA_EUNAVAILABLE);
    assert_int_equal(k.second_rc, YAA_EUNAVAILABLE);
    assert_non_null(strstr(err.msg, "connection"));
    /* the pool dropped the dead connection; the next call works and nothing was committed */
    yaa_db_rows *r;
    assert_int_equal(
        yaa_db_query(db, "SELECT COUNT(*) FROM channels WHERE id = 'lost'", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 0);
    yaa_db_rows_free(r);
    yaa_db_close(k.killer);
    yaa_db_close(db);
}

int main(void) {
    yaa_test_tmpdir(lite_dir, sizeof lite_dir);
    snprintf(lite_url, sizeof lite_url, "sqlite:///%s/it.db", lite_dir);
    int rc = yaa_pgtest_start(&pg);
    if (rc != 0) {
        fprintf(stderr, "PostgreSQL is required for this test (scripts/install-deps)\n");
        return 1;
    }
    if (yaa_pgtest_createdb(&pg, "yaa_drivers", pg_url, sizeof pg_url) != 0) {
        yaa_pgtest_stop(&pg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_basics, lite_url),
        cmocka_unit_test_prestate(test_tx_and_migrations, lite_url),
        cmocka_unit_test_prestate(test_threads, lite_url),
        cmocka_unit_test_prestate(test_basics, pg_url),
        cmocka_unit_test_prestate(test_tx_and_migrations, pg_url),
        cmocka_unit_test_prestate(test_threads, pg_url),
        cmocka_unit_test_prestate(test_pg_dropped_connection, pg_url),
        cmocka_unit_test_prestate(test_pg_dropped_in_tx, pg_url),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);

    /* A stopped server: a clear "cannot connect" error, no crash, no password. */
    yaa_pgtest_stop(&pg);
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(pg_url, &db, &err) != YAA_EUNAVAILABLE ||
        !strstr(err.msg, "cannot connect to PostgreSQL")) {
        fprintf(stderr, "stopped server: unexpected '%s'\n", err.msg);
        rc = 1;
    }
    yaa_test_rmrf(lite_dir);
    return rc;
}
