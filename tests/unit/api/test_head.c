/* test_head.c - request head limits, the pool room a reply needs, and a reply written as raw
 * bytes (api/head.c; the real server is exercised by tests/integration/api/test_heads.py). */
#include "test_util.h"

#include <string.h>

#include "api/head_internal.h"

static void test_limits(void **state) {
    (void)state;
    yaa_http_head h = {.bytes = YAA_HTTP_MAX_HEAD_BYTES, .fields = YAA_HTTP_MAX_HEAD_FIELDS};
    assert_false(yaa_api__head_too_large(&h));
    h.bytes++;
    assert_true(yaa_api__head_too_large(&h));
    h.bytes--, h.fields++;
    assert_true(yaa_api__head_too_large(&h));
}

static void test_fits(void **state) {
    (void)state;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_http_resp r;
    yaa_api_http_resp_init(&r);
    yaa_api_http_resp_header(&r, &a, "X-Request-ID", "0123456789abcdef0123456789abcdef0123");
    /* a head at both limits with a Cookie as long as itself still leaves the reply room */
    yaa_http_head h = {.bytes = YAA_HTTP_MAX_HEAD_BYTES,
                       .fields = YAA_HTTP_MAX_HEAD_FIELDS,
                       .cookie_bytes = YAA_HTTP_MAX_HEAD_BYTES};
    assert_true(yaa_api__reply_fits(&h, &r));
    /* the pool holds the head, 64 bytes per field and the Cookie copy, each aligned */
    yaa_http_head small = {.bytes = 100, .fields = 3, .cookie_bytes = 10};
    assert_int_equal(yaa_api__head_pool_bytes(&small), 112 + 3 * 64 + 16);
    /* a head that filled the pool leaves no room for any reply */
    yaa_http_head full = {.bytes = YAA_HTTP_CONN_POOL_BYTES - 200, .fields = 3};
    assert_false(yaa_api__reply_fits(&full, &r));
    /* a long header of the reply counts */
    size_t before = yaa_api__reply_head_bytes(&r);
    char longv[3000];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    yaa_api_http_resp_header(&r, &a, "Location", longv);
    assert_int_equal(yaa_api__reply_head_bytes(&r), before + strlen("Location: \r\n") + 2999);
    yaa_http_head mid = {.bytes = 12000, .fields = 20, .cookie_bytes = 8000};
    assert_false(yaa_api__reply_fits(&mid, &r));
    yaa_api_http_resp_free(&r);
    yaa_arena_free(&a);
}

static void test_serialize(void **state) {
    (void)state;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_http_resp r;
    yaa_api_http_resp_init(&r);
    yaa_api_http_error(&r, 431, "request head too large");
    yaa_api_http_resp_header(&r, &a, "Connection", "close");
    yaa_api_http_resp_header(&r, &a, "X-Request-ID", "rid-1");
    yaa_buf out;
    yaa_buf_init(&out, 0);
    /* 2026-12-07T01:02:03Z, a Monday */
    assert_int_equal(yaa_api__reply_serialize(&r, false, 1796605323, &out), 0);
    const char *want = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                       "Date: Mon, 07 Dec 2026 01:02:03 GMT\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 35\r\n"
                       "Connection: close\r\n"
                       "X-Request-ID: rid-1\r\n"
                       "\r\n"
                       "{\"detail\":\"request head too large\"}";
    assert_string_equal(out.data, want);
    /* a HEAD request gets the head only, Content-Length still the body's */
    yaa_buf_reset(&out);
    assert_int_equal(yaa_api__reply_serialize(&r, true, 1796605323, &out), 0);
    assert_non_null(strstr(out.data, "Content-Length: 35\r\n"));
    assert_true(out.len > 4 && memcmp(out.data + out.len - 4, "\r\n\r\n", 4) == 0);
    /* a file body cannot be written this way */
    r.file_fd = 0;
    assert_int_not_equal(yaa_api__reply_serialize(&r, false, 0, &out), 0);
    r.file_fd = -1;
    yaa_buf_free(&out);
    yaa_api_http_resp_free(&r);
    yaa_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_serialize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
