/* test_listener.c - the standalone /metrics listener on a free loopback port. */
#include "test_util.h"

#include "metrics/metrics.h"

#include <curl/curl.h>

static size_t collect(char *p, size_t size, size_t n, void *ud) {
    yaa_buf_append(ud, p, size * n);
    return size * n;
}

static long get(int port, const char *path, const char *method, yaa_buf *body, char *ctype,
                size_t ctn) {
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    long status = 0;
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    const char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(ctype, ctn, "%s", ct ? ct : "");
    curl_easy_cleanup(h);
    return status;
}

static void test_serves_metrics(void **state) {
    (void)state;
    yaa_err err = {0};
    yaa_metrics_listener *l = NULL;
    assert_int_equal(yaa_metrics_listen("127.0.0.1", 0, NULL, &l, &err), 0);
    int port = yaa_metrics_listener_port(l);
    assert_true(port > 0);
    yaa_metrics_stage_duration("publisher", 1.5);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    char ct[128];
    assert_int_equal(get(port, "/metrics", "GET", &b, ct, sizeof ct), 200);
    assert_string_equal(ct, YAA_METRICS_CONTENT_TYPE);
    assert_non_null(
        strstr(yaa_buf_cstr(&b), "yaa_stage_duration_seconds_count{stage=\"publisher\"} 1\n"));
    assert_non_null(strstr(yaa_buf_cstr(&b), "process_open_fds "));
    yaa_buf_reset(&b);
    assert_int_equal(get(port, "/nope", "GET", &b, ct, sizeof ct), 404);
    yaa_buf_reset(&b);
    assert_int_equal(get(port, "/metrics", "POST", &b, ct, sizeof ct), 405);
    yaa_buf_free(&b);
    yaa_metrics_listener_stop(l);
}

static void test_custom_registry_and_errors(void **state) {
    (void)state;
    yaa_err err = {0};
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_family *c = yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "only_this_total", "x", 0, NULL,
                                             NULL, 0, &err);
    yaa_metrics_counter_inc(yaa_metrics_family_series0(c));
    yaa_metrics_listener *l = NULL;
    assert_int_equal(yaa_metrics_listen("127.0.0.1", 0, r, &l, &err), 0);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    char ct[128];
    assert_int_equal(get(yaa_metrics_listener_port(l), "/metrics", "GET", &b, ct, sizeof ct), 200);
    assert_string_equal(yaa_buf_cstr(&b),
                        "# HELP only_this_total x\n# TYPE only_this_total counter\n"
                        "only_this_total 1\n");
    /* the same port twice fails with a message naming it */
    yaa_metrics_listener *l2 = NULL;
    assert_int_equal(yaa_metrics_listen("127.0.0.1", yaa_metrics_listener_port(l), r, &l2, &err),
                     YAA_EIO);
    assert_non_null(strstr(err.msg, "cannot listen"));
    assert_int_equal(yaa_metrics_listen("localhost", 0, r, &l2, &err), YAA_EINVAL);
    assert_int_equal(yaa_metrics_listen(NULL, 70000, r, &l2, &err), YAA_EINVAL);
    yaa_buf_free(&b);
    yaa_metrics_listener_stop(l);
    yaa_metrics_registry_free(r);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serves_metrics),
        cmocka_unit_test(test_custom_registry_and_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
