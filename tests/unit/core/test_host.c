/* test_host.c - the host tag (odd hostnames, truncation, override) and the temporary names
 * that carry it: generation, fit in the caller's buffer, and parsing back. */
#include "test_util.h"

#include "core/err.h"
#include "core/host.h"

#include <ctype.h>
#include <string.h>
#include <unistd.h>

static void assert_clean(const char *tag) {
    assert_true(*tag);
    assert_true(strlen(tag) <= YAA_HOST_TAG_MAX);
    for (const char *c = tag; *c; c++) assert_true(isalnum((unsigned char)*c) || *c == '-');
}

static void test_tag_of_odd_hostnames(void **state) {
    (void)state;
    char t[YAA_HOST_TAG_MAX + 1], u[YAA_HOST_TAG_MAX + 1];
    yaa_host_tag_from("web-01", t);
    assert_string_equal(t, "web-01");
    yaa_host_tag_from("node1.cluster.local", t); /* dots become dashes, nothing else lost */
    assert_string_equal(t, "node1-cluster-local");
    /* cut or changed: a prefix and a hash of the whole name */
    yaa_host_tag_from("my_host/with space", t);
    assert_clean(t);
    assert_int_equal(strlen(t), YAA_HOST_TAG_MAX);
    assert_memory_equal(t, "myhostwithspace-", 16);
    yaa_host_tag_from("my_host/with spac", u);
    assert_string_not_equal(t, u);
    /* two long names that share their first 24 characters keep distinct tags */
    yaa_host_tag_from("kubernetes-worker-pool-abc-0001", t);
    yaa_host_tag_from("kubernetes-worker-pool-abc-0002", u);
    assert_clean(t);
    assert_clean(u);
    assert_string_not_equal(t, u);
    /* nothing usable at all: still a tag, the hash alone */
    yaa_host_tag_from("\xec\x84\x9c\xeb\xb2\x84", t); /* "서버" */
    assert_clean(t);
    assert_int_equal(strlen(t), 8);
    yaa_host_tag_from("", t);
    assert_string_equal(t, "host");
    yaa_host_tag_from(NULL, t);
    assert_string_equal(t, "host");
    /* the real one */
    assert_clean(yaa_host_tag());
    assert_ptr_equal(yaa_host_tag(), yaa_host_tag());
}

static void test_temp_names(void **state) {
    (void)state;
    yaa_host_tag_override("odd_host.example");
    const char *me = yaa_host_tag();
    assert_clean(me);
    char a[200], b[200], want[200];
    assert_int_equal(yaa_host_temp_name(a, sizeof a, "/o/r/video.mp4", ".part", NULL), 0);
    assert_int_equal(yaa_host_temp_name(b, sizeof b, "/o/r/video.mp4", ".part", NULL), 0);
    assert_string_not_equal(a, b); /* the counter: one process, two names */
    snprintf(want, sizeof want, "/o/r/video.mp4.part-%s-%d-", me, (int)getpid());
    assert_memory_equal(a, want, strlen(want));
    assert_int_equal(yaa_host_temp_name(a, sizeof a, ".yaa-subs", NULL, ".ass"), 0);
    snprintf(want, sizeof want, ".yaa-subs-%s-%d-", me, (int)getpid());
    assert_memory_equal(a, want, strlen(want));
    assert_string_equal(a + strlen(a) - 4, ".ass");

    /* parsed back: this host's, with the pid */
    yaa_host_temp_owner o;
    const char *tail = a + strlen(".yaa-subs");
    assert_true(yaa_host_temp_parse(tail, strlen(tail) - 4, &o));
    assert_int_equal(o.pid, getpid());
    assert_true(yaa_host_temp_mine(&o));
    /* another host's: a prefix of ours is not ours */
    assert_true(yaa_host_temp_parse("-odd-123-4", 10, &o));
    assert_int_equal(o.pid, 123);
    assert_int_equal(o.host_len, 3);
    assert_false(yaa_host_temp_mine(&o));
    /* a numeric hostname is still told from the pid */
    assert_true(yaa_host_temp_parse("-12345-99-0", 11, &o));
    assert_int_equal(o.host_len, 5);
    assert_int_equal(o.pid, 99);
    /* legacy, hostless: no host, never "mine" */
    assert_true(yaa_host_temp_parse("-123-4", 6, &o));
    assert_null(o.host);
    assert_int_equal(o.pid, 123);
    assert_false(yaa_host_temp_mine(&o));
    /* older hosts written with '_' still parse (as another host's) */
    assert_true(yaa_host_temp_parse("-old_host-77-1", 14, &o));
    assert_int_equal(o.pid, 77);
    /* not temporary names */
    static const char *const bad[] = {"",       "-",         "-12",  "--12-3", "-h-x-3",
                                      "-h-12-", "-h 1-12-3", "12-3", "-h-0-1", "-h-99999999999-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(yaa_host_temp_parse(bad[i], strlen(bad[i]), &o));

    /* a name that does not fit is refused, never cut */
    char small[24];
    assert_int_equal(yaa_host_temp_name(small, sizeof small, "/o/r/video.mp4", ".part", NULL),
                     YAA_ELIMIT);
    assert_string_equal(small, "");
    yaa_host_tag_override(NULL);
    char raw[256] = "", real[YAA_HOST_TAG_MAX + 1];
    gethostname(raw, sizeof raw - 1);
    yaa_host_tag_from(raw, real);
    assert_string_equal(yaa_host_tag(), real);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag_of_odd_hostnames),
        cmocka_unit_test(test_temp_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
