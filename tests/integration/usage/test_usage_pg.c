/* test_usage_pg.c - grouped usage (yaa_db_usage_summary) on a throwaway PostgreSQL
 * (tests/lib/pg-start): the same cases as the SQLite unit test, so the SQL is portable. */
#include "test_util.h"

#include "db/db.h"
#include "db/migrate.h"
#include "lib/pgtest.h"
#include "unit/db/usage_cases.h"

static yaa_pgtest pg;

static void test_summary_pg(void **state) {
    (void)state;
    char url[512], mig[PATH_MAX];
    assert_int_equal(yaa_pgtest_createdb(&pg, "t_usage_summary", url, sizeof url), 0);
    snprintf(mig, sizeof mig, "%s/migrations", yaa_test_source_dir());
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) || yaa_db_upgrade(db, mig, -1, NULL, &err))
        fprintf(stderr, "setup: %s\n", err.msg);
    assert_non_null(db);
    usage_cases_run(db);
    /* The indexes of 0020 go away and come back. */
    assert_int_equal(yaa_db_downgrade(db, mig, 19, NULL, &err), 0);
    assert_int_equal(yaa_db_upgrade(db, mig, -1, NULL, &err), 0);
    yaa_db_close(db);
}

int main(void) {
    if (yaa_pgtest_start(&pg) != 0) return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_summary_pg)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_pgtest_stop(&pg);
    return rc;
}
