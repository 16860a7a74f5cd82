/* test_usage_summary.c - grouped usage (yaa_db_usage_summary) on SQLite: every group_by,
 * the filters and totals (the PostgreSQL twin is tests/integration/usage/test_usage_pg.c). */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/migrate.h"
#include "unit/db/usage_cases.h"

static void test_summary_sqlite(void **state) {
    (void)state;
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = yaa_dbtest_sqlite(dir);
    assert_non_null(db);
    usage_cases_run(db);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_summary_sqlite)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
