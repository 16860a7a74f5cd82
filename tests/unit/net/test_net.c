/* test_net.c - backoff, Retry-After parsing, retryable statuses, reply headers, usage hook. */
#include "test_util.h"

#include "net/net.h"
#include "net/usage.h"

static void test_retryable(void **state) {
    (void)state;
    assert_true(yaa_net_http_status_retryable(429));
    assert_true(yaa_net_http_status_retryable(500));
    assert_true(yaa_net_http_status_retryable(503));
    assert_true(yaa_net_http_status_retryable(529)); /* Anthropic "overloaded" */
    assert_false(yaa_net_http_status_retryable(501));
    assert_false(yaa_net_http_status_retryable(400));
    assert_false(yaa_net_http_status_retryable(401));
    assert_false(yaa_net_http_status_retryable(200));
}

static void test_backoff(void **state) {
    (void)state;
    yaa_http_retry p = {.base_delay_ms = 100, .max_delay_ms = 1000};
    for (int i = 0; i < 50; i++) {
        long d1 = yaa_net_http_backoff_ms(&p, 1, -1);
        assert_in_range(d1, 50, 100);
        long d3 = yaa_net_http_backoff_ms(&p, 3, -1);
        assert_in_range(d3, 200, 400);
        long d10 = yaa_net_http_backoff_ms(&p, 10, -1);
        assert_in_range(d10, 500, 1000);
    }
    /* Retry-After replaces the backoff, uncapped by max_delay. */
    assert_int_equal(yaa_net_http_backoff_ms(&p, 1, 5000), 5000);
    assert_int_equal(yaa_net_http_backoff_ms(&p, 1, 0), 0);
}

static void test_retry_after(void **state) {
    (void)state;
    assert_int_equal(yaa_net_http_parse_retry_after("3", 0), 3000);
    assert_int_equal(yaa_net_http_parse_retry_after(" 0 ", 0), 0);
    assert_int_equal(yaa_net_http_parse_retry_after("", 0), -1);
    assert_int_equal(yaa_net_http_parse_retry_after("soon", 0), -1);
    assert_int_equal(yaa_net_http_parse_retry_after(NULL, 0), -1);
    /* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
    assert_int_equal(yaa_net_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470LL),
                     10000);
    /* A date in the past means now. */
    assert_int_equal(yaa_net_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490LL),
                     0);
}

static void test_reply_headers(void **state) {
    (void)state;
    yaa_http_reply r;
    yaa_net_http_reply_init(&r);
    yaa_buf_puts(&r.headers, "Content-Type: application/json\r\nretry-after:  7 \r\n"
                             "Location: http://x/upload?id=1\r\n\r\n");
    char v[64];
    assert_non_null(yaa_net_http_reply_header(&r, "Retry-After", v, sizeof v));
    assert_string_equal(v, "7");
    assert_int_equal(yaa_net_http_retry_after_ms(&r), 7000);
    assert_non_null(yaa_net_http_reply_header(&r, "location", v, sizeof v));
    assert_string_equal(v, "http://x/upload?id=1");
    assert_null(yaa_net_http_reply_header(&r, "Range", v, sizeof v));
    char small[4];
    assert_non_null(yaa_net_http_reply_header(&r, "Content-Type", small, sizeof small));
    assert_string_equal(small, "app");

    r.status = 429;
    yaa_buf_puts(&r.body, "{\"error\":{\"message\":\"Rate limit\\nreached\",\"type\":\"x\"}}");
    char d[128];
    yaa_net_http_describe(&r, d, sizeof d);
    assert_string_equal(d, "HTTP 429: Rate limit reached");
    yaa_buf_reset(&r.body);
    yaa_buf_puts(&r.body, "<html>bad gateway</html>");
    r.status = 502;
    yaa_net_http_describe(&r, d, sizeof d);
    assert_string_equal(d, "HTTP 502");
    yaa_net_http_reply_free(&r);
}

typedef struct seen {
    int calls;
    double cost;
    void *ctx;
    yaa_usage_kind kind;
} seen;

static seen g_seen;

static void hook(void *ud, void *ctx, const yaa_usage_event *ev) {
    (void)ud;
    g_seen.calls++;
    g_seen.cost = ev->cost_usd;
    g_seen.ctx = ctx;
    g_seen.kind = ev->kind;
}

static double pricer(const yaa_usage_event *ev) {
    return (double)(ev->prompt_tokens + ev->completion_tokens + ev->units) / 100.0;
}

static void test_usage_hook(void **state) {
    (void)state;
    int ctx = 0;
    yaa_usage_event ev = {.provider = "openai",
                          .model = "m",
                          .kind = YAA_USAGE_EMBEDDING,
                          .prompt_tokens = 100,
                          .cost_usd = -1};
    yaa_net_usage_report(&ctx, &ev); /* no hook: nothing happens */
    assert_int_equal(g_seen.calls, 0);
    yaa_net_usage_set_hook(hook, NULL);
    yaa_net_usage_report(&ctx, &ev); /* no pricer: cost 0 */
    assert_int_equal(g_seen.calls, 1);
    assert_true(g_seen.cost == 0.0);
    assert_ptr_equal(g_seen.ctx, &ctx);
    yaa_net_usage_set_pricer(pricer);
    yaa_net_usage_report(NULL, &ev);
    assert_true(g_seen.cost == 1.0);
    assert_int_equal(g_seen.kind, YAA_USAGE_EMBEDDING);
    ev.cost_usd = 0.25; /* an explicit cost is kept */
    yaa_net_usage_report(NULL, &ev);
    assert_true(g_seen.cost == 0.25);
    yaa_net_usage_set_hook(NULL, NULL);
    yaa_net_usage_set_pricer(NULL);
    assert_string_equal(yaa_net_usage_kind_name(YAA_USAGE_TTS), "tts");
    assert_string_equal(yaa_net_usage_outcome_name(YAA_USAGE_RETRY), "retry");
}

static void test_bad_request(void **state) {
    (void)state;
    yaa_http_reply r;
    yaa_net_http_reply_init(&r);
    yaa_http_request rq = {0};
    yaa_err err;
    assert_int_equal(yaa_net_http_perform(&rq, &r, &err), YAA_EINVAL);
    /* Nothing listens on port 1: a network error, retried, then reported without secrets. */
    const char *h[] = {"Authorization: Bearer sk-secret"};
    rq.url = "http://user:pw@127.0.0.1:1/v1/x?key=sk-secret";
    rq.headers = h;
    rq.nheaders = 1;
    yaa_http_retry p = {.max_attempts = 2, .base_delay_ms = 1};
    assert_int_equal(yaa_net_http_send(&rq, &p, &r, &err), YAA_ENET);
    assert_int_equal(r.attempts, 2);
    assert_null(strstr(err.msg, "sk-secret"));
    assert_null(strstr(err.msg, "pw"));
    assert_non_null(strstr(err.msg, "http://127.0.0.1:1/v1/x"));
    yaa_net_http_reply_free(&r);
    yaa_net_thread_cleanup();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retryable),   cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_retry_after), cmocka_unit_test(test_reply_headers),
        cmocka_unit_test(test_usage_hook),  cmocka_unit_test(test_bad_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
