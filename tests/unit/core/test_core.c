/* test_core.c - arena, buffers, strings, UTF-8, ids, time and errors. */
#include "test_util.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"

static void test_arena(void **state) {
    (void)state;
    yaa_arena a;
    yaa_arena_init(&a, 64);
    char *s = yaa_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    char *big = yaa_arena_alloc(&a, 10000);
    assert_non_null(big);
    big[9999] = 'x';
    char *after = yaa_arena_sprintf(&a, "%s-%d", s, 42);
    assert_string_equal(after, "hello-42");
    assert_int_equal((uintptr_t)after % 16, 0);
    a.cap = a.used + 32;
    assert_null(yaa_arena_alloc(&a, 64));
    yaa_arena_free(&a);
}

static void test_buf(void **state) {
    (void)state;
    yaa_buf b;
    yaa_buf_init(&b, 16);
    assert_string_equal(yaa_buf_cstr(&b), "");
    assert_int_equal(yaa_buf_puts(&b, "0123456789"), 0);
    assert_int_equal(yaa_buf_printf(&b, "%d", 12345), 0);
    assert_string_equal(yaa_buf_cstr(&b), "012345678912345");
    assert_int_equal(yaa_buf_puts(&b, "xx"), YAA_ELIMIT);
    assert_int_equal(b.len, 15);
    yaa_buf_free(&b);

    yaa_buf_init(&b, 0);
    yaa_buf_json_str(&b, "a\"b\\c\n\x01");
    assert_string_equal(yaa_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\"");
    yaa_buf_free(&b);
}

static void test_strings(void **state) {
    (void)state;
    char s[] = "  padded \t\n";
    assert_string_equal(yaa_str_trim(s), "padded");
    bool v;
    assert_int_equal(yaa_parse_bool("TRUE", &v), 0);
    assert_true(v);
    assert_int_equal(yaa_parse_bool("off", &v), 0);
    assert_false(v);
    assert_int_equal(yaa_parse_bool("maybe", &v), YAA_EINVAL);
    long l;
    assert_int_equal(yaa_parse_long("8080", 0, 65535, &l), 0);
    assert_int_equal(l, 8080);
    assert_int_equal(yaa_parse_long("80x", 0, 65535, &l), YAA_EINVAL);
    assert_int_equal(yaa_parse_long("70000", 0, 65535, &l), YAA_EINVAL);
    assert_true(yaa_str_startswith("sqlite:///x", "sqlite://"));
    assert_true(yaa_str_endswith("video.mp4", ".mp4"));
}

static void test_utf8(void **state) {
    (void)state;
    const char *ko = "안녕하세요";
    assert_true(yaa_utf8_valid(ko, strlen(ko)));
    assert_int_equal(yaa_utf8_len(ko), 5);
    assert_int_equal(yaa_utf8_prefix(ko, 4), 3);
    assert_false(yaa_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(yaa_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(yaa_utf8_valid("\xe4\xb8", 2));     /* truncated */
    assert_true(yaa_ct_equal("abc", "abc", 3));
    assert_false(yaa_ct_equal("abc", "abd", 3));
}

static void test_ids_and_time(void **state) {
    (void)state;
    char u1[YAA_UUID_LEN + 1], u2[YAA_UUID_LEN + 1];
    assert_int_equal(yaa_uuid4(u1), 0);
    assert_int_equal(yaa_uuid4(u2), 0);
    assert_true(yaa_uuid_valid(u1));
    assert_string_not_equal(u1, u2);
    assert_int_equal(u1[14], '4');
    assert_false(yaa_uuid_valid("not-a-uuid"));

    time_t t;
    assert_int_equal(yaa_time_parse("2026-02-06T10:00:00Z", &t), 0);
    char s[YAA_TIME_LEN + 1];
    yaa_time_format(t, s);
    assert_string_equal(s, "2026-02-06T10:00:00Z");
    time_t t2;
    assert_int_equal(yaa_time_parse("2026-02-06T19:00:00.123+09:00", &t2), 0);
    assert_int_equal(t, t2);
    assert_int_equal(yaa_time_parse("2026-02-06", &t2), 0);
    assert_int_equal(t - t2, 36000);
    assert_int_equal(yaa_time_parse("2026-13-06", &t2), YAA_EINVAL);
    assert_int_equal(yaa_time_parse("2026-02-06T10:00", &t2), YAA_EINVAL);

    char hex[65];
    yaa_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_err(void **state) {
    (void)state;
    yaa_err e = {0};
    assert_int_equal(yaa_err_set(&e, YAA_ENOTFOUND, "channel '%s' not found", "x"), YAA_ENOTFOUND);
    yaa_err_prefix(&e, "run %d: ", 7);
    assert_string_equal(e.msg, "run 7: channel 'x' not found");
    assert_string_equal(yaa_err_name(YAA_ENOTFOUND), "YAA_ENOTFOUND");
    assert_string_equal(yaa_strerror(YAA_ETIMEOUT), "timed out");
    assert_int_equal(yaa_err_set(NULL, YAA_EIO, "x"), YAA_EIO);
}

static void test_files(void **state) {
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(yaa_mkdirs(path, 0755), 0);
    snprintf(path, sizeof path, "%s/a/b/c/f.txt", dir);
    assert_int_equal(yaa_write_file(path, "data", 4), 0);
    char *text;
    size_t n;
    assert_int_equal(yaa_read_file(path, 100, &text, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(text, "data");
    free(text);
    assert_int_equal(yaa_read_file(path, 2, &text, &n), YAA_ELIMIT);
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(yaa_read_file(path, 2, &text, &n), YAA_ENOTFOUND);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena),        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_strings),      cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_ids_and_time), cmocka_unit_test(test_err),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
