/* test_faults.c - fault injection on the SQLite driver (SQLite's own habit): a writer killed
 * with SIGKILL inside a transaction leaves a consistent database and no lock behind; every
 * allocation SQLite makes failing in turn gives errors, never crashes or leaks. */
#include "test_util.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "core/arena.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"

static char dir[PATH_MAX], url[PATH_MAX + 32];

static const char *migrations(void) {
    static char m[PATH_MAX];
    snprintf(m, sizeof m, "%s/migrations", yaa_test_source_dir());
    return m;
}

/* ---- allocation failure injection through sqlite3_config(SQLITE_CONFIG_MALLOC) ---- */

static sqlite3_mem_methods real;
static long countdown = -1; /* -1: never fail; 0: fail this and every later allocation */

static void *f_malloc(int n) {
    if (countdown == 0) return NULL;
    if (countdown > 0) countdown--;
    return real.xMalloc(n);
}
static void *f_realloc(void *p, int n) {
    if (countdown == 0) return NULL;
    if (countdown > 0) countdown--;
    return real.xRealloc(p, n);
}
static void f_free(void *p) { real.xFree(p); }
static int f_size(void *p) { return real.xSize(p); }
static int f_roundup(int n) { return real.xRoundup(n); }
static int f_init(void *a) { return real.xInit(a); }
static void f_shutdown(void *a) { real.xShutdown(a); }

static int work(yaa_db *db, yaa_arena *a, yaa_err *err) {
    yaa_db_run run = {.channel_id = "c", .topic = "주제"};
    int rc = yaa_db_runs_create(db, &run, a, err);
    if (rc) return rc;
    yaa_db_run *items;
    size_t n;
    int64_t total;
    yaa_db_run_filter f = {.channel_id = "c"};
    return yaa_db_runs_list(db, &f, a, &items, &n, &total, err);
}

static void test_oom(void **state) {
    (void)state;
    yaa_err err = {0};
    yaa_db *db;
    assert_int_equal(yaa_db_open(url, &db, &err), 0);
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, NULL, &err), 0);
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    int failures = 0, successes = 0;
    for (long k = 0; k < 300; k++) {
        countdown = k;
        int rc = work(db, &a, &err);
        countdown = -1;
        if (rc) {
            failures++;
            assert_true(rc < 0);
            assert_true(err.msg[0] != '\0');
        } else {
            successes++;
        }
        yaa_arena_reset(&a);
    }
    assert_true(failures > 0);
    assert_true(successes > 0);
    /* afterwards everything works and the file is intact */
    assert_int_equal(work(db, &a, &err), 0);
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db, "PRAGMA integrity_check", NULL, 0, &r, &err), 0);
    assert_string_equal(yaa_db_get_text(r, 0, 0), "ok");
    yaa_db_rows_free(r);
    yaa_arena_free(&a);
    yaa_db_close(db);
}

/* ---- a writer killed inside its transaction ---- */

typedef struct hold {
    int fd;
} hold;

static int insert_and_hang(yaa_db *tx, void *arg, yaa_err *err) {
    for (int i = 0; i < 100; i++) {
        char id[32];
        snprintf(id, sizeof id, "crash-%d", i);
        yaa_db_channel c = {.id = id, .name = "n"};
        int rc = yaa_db_channels_upsert(tx, &c, err);
        if (rc) return rc;
    }
    if (write(((hold *)arg)->fd, "x", 1) != 1) return -1;
    for (;;) pause(); /* killed here, mid-transaction */
}

static void test_killed_writer(void **state) {
    (void)state;
    yaa_err err = {0};
    yaa_db *db;
    assert_int_equal(yaa_db_open(url, &db, &err), 0);
    assert_int_equal(yaa_db_upgrade(db, migrations(), -1, NULL, &err), 0);
    yaa_db_close(db);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        yaa_db *cdb;
        yaa_err cerr = {0};
        if (yaa_db_open(url, &cdb, &cerr)) _exit(3);
        hold h = {fds[1]};
        yaa_db_tx(cdb, insert_and_hang, &h, &cerr);
        _exit(4);
    }
    close(fds[1]);
    char b;
    assert_int_equal(read(fds[0], &b, 1), 1);
    close(fds[0]);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st));

    assert_int_equal(yaa_db_open(url, &db, &err), 0);
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db, "PRAGMA integrity_check", NULL, 0, &r, &err), 0);
    assert_string_equal(yaa_db_get_text(r, 0, 0), "ok");
    yaa_db_rows_free(r);
    assert_int_equal(yaa_db_query(db, "SELECT COUNT(*) FROM channels WHERE id LIKE 'crash-%'", NULL,
                                  0, &r, &err),
                     0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 0); /* nothing half-committed */
    yaa_db_rows_free(r);
    /* and the dead writer's lock is gone: a write goes through at once */
    yaa_db_channel c = {.id = "after", .name = "n"};
    assert_int_equal(yaa_db_channels_upsert(db, &c, &err), 0);
    yaa_db_close(db);
}

int main(void) {
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real) != SQLITE_OK) return 1;
    static sqlite3_mem_methods inj;
    inj = real;
    inj.xMalloc = f_malloc;
    inj.xRealloc = f_realloc;
    inj.xFree = f_free;
    inj.xSize = f_size;
    inj.xRoundup = f_roundup;
    inj.xInit = f_init;
    inj.xShutdown = f_shutdown;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &inj) != SQLITE_OK) return 1;
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(url, sizeof url, "sqlite:///%s/faults.db", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_writer),
        cmocka_unit_test(test_oom),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_test_rmrf(dir);
    return rc;
}
