/* test_budget.c - monthly and per-run caps refuse and stop runs with messages naming them. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "channels/channels.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "pipeline/budget.h"

typedef struct fx {
    char dir[PATH_MAX];
    yaa_db *db;
    yaa_channel *ch;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    if (!(f->db = yaa_dbtest_sqlite(f->dir))) return -1;
    f->ch = yaa_channels_new("capped", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_channels_free(f->ch);
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static void spend(fx *f, const char *run_id, int seq, double usd) {
    yaa_db_runstore_usage u = {run_id,      "script_writer",
                               "anthropic", "claude-sonnet-4-20250514",
                               "chat",      1,
                               seq,         1000,
                               100,         0,
                               usd};
    yaa_err err = {0};
    assert_int_equal(yaa_db_runstore_usage_add(f->db, &u, &err), 0);
}

static void test_no_budget_never_refuses(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    char id[37];
    assert_int_equal(yaa_db_runstore_run_create(f->db, "capped", "t", "", false, false, id, &err),
                     0);
    spend(f, id, 1, 100.0);
    assert_int_equal(yaa_pipeline_budget_check_start(f->db, f->ch, &err), 0);
    assert_int_equal(yaa_pipeline_budget_check_run(f->db, f->ch, id, &err), 0);
}

static void test_per_run_budget_stops_the_run(void **state) {
    fx *f = *state;
    f->ch->budget.has_per_run_usd = true;
    f->ch->budget.per_run_usd = 0.05;
    yaa_err err = {0};
    char id[37], other[37];
    assert_int_equal(yaa_db_runstore_run_create(f->db, "capped", "t", "", false, false, id, &err),
                     0);
    assert_int_equal(
        yaa_db_runstore_run_create(f->db, "capped", "u", "", false, false, other, &err), 0);
    spend(f, id, 1, 0.03);
    spend(f, other, 1, 0.04); /* another run's spend does not count against this one */
    assert_int_equal(yaa_pipeline_budget_check_run(f->db, f->ch, id, &err), 0);
    spend(f, id, 2, 0.02);
    assert_int_equal(yaa_pipeline_budget_check_run(f->db, f->ch, id, &err), YAA_EBUDGET);
    assert_non_null(strstr(err.msg, "per-run budget $0.05"));
    assert_non_null(strstr(err.msg, "budget.per_run_usd"));
}

static void test_monthly_budget_refuses_new_runs(void **state) {
    fx *f = *state;
    f->ch->budget.has_monthly_usd = true;
    f->ch->budget.monthly_usd = 1.0;
    yaa_err err = {0};
    char id[37];
    assert_int_equal(yaa_db_runstore_run_create(f->db, "capped", "t", "", false, false, id, &err),
                     0);
    spend(f, id, 1, 0.60);
    assert_int_equal(yaa_pipeline_budget_check_start(f->db, f->ch, &err), 0);
    yaa_budget_status st;
    assert_int_equal(yaa_pipeline_budget_status_get(f->db, f->ch, &st, &err), 0);
    assert_true(st.month_spent_usd > 0.59 && st.month_spent_usd < 0.61);
    spend(f, id, 2, 0.40);
    assert_int_equal(yaa_pipeline_budget_check_start(f->db, f->ch, &err), YAA_EBUDGET);
    assert_non_null(strstr(err.msg, "monthly budget $1.00"));
    assert_int_equal(yaa_pipeline_budget_check_run(f->db, f->ch, id, &err), YAA_EBUDGET);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_budget_never_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_run_budget_stops_the_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monthly_budget_refuses_new_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
