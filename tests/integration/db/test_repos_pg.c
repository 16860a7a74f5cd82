/* test_repos_pg.c - every repository operation against a real PostgreSQL (tests/lib/
 * pg-start) and against SQLite: the cases of tests/unit/db/repo_cases.h on both. */
#include "unit/db/repo_cases.h"

#include "lib/pgtest.h"

int main(void) {
    yaa_pgtest pg;
    if (yaa_pgtest_start(&pg) != 0) {
        fprintf(stderr, "PostgreSQL is required for this test (scripts/install-deps)\n");
        return 1;
    }
    char pg_url[512], dir[PATH_MAX], lite_url[PATH_MAX + 32];
    if (yaa_pgtest_createdb(&pg, "yaa_repos", pg_url, sizeof pg_url) != 0) {
        yaa_pgtest_stop(&pg);
        return 1;
    }
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(lite_url, sizeof lite_url, "sqlite:///%s/repos.db", dir);
    const struct CMUnitTest tests[] = {YAA_REPO_CASES(pg_url), YAA_REPO_CASES(lite_url)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_pgtest_stop(&pg);
    yaa_test_rmrf(dir);
    return rc;
}
