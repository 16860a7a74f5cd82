/* test_path.c - yaa_path_inside: symlinks resolved, prefixes that only look alike refused,
 * paths not created yet judged by their parent. */
#include "test_util.h"

#include "core/util.h"

#include <sys/stat.h>
#include <unistd.h>

static void test_inside(void **state) {
    (void)state;
    char dir[256], root[300], p[600], other[300];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(other, sizeof other, "%s/rootx", dir); /* shares the prefix, is not inside */
    mkdir(root, 0755);
    mkdir(other, 0755);
    snprintf(p, sizeof p, "%s/a", root);
    mkdir(p, 0755);
    assert_true(yaa_path_inside(root, root));
    assert_true(yaa_path_inside(root, p));
    snprintf(p, sizeof p, "%s/a/not-yet/file.txt", root);
    assert_true(yaa_path_inside(root, p));
    snprintf(p, sizeof p, "%s/a/../../rootx", root);
    assert_false(yaa_path_inside(root, p));
    assert_false(yaa_path_inside(root, other));
    snprintf(p, sizeof p, "%s/link", root); /* a symlink inside root that leads out */
    assert_int_equal(symlink(other, p), 0);
    assert_false(yaa_path_inside(root, p));
    snprintf(p, sizeof p, "%s/link/file", root);
    assert_false(yaa_path_inside(root, p));
    snprintf(p, sizeof p, "%s/inner", root); /* one that stays inside is fine */
    char target[400];
    snprintf(target, sizeof target, "%s/a", root);
    assert_int_equal(symlink(target, p), 0);
    assert_true(yaa_path_inside(root, p));
    assert_false(yaa_path_inside("/nonexistent/root", root));
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_inside)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
