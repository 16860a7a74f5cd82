/* test_db_queue.c - the db queue on SQLite: the shared queue cases (queue_cases.h) and what
 * only this backend has: the backoff schedule. */
#include "test_util.h"

#include "lib/dbtest.h"
#include "unit/queue/queue_cases.h"

static char dir[PATH_MAX];
static queue_backend backend;

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    backend = (queue_backend){.url = "db", .expired_lease = -5, .claim_wait_ms = 0};
    return (backend.db = yaa_dbtest_sqlite(dir)) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    yaa_db_close(backend.db);
    yaa_test_rmrf(dir);
    return 0;
}

static void test_lifecycle(void **state) {
    (void)state;
    queue_case_lifecycle(&backend);
}

static void test_dead_marks_run(void **state) {
    (void)state;
    queue_case_dead_marks_run(&backend);
}

static void test_backoff(void **state) {
    (void)state;
    yaa_queue *q = qc_open(&backend);
    assert_int_equal(yaa_queue_backoff_sec(q, 1), 0);
    q->backoff_base_s = 10;
    assert_int_equal(yaa_queue_backoff_sec(q, 1), 10);
    assert_int_equal(yaa_queue_backoff_sec(q, 3), 40);
    assert_int_equal(yaa_queue_backoff_sec(q, 30), 3600);
    yaa_queue_close(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_marks_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
