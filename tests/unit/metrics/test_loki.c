/* test_loki.c - the Loki shipper against the local Loki double (tests/doubles/loki.py):
 * batching, labels, retry on 500, rejection, drops counted when the buffer is full while a
 * push hangs (the logger never waits), give-up after retries, flush on stop. */
#include "test_util.h"

#include "core/log.h"
#include "metrics/loki.h"
#include "metrics/metrics.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sys/wait.h>

static pid_t g_pid;
static int g_port;
static char g_url[64];

static size_t collect(char *p, size_t size, size_t n, void *ud) {
    yaa_buf_append(ud, p, size * n);
    return size * n;
}

/* HTTP to the double; returns the status, body into out (may be NULL). */
static long http(const char *method, const char *path, const char *body, yaa_buf *out) {
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    yaa_buf sink;
    yaa_buf_init(&sink, 0);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out ? out : &sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    yaa_buf_free(&sink);
    return status;
}

static long double_stat(const char *key) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(http("GET", "/test/stats", NULL, &b), 200);
    json_t *j = json_loads(yaa_buf_cstr(&b), 0, NULL);
    assert_non_null(j);
    long v = (long)json_integer_value(json_object_get(j, key));
    json_decref(j);
    yaa_buf_free(&b);
    return v;
}

static int setup(void **state) {
    (void)state;
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/doubles/loki.py", yaa_test_source_dir());
    int fds[2];
    if (pipe(fds) != 0) return -1;
    g_pid = fork();
    if (g_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", script, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    if (!f || fscanf(f, "PORT %d", &g_port) != 1) return -1;
    fclose(f);
    snprintf(g_url, sizeof g_url, "http://127.0.0.1:%d", g_port);
    FILE *devnull = fopen("/dev/null", "w");
    yaa_log_setup(YAA_LOG_DEBUG, true, devnull);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    kill(g_pid, SIGTERM);
    waitpid(g_pid, NULL, 0);
    return 0;
}

static int reset(void **state) {
    (void)state;
    return http("POST", "/test/reset", "{}", NULL) == 204 ? 0 : -1;
}

static void start(size_t capacity, size_t batch, long flush_ms, int retries) {
    yaa_loki_config c;
    yaa_metrics_loki_config_default(&c);
    c.url = g_url;
    c.capacity = capacity;
    c.batch_lines = batch;
    c.flush_ms = flush_ms;
    c.max_retries = retries;
    c.backoff_ms = 5;
    c.timeout_ms = 10000;
    yaa_err err = {0};
    assert_int_equal(yaa_metrics_loki_start(&c, &err), 0);
}

static double metric(const char *line_prefix) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(yaa_metrics_render(&b), 0);
    const char *p = strstr(yaa_buf_cstr(&b), line_prefix);
    double v = p ? strtod(p + strlen(line_prefix), NULL) : -1;
    yaa_buf_free(&b);
    return v;
}

static void test_batches_and_labels(void **state) {
    (void)state;
    start(1000, 10, 60000, 3);
    yaa_log_ctx ctx = {.run_id = "run-batch-1", .stage = "script_writer"};
    yaa_log_ctx_set(&ctx);
    for (int i = 0; i < 25; i++)
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage step", YAA_F_INT("i", i), YAA_F_END);
    yaa_log_ctx_set(NULL);
    yaa_log_ev(YAA_LOG_ERROR, "api", "other line", YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.queued, 26);
    assert_int_equal(st.shipped, 26);
    assert_int_equal(st.dropped_full + st.dropped_failed + st.dropped_rejected, 0);
    /* 10 + 10 by size, the rest (6) by the flush */
    assert_int_equal(double_stat("pushes"), 3);
    assert_int_equal(double_stat("lines"), 26);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(http("GET",
                          "/loki/api/v1/query_range?limit=1000&query=%7Bapp%3D%22yaa%22%7D%20%7C%20"
                          "json%20%7C%20run_id%3D%22run-batch-1%22",
                          NULL, &b),
                     200);
    json_t *j = json_loads(yaa_buf_cstr(&b), 0, NULL);
    assert_non_null(j);
    json_t *res = json_object_get(json_object_get(j, "data"), "result");
    size_t total = 0, i;
    json_t *s;
    json_array_foreach(res, i, s) {
        json_t *lab = json_object_get(s, "stream");
        assert_string_equal(json_string_value(json_object_get(lab, "app")), "yaa");
        assert_string_equal(json_string_value(json_object_get(lab, "component")), "pipeline");
        assert_string_equal(json_string_value(json_object_get(lab, "level")), "info");
        total += json_array_size(json_object_get(s, "values"));
    }
    assert_int_equal(total, 25);
    json_decref(j);
    yaa_buf_free(&b);
    yaa_metrics_loki_stop();
}

static void test_invalid_utf8_is_replaced(void **state) {
    (void)state;
    start(1000, 100, 60000, 0);
    yaa_log_ev(YAA_LOG_INFO, "api", "bad bytes",
               YAA_F_STR("ua", "caf\xc3\xa9 \xff\xfe end \xe2\x82"),
               YAA_F_STR("ko", "\xed\x95\x9c\xea\xb8\x80"), YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.shipped, 1); /* the double (like Loki) would refuse invalid UTF-8 */
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(http("GET", "/loki/api/v1/query_range?query=%7Bapp%3D%22yaa%22%7D", NULL, &b),
                     200);
    json_t *j = json_loads(yaa_buf_cstr(&b), 0, NULL);
    json_t *v = json_array_get(
        json_object_get(json_array_get(json_object_get(json_object_get(j, "data"), "result"), 0),
                        "values"),
        0);
    json_t *line = json_loads(json_string_value(json_array_get(v, 1)), 0, NULL);
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "ua")), "caf\xc3\xa9 ?? end ??");
    assert_string_equal(json_string_value(json_object_get(line, "ko")), "\xed\x95\x9c\xea\xb8\x80");
    json_decref(line);
    json_decref(j);
    yaa_buf_free(&b);
    yaa_metrics_loki_stop();
}

static void test_retry_on_500(void **state) {
    (void)state;
    assert_int_equal(http("POST", "/test/faults", "{\"fail\":2,\"status\":500}", NULL), 204);
    start(1000, 100, 60000, 5);
    for (int i = 0; i < 5; i++) yaa_log_ev(YAA_LOG_WARN, "worker", "retry me", YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.shipped, 5);
    assert_int_equal(st.retries, 2);
    assert_int_equal(st.pushes, 3);
    assert_int_equal(double_stat("failed"), 2);
    assert_int_equal(double_stat("lines"), 5);
    yaa_metrics_loki_stop();
}

static void test_rejected_not_retried(void **state) {
    (void)state;
    assert_int_equal(http("POST", "/test/faults", "{\"fail\":1,\"status\":400}", NULL), 204);
    double before = metric("yaa_log_lines_dropped_total{reason=\"rejected\"} ");
    start(1000, 100, 60000, 5);
    for (int i = 0; i < 4; i++) yaa_log_ev(YAA_LOG_INFO, "api", "bad batch", YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.dropped_rejected, 4);
    assert_int_equal(st.pushes, 1);
    assert_true(metric("yaa_log_lines_dropped_total{reason=\"rejected\"} ") == before + 4);
    yaa_metrics_loki_stop();
}

static void test_full_buffer_drops_without_blocking(void **state) {
    (void)state;
    assert_int_equal(http("POST", "/test/faults", "{\"hang\":4}", NULL), 204);
    double before = metric("yaa_log_lines_dropped_total{reason=\"buffer_full\"} ");
    start(50, 10, 10, 3);
    /* the first batch goes out and hangs in the double; the ring fills behind it */
    for (int i = 0; i < 10; i++) yaa_log_ev(YAA_LOG_INFO, "api", "first", YAA_F_END);
    while (double_stat("pushes") < 1) usleep(10000);
    for (int i = 0; i < 1000; i++) yaa_log_ev(YAA_LOG_INFO, "api", "flood", YAA_F_END);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.queued + st.dropped_full, 1010);
    assert_true(st.dropped_full >= 1000 - 50);
    assert_true(metric("yaa_log_lines_dropped_total{reason=\"buffer_full\"} ") ==
                before + (double)st.dropped_full);
    assert_int_equal(http("POST", "/test/faults", "{\"hang\":0}", NULL), 204);
    assert_int_equal(yaa_metrics_loki_flush(60000), 0);
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.shipped, st.queued);
    assert_int_equal(double_stat("lines"), (long)st.queued);
    yaa_metrics_loki_stop();
}

static void test_gives_up_after_retries(void **state) {
    (void)state;
    assert_int_equal(http("POST", "/test/faults", "{\"fail\":100,\"status\":503}", NULL), 204);
    start(1000, 100, 60000, 2);
    for (int i = 0; i < 3; i++) yaa_log_ev(YAA_LOG_INFO, "api", "doomed", YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.dropped_failed, 3);
    assert_int_equal(st.pushes, 3);
    assert_int_equal(st.shipped, 0);
    yaa_metrics_loki_stop();
}

static void test_stop_flushes(void **state) {
    (void)state;
    yaa_err err = {0};
    assert_int_equal(yaa_metrics_loki_start_url(NULL, &err), 0); /* LOKI_URL unset: nothing to do */
    assert_int_equal(yaa_metrics_loki_start_url("", &err), 0);
    start(1000, 100, 600000, 3);
    for (int i = 0; i < 7; i++) yaa_log_ev(YAA_LOG_DEBUG, "cli", "bye", YAA_F_END);
    yaa_metrics_loki_stop();
    assert_int_equal(double_stat("lines"), 7);
    yaa_metrics_loki_stop(); /* twice is fine */
}

static void test_unreachable_and_config(void **state) {
    (void)state;
    yaa_loki_config c;
    yaa_metrics_loki_config_default(&c);
    yaa_err err = {0};
    c.url = "ftp://x";
    assert_int_equal(yaa_metrics_loki_start(&c, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "LOKI_URL"));
    c.url = "http://user:secret@127.0.0.1:1/"; /* nothing listens; the message hides secret */
    c.max_retries = 1;
    c.backoff_ms = 1;
    c.flush_ms = 60000;
    assert_int_equal(yaa_metrics_loki_start(&c, &err), 0);
    assert_int_equal(yaa_metrics_loki_start(&c, &err), YAA_EEXIST);
    yaa_log_ev(YAA_LOG_INFO, "api", "nowhere", YAA_F_END);
    assert_int_equal(yaa_metrics_loki_flush(20000), 0);
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    assert_int_equal(st.dropped_failed, 1);
    yaa_metrics_loki_stop();
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_batches_and_labels, reset),
        cmocka_unit_test_setup(test_invalid_utf8_is_replaced, reset),
        cmocka_unit_test_setup(test_retry_on_500, reset),
        cmocka_unit_test_setup(test_rejected_not_retried, reset),
        cmocka_unit_test_setup(test_full_buffer_drops_without_blocking, reset),
        cmocka_unit_test_setup(test_gives_up_after_retries, reset),
        cmocka_unit_test_setup(test_stop_flushes, reset),
        cmocka_unit_test_setup(test_unreachable_and_config, reset),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
