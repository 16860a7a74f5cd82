/* test_audit.c - the audit writer: rows the database refuses are kept and written once it
 * accepts again (none lost); refused requests (401/429) become one counted row per address
 * and status; retention asks the database to prune at start. */
#include "test_util.h"

#include "api/audit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_int refuse;   /* the database refuses writes while set */
static atomic_long written; /* requests stood for by the rows written */
static atomic_int rows_written;
static atomic_int pruned_days;

static int write_fn(void *ud, const yaa_audit_entry *rows, size_t n, yaa_err *err) {
    (void)ud;
    if (atomic_load(&refuse)) return yaa_err_set(err, YAA_EUNAVAILABLE, "database down");
    for (size_t i = 0; i < n; i++) {
        atomic_fetch_add(&written, rows[i].count > 0 ? rows[i].count : 1);
        atomic_fetch_add(&rows_written, 1);
    }
    return 0;
}

static int prune_fn(void *ud, long days, yaa_err *err) {
    (void)ud;
    (void)err;
    atomic_store(&pruned_days, (int)days);
    return 0;
}

static yaa_audit_entry entry(int status, const char *ip) {
    yaa_audit_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.method, sizeof e.method, "GET");
    snprintf(e.path, sizeof e.path, "/api/v1/pipeline/runs");
    snprintf(e.ip_address, sizeof e.ip_address, "%s", ip);
    e.status_code = status;
    return e;
}

static void test_spool_keeps_refused_rows(void **state) {
    (void)state;
    atomic_store(&written, 0);
    atomic_store(&rows_written, 0);
    yaa_audit *a = yaa_api_audit_start(write_fn, NULL, NULL);
    assert_non_null(a);
    atomic_store(&refuse, 1);
    for (int i = 0; i < 50; i++) {
        yaa_audit_entry e = entry(200, "10.0.0.1");
        yaa_api_audit_push(a, &e);
    }
    yaa_api_audit_flush(a);
    assert_int_equal(atomic_load(&written), 0);
    atomic_store(&refuse, 0);
    for (int i = 0; i < 100 && atomic_load(&written) < 50; i++) { /* retried with backoff */
        yaa_api_audit_flush(a);
        usleep(50000);
    }
    assert_int_equal(atomic_load(&written), 50);
    yaa_api_audit_stop(a);
}

static void test_refusals_are_counted(void **state) {
    (void)state;
    atomic_store(&written, 0);
    atomic_store(&rows_written, 0);
    yaa_audit *a = yaa_api_audit_start(write_fn, NULL, NULL);
    for (int i = 0; i < 1000; i++) {
        yaa_audit_entry e = entry(i % 2 ? 401 : 429, i < 900 ? "10.0.0.1" : "10.0.0.2");
        yaa_api_audit_count(a, &e);
    }
    yaa_api_audit_flush(a);
    assert_int_equal(atomic_load(&written), 1000);
    assert_int_equal(atomic_load(&rows_written), 4); /* 2 addresses x 2 statuses */
    yaa_api_audit_set_retention(a, 30, prune_fn);
    for (int i = 0; i < 100 && atomic_load(&pruned_days) == 0; i++) usleep(20000);
    assert_int_equal(atomic_load(&pruned_days), 30);
    yaa_api_audit_stop(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_keeps_refused_rows),
        cmocka_unit_test(test_refusals_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
