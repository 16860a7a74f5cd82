/* test_repos.c - every repository operation against SQLite (the cases are in repo_cases.h,
 * shared with the PostgreSQL integration test). */
#include "repo_cases.h"

int main(void) {
    char dir[PATH_MAX], url[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(url, sizeof url, "sqlite:///%s/repos.db", dir);
    const struct CMUnitTest tests[] = {YAA_REPO_CASES(url)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_test_rmrf(dir);
    return rc;
}
