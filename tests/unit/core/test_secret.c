/* test_secret.c - sealed secrets: round trip, a different key or a tampered value refused
 * with a message saying which, the key file created 0600 and refused when others can read
 * it, a short SECRET_KEY refused. */
#include "test_util.h"

#include "core/buf.h"
#include "core/secret.h"

#include <sys/stat.h>

static void test_round_trip_and_keys(void **state) {
    (void)state;
    char dir[PATH_MAX], file[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/data/secret.key", dir);
    yaa_secret_key k, k2, p;
    yaa_err err;
    assert_int_equal(yaa_secret_key_load(NULL, file, &k, &err), 0);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(yaa_secret_key_load("", file, &k2, &err), 0); /* read back: same key */
    assert_string_equal(k.id, k2.id);
    char *sealed = NULL, *open = NULL;
    assert_int_equal(yaa_secret_seal(&k, "1//refresh-token", &sealed, &err), 0);
    assert_null(strstr(sealed, "refresh"));
    assert_int_equal(yaa_secret_open(&k2, sealed, &open, &err), 0);
    assert_string_equal(open, "1//refresh-token");
    yaa_secret_wipe_free(open);
    /* another key: refused, naming the key ids */
    assert_int_equal(
        yaa_secret_key_load("correct horse battery staple, 32+ chars!", NULL, &p, &err), 0);
    assert_int_equal(yaa_secret_open(&p, sealed, &open, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "another key"));
    /* tampered */
    sealed[strlen(sealed) - 3] ^= 1;
    assert_int_not_equal(yaa_secret_open(&k, sealed, &open, &err), 0);
    assert_int_equal(yaa_secret_open(&k, "plain text", &open, &err), YAA_EINVAL);
    free(sealed);
    /* short passphrase, readable key file */
    assert_int_equal(yaa_secret_key_load("short", NULL, &p, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "SECRET_KEY"));
    chmod(file, 0644);
    assert_int_equal(yaa_secret_key_load(NULL, file, &k2, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "chmod 600"));
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip_and_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
