/* test_db.c - the driver interface on SQLite: params and typed rows, transactions, errors,
 * the migration runner (up, down to zero, up again) and the FTS5 trigram index. */
#include "test_util.h"

#include <pthread.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/db_internal.h"
#include "db/migrate.h"

typedef struct fx {
    char dir[PATH_MAX];
    char url[PATH_MAX + 64];
    yaa_db *db;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:///%s/sub/dir/yaa.db", f->dir);
    yaa_err err = {0};
    if (yaa_db_open(f->url, &f->db, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static const char *migrations(void) {
    static char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/migrations", yaa_test_source_dir());
    return dir;
}

static void test_params_and_rows(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec_script(f->db,
                                        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT UNIQUE, "
                                        "d REAL, b BLOB, n TEXT);",
                                        &err),
                     0);
    int64_t ch = -1;
    const unsigned char blob[] = {0, 1, 2, 255};
    assert_int_equal(yaa_db_exec(f->db, "INSERT INTO t (s, d, b, n) VALUES (?, ?, ?, ?)",
                                 YAA_DB_ARGS(yaa_db_text("한국어 '?'"), yaa_db_real(1.5),
                                             yaa_db_blob(blob, sizeof blob), yaa_db_null()),
                                 &ch, &err),
                     0);
    assert_int_equal(ch, 1);
    yaa_db_rows *r = NULL;
    assert_int_equal(yaa_db_query(f->db, "SELECT id, s, d, b, n FROM t WHERE s = ?",
                                  YAA_DB_ARGS(yaa_db_text("한국어 '?'")), &r, &err),
                     0);
    assert_int_equal(yaa_db_rows_count(r), 1);
    assert_int_equal(yaa_db_rows_ncols(r), 5);
    assert_int_equal(yaa_db_rows_col(r, "d"), 2);
    assert_int_equal(yaa_db_rows_col(r, "zz"), -1);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 1);
    assert_string_equal(yaa_db_get_text(r, 0, 0), "1");
    assert_string_equal(yaa_db_get_text(r, 0, 1), "한국어 '?'");
    assert_true(yaa_db_get_real(r, 0, 2) == 1.5);
    size_t n = 0;
    const unsigned char *b = yaa_db_get_blob(r, 0, 3, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(b, blob, 4);
    assert_true(yaa_db_is_null(r, 0, 4));
    assert_null(yaa_db_get_text(r, 0, 4));
    assert_null(yaa_db_get_text(r, 5, 0));
    yaa_db_rows_free(r);

    /* RETURNING */
    assert_int_equal(yaa_db_query(f->db, "INSERT INTO t (s) VALUES (?) RETURNING id",
                                  YAA_DB_ARGS(yaa_db_text("x")), &r, &err),
                     0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 2);
    yaa_db_rows_free(r);

    /* errors */
    assert_int_equal(yaa_db_exec(f->db, "INSERT INTO t (s) VALUES (?)",
                                 YAA_DB_ARGS(yaa_db_text("x")), NULL, &err),
                     YAA_EEXIST);
    assert_int_equal(yaa_db_exec(f->db, "INSERT INTO t (s) VALUES (?)", NULL, 0, NULL, &err),
                     YAA_EINVAL);
    assert_non_null(strstr(err.msg, "placeholders"));
    assert_int_equal(yaa_db_exec(f->db, "SELEKT 1", NULL, 0, NULL, &err), YAA_EDB);
    assert_int_equal(yaa_db_exec(f->db, "SELECT 1; SELECT 2", NULL, 0, NULL, &err), YAA_EINVAL);
    assert_int_equal(yaa_db_ping(f->db, &err), 0);
}

static int tx_insert(yaa_db *tx, void *arg, yaa_err *err) {
    int rc =
        yaa_db_exec(tx, "INSERT INTO t2 (v) VALUES (?)", YAA_DB_ARGS(yaa_db_int(7)), NULL, err);
    if (rc) return rc;
    return *(int *)arg ? yaa_err_set(err, YAA_ECANCELLED, "abort on purpose") : 0;
}

static void test_tx(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec(f->db, "CREATE TABLE t2 (v INTEGER)", NULL, 0, NULL, &err), 0);
    int fail = 1;
    assert_int_equal(yaa_db_tx(f->db, tx_insert, &fail, &err), YAA_ECANCELLED);
    fail = 0;
    assert_int_equal(yaa_db_tx(f->db, tx_insert, &fail, &err), 0);
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(f->db, "SELECT COUNT(*) FROM t2", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 1);
    yaa_db_rows_free(r);
}

static int hold_lock(yaa_db *tx, void *arg, yaa_err *err) {
    /* While this transaction holds the write lock, a second handle's write waits out
     * busy_timeout and fails with a clear "locked" error. */
    yaa_db *other = arg;
    int rc = yaa_db_exec(tx, "INSERT INTO t3 VALUES (1)", NULL, 0, NULL, err);
    if (rc) return rc;
    yaa_err e2 = {0};
    rc = yaa_db_exec(other, "INSERT INTO t3 VALUES (2)", NULL, 0, NULL, &e2);
    assert_int_equal(rc, YAA_EUNAVAILABLE);
    assert_non_null(strstr(e2.msg, "locked"));
    return 0;
}

static void test_busy(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec(f->db, "CREATE TABLE t3 (v INTEGER)", NULL, 0, NULL, &err), 0);
    yaa_db *other;
    assert_int_equal(yaa_db_open(f->url, &other, &err), 0);
    assert_int_equal(yaa_db_tx(f->db, hold_lock, other, &err), 0);
    yaa_db_close(other);
}

static void *writer(void *arg) {
    yaa_db *db = arg;
    for (int i = 0; i < 50; i++) {
        yaa_err err = {0};
        if (yaa_db_exec(db, "INSERT INTO t4 (v) VALUES (?)", YAA_DB_ARGS(yaa_db_int(i)), NULL,
                        &err) != 0) {
            fprintf(stderr, "writer: %s\n", err.msg);
            return (void *)1;
        }
    }
    return NULL;
}

static void test_threads(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec(f->db, "CREATE TABLE t4 (v INTEGER)", NULL, 0, NULL, &err), 0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, writer, f->db);
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(th[i], &res);
        assert_null(res);
    }
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(f->db, "SELECT COUNT(*) FROM t4", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 200);
    yaa_db_rows_free(r);
}

static long count_tables(yaa_db *db) {
    yaa_err err = {0};
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db,
                                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name NOT LIKE 'sqlite_%' AND name NOT LIKE 'rag_chunks_fts%'",
                                  NULL, 0, &r, &err),
                     0);
    long n = (long)yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    return n;
}

static int tx_read_only(yaa_db *tx, void *arg, yaa_err *err) {
    (void)arg;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(tx, "SELECT COUNT(*) FROM g", NULL, 0, &r, err);
    yaa_db_rows_free(r);
    return rc;
}

static int tx_insert_g(yaa_db *tx, void *arg, yaa_err *err) {
    (void)arg;
    return yaa_db_exec(tx, "INSERT INTO g VALUES (3)", NULL, 0, NULL, err);
}

/* The generation moves after every commit that wrote, through this handle (its own
 * connection: the counter) or another one (another process: PRAGMA data_version), and
 * stays put across reads. */
static void test_generation(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec_script(f->db, "CREATE TABLE g (v INTEGER)", &err), 0);
    uint64_t g0 = 0, g = 0;
    assert_true(yaa_db_generation(f->db, &g0));
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g == g0);
    yaa_db_rows *r = NULL;
    assert_int_equal(yaa_db_query(f->db, "SELECT COUNT(*) FROM g", NULL, 0, &r, &err), 0);
    yaa_db_rows_free(r);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g == g0);
    /* a write through this handle */
    assert_int_equal(yaa_db_exec(f->db, "INSERT INTO g VALUES (1)", NULL, 0, NULL, &err), 0);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g != g0);
    uint64_t g1 = g;
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g == g1);
    /* a commit by another connection, as `yaa keys revoke` in another process makes */
    yaa_db *other = NULL;
    assert_int_equal(yaa_db_open(f->url, &other, &err), 0);
    assert_int_equal(yaa_db_exec(other, "UPDATE g SET v = 2", NULL, 0, NULL, &err), 0);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g != g1);
    uint64_t g2 = g;
    /* a read-only transaction changes nothing; one that writes does, once committed */
    assert_int_equal(yaa_db_tx(f->db, tx_read_only, NULL, &err), 0);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g == g2);
    assert_int_equal(yaa_db_tx(other, tx_insert_g, NULL, &err), 0);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g != g2);
    uint64_t g3 = g;
    assert_int_equal(yaa_db_tx(f->db, tx_insert_g, NULL, &err), 0);
    assert_true(yaa_db_generation(f->db, &g));
    assert_true(g != g3);
    yaa_db_close(other);
}

static void test_migrations(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    int n = 0;
    long v = -1;
    assert_int_equal(yaa_db_upgrade(f->db, migrations(), -1, &n, &err), 0);
    assert_true(n >= 3);
    assert_true(count_tables(f->db) >= 9); /* 8 tables + schema_migrations (+ later ranges) */
    assert_int_equal(yaa_db_current_version(f->db, &v, &err), 0);
    assert_true(v >= 3);
    assert_int_equal(yaa_db_upgrade(f->db, migrations(), -1, &n, &err), 0);
    assert_int_equal(n, 0);

    yaa_migrations m;
    assert_int_equal(yaa_db_migrations_load(f->db, migrations(), &m, &err), 0);
    assert_true(m.n >= 3);
    assert_int_equal(m.items[0].version, 1);
    assert_string_equal(m.items[0].name, "core");
    assert_true(m.items[0].applied);
    assert_non_null(strstr(m.items[1].up_path, "0002_audit_logs.up.sqlite.sql"));
    assert_non_null(strstr(m.items[1].down_path, "0002_audit_logs.down.sql"));
    yaa_db_migrations_free(&m);

    /* The FTS5 trigram index of 0003 is dropped by 0080 (retrieval ranks in memory); going
     * below 0080 rebuilds it from the stored chunks, and it finds Korean substrings. */
    assert_int_equal(yaa_db_exec(f->db,
                                 "INSERT INTO rag_chunks (channel_id, source, text, created_at) "
                                 "VALUES ('ko', 'brand_guide', ?, '2026-01-01T00:00:00.000000Z')",
                                 YAA_DB_ARGS(yaa_db_text("우리 채널은 친근한 말투를 사용합니다")),
                                 NULL, &err),
                     0);
    yaa_db_rows *r;
    const char *fts = "SELECT c.source FROM rag_chunks_fts JOIN rag_chunks c ON "
                      "c.id = rag_chunks_fts.rowid WHERE rag_chunks_fts MATCH ?";
    assert_int_equal(yaa_db_query(f->db, fts, YAA_DB_ARGS(yaa_db_text("\"친근한\"")), &r, &err),
                     YAA_EDB);
    assert_int_equal(yaa_db_downgrade(f->db, migrations(), 79, &n, &err), 0);
    assert_int_equal(yaa_db_query(f->db, fts, YAA_DB_ARGS(yaa_db_text("\"친근한\"")), &r, &err), 0);
    assert_int_equal(yaa_db_rows_count(r), 1);
    yaa_db_rows_free(r);

    assert_int_equal(yaa_db_downgrade(f->db, migrations(), 1, &n, &err), 0);
    assert_int_equal(yaa_db_current_version(f->db, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(yaa_db_downgrade(f->db, migrations(), 0, &n, &err), 0);
    assert_int_equal(count_tables(f->db), 1);
    assert_int_equal(yaa_db_current_version(f->db, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(yaa_db_upgrade(f->db, migrations(), 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(yaa_db_upgrade(f->db, migrations(), -1, &n, &err), 0);
    assert_true(count_tables(f->db) >= 9);
}

static void test_bad_migrations(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    char dir[PATH_MAX + 8], path[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/mig", f->dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/0005_a.up.sql", dir);
    FILE *fp = fopen(path, "w");
    fputs("CREATE TABLE a (x INTEGER);", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/0007_b.up.sql", dir);
    fp = fopen(path, "w");
    fputs("CREATE TABLE b (x INTEGER); CREATE TABLE broken (;", fp);
    fclose(fp);
    int n = 0;
    assert_int_equal(yaa_db_upgrade(f->db, dir, -1, &n, &err), YAA_EDB);
    assert_int_equal(n, 1);
    assert_non_null(strstr(err.msg, "0007_b.up.sql"));
    long v;
    assert_int_equal(yaa_db_current_version(f->db, &v, &err), 0);
    assert_int_equal(v, 5);
    /* the failed migration rolled back entirely: table b does not exist */
    assert_int_equal(yaa_db_exec(f->db, "SELECT * FROM b", NULL, 0, NULL, &err), YAA_EDB);
    assert_int_equal(yaa_db_downgrade(f->db, dir, 0, &n, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "no down file"));
}

static void test_urls_and_time(void **state) {
    (void)state;
    yaa_err err = {0};
    yaa_db *db;
    assert_int_equal(yaa_db_open("mysql://x", &db, &err), YAA_ECONFIG);
    assert_int_equal(yaa_db_open("sqlite://", &db, &err), YAA_ECONFIG);
    char red[128];
    yaa_db_redact_url("postgresql://u:secret@h:5432/db", red, sizeof red);
    assert_string_equal(red, "postgresql://u:***@h:5432/db");
    yaa_db_redact_url("postgresql://h/db", red, sizeof red);
    assert_string_equal(red, "postgresql://h/db");
    assert_int_equal(yaa_db_open("postgresql://u:secret@127.0.0.1:1/db", &db, &err),
                     YAA_EUNAVAILABLE);
    assert_null(strstr(err.msg, "secret"));
    assert_null(strchr(err.msg, '\n')); /* libpq's two-line message folded into one */

    char t[YAA_DB_TIME_LEN + 1], pub[21];
    yaa_db_now(t);
    assert_int_equal(strlen(t), YAA_DB_TIME_LEN);
    assert_int_equal(yaa_db_time_norm("2026-02-06T19:00:00.5+09:00", t, &err), 0);
    assert_string_equal(t, "2026-02-06T10:00:00.500000Z");
    assert_int_equal(yaa_db_time_norm("2026-02-06", t, &err), 0);
    assert_string_equal(t, "2026-02-06T00:00:00.000000Z");
    assert_int_equal(yaa_db_time_norm("yesterday", t, &err), YAA_EINVAL);
    yaa_db_time_public("2026-02-06T10:00:00.123456Z", pub);
    assert_string_equal(pub, "2026-02-06T10:00:00Z");
}

static void rewrite_is(const char *in, const char *want, int count) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(yaa_db__pg_rewrite(in, &b), count);
    assert_string_equal(yaa_buf_cstr(&b), want);
    yaa_buf_free(&b);
}

static void test_bad_files(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    yaa_db *db = NULL;
    /* a directory that cannot be created */
    assert_int_equal(yaa_db_open("sqlite:////proc/yaa-no/such/x.db", &db, &err), YAA_EIO);
    assert_non_null(strstr(err.msg, "cannot create the directory"));
    /* a file that is not a database */
    char path[PATH_MAX + 32], url[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/garbage.db", f->dir);
    FILE *fp = fopen(path, "w");
    for (int i = 0; i < 200; i++) fputs("this is not an SQLite file. ", fp);
    fclose(fp);
    snprintf(url, sizeof url, "sqlite:///%s", path);
    assert_int_not_equal(yaa_db_open(url, &db, &err), 0);
    assert_null(db);
    assert_non_null(strstr(err.msg, "not a database"));
    /* a relative path is resolved once: a later chdir does not move the database */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(yaa_db_open("sqlite:///rel/r.db", &db, &err), 0);
    assert_int_equal(chdir("/"), 0);
    assert_int_equal(yaa_db_exec(db, "CREATE TABLE x (v INTEGER)", NULL, 0, NULL, &err), 0);
    assert_int_equal(chdir(cwd), 0);
    yaa_db_close(db);
    snprintf(path, sizeof path, "%s/rel/r.db", f->dir);
    assert_int_equal(access(path, F_OK), 0);
}

static void test_pg_rewrite(void **state) {
    (void)state;
    rewrite_is("SELECT 1", "SELECT 1", 0);
    rewrite_is("a = ? AND b = ?", "a = $1 AND b = $2", 2);
    rewrite_is("x = '?' AND y = ?", "x = '?' AND y = $1", 1);
    rewrite_is("x = 'it''s ?' AND y = ?", "x = 'it''s ?' AND y = $1", 1);
    rewrite_is("x = E'it\\'s ?' AND y = ?", "x = E'it\\'s ?' AND y = $1", 1);
    rewrite_is("\"col?\" = ? -- why?\n AND ?", "\"col?\" = $1 -- why?\n AND $2", 2);
    rewrite_is("/* ? */ ? $$ ? $$ ?", "/* ? */ $1 $$ ? $$ $2", 2);
    rewrite_is("'unterminated ?", "'unterminated ?", 0);
    rewrite_is("?::int -- end", "$1::int -- end", 1);
    rewrite_is("/* open ?", "/* open ?", 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_and_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_migrations, setup, teardown),
        cmocka_unit_test(test_urls_and_time),
        cmocka_unit_test(test_pg_rewrite),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
