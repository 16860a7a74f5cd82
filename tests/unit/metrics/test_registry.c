/* test_registry.c - the registry and the text exposition: exact bytes, escaping, histogram
 * buckets, validation, exact totals under concurrent recording, the contract's metrics. */
#include "test_util.h"

#include "metrics/metrics.h"
#include "net/usage.h"

#include <math.h>
#include <pthread.h>

#define L(...) ((const char *const[]){__VA_ARGS__})

static char *render(yaa_registry *r) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(yaa_metrics_registry_render(r, &b), 0);
    return yaa_buf_steal(&b);
}

static void test_counter_gauge_exact(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    yaa_family *c = yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "t_requests_total",
                                             "Requests.\nSecond line with \\ backslash", 2,
                                             L("method", "path"), NULL, 0, &err);
    assert_non_null(c);
    yaa_family *g =
        yaa_metrics_registry_add(r, YAA_METRIC_GAUGE, "t_depth", "Depth.", 0, NULL, NULL, 0, &err);
    assert_non_null(g);
    yaa_series *s = yaa_metrics_family_series(c, L("GET", "/a"));
    yaa_metrics_counter_inc(s);
    yaa_metrics_counter_inc(s);
    yaa_metrics_counter_add(s, 0.5);
    yaa_metrics_counter_add(s, -3); /* ignored */
    assert_ptr_equal(yaa_metrics_family_series(c, L("GET", "/a")), s);
    yaa_metrics_counter_inc(yaa_metrics_family_series(c, L("POST", "q\"uo\\te\nnl")));
    yaa_metrics_gauge_set(yaa_metrics_family_series0(g), 7);
    yaa_metrics_gauge_add(yaa_metrics_family_series0(g), -2.25);
    char *text = render(r);
    assert_string_equal(text,
                        "# HELP t_requests_total Requests.\\nSecond line with \\\\ backslash\n"
                        "# TYPE t_requests_total counter\n"
                        "t_requests_total{method=\"GET\",path=\"/a\"} 2.5\n"
                        "t_requests_total{method=\"POST\",path=\"q\\\"uo\\\\te\\nnl\"} 1\n"
                        "# HELP t_depth Depth.\n"
                        "# TYPE t_depth gauge\n"
                        "t_depth 4.75\n");
    free(text);
    yaa_metrics_registry_free(r);
}

static void test_histogram_exact(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    const double b[] = {0.1, 1, 10};
    yaa_family *h = yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "t_seconds", "Durations.", 1,
                                             L("stage"), b, 3, &err);
    assert_non_null(h);
    yaa_series *s = yaa_metrics_family_series(h, L("script"));
    yaa_metrics_histogram_observe(s, 0.1); /* le is inclusive */
    yaa_metrics_histogram_observe(s, 0.5);
    yaa_metrics_histogram_observe(s, 2);
    yaa_metrics_histogram_observe(s, 100);
    yaa_metrics_histogram_observe(s, NAN); /* ignored */
    yaa_family *h0 = yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "t_plain", "No labels.", 0,
                                              NULL, b, 1, &err);
    yaa_metrics_histogram_observe(yaa_metrics_family_series0(h0), 0.05);
    char *text = render(r);
    assert_string_equal(text, "# HELP t_seconds Durations.\n"
                              "# TYPE t_seconds histogram\n"
                              "t_seconds_bucket{stage=\"script\",le=\"0.1\"} 1\n"
                              "t_seconds_bucket{stage=\"script\",le=\"1\"} 2\n"
                              "t_seconds_bucket{stage=\"script\",le=\"10\"} 3\n"
                              "t_seconds_bucket{stage=\"script\",le=\"+Inf\"} 4\n"
                              "t_seconds_sum{stage=\"script\"} 102.6\n"
                              "t_seconds_count{stage=\"script\"} 4\n"
                              "# HELP t_plain No labels.\n"
                              "# TYPE t_plain histogram\n"
                              "t_plain_bucket{le=\"0.1\"} 1\n"
                              "t_plain_bucket{le=\"+Inf\"} 1\n"
                              "t_plain_sum 0.05\n"
                              "t_plain_count 1\n");
    assert_true(yaa_metrics_series_value(s) == 4);
    free(text);
    yaa_metrics_registry_free(r);
}

static void test_default_buckets(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    yaa_family *h =
        yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "t_h", "H.", 0, NULL, NULL, 0, &err);
    assert_non_null(h);
    char *text = render(r);
    assert_non_null(strstr(text, "t_h_bucket{le=\"0.005\"} 0\n"));
    assert_non_null(strstr(text, "t_h_bucket{le=\"0.075\"} 0\n"));
    assert_non_null(strstr(text, "t_h_bucket{le=\"10\"} 0\n"));
    assert_non_null(strstr(text, "t_h_bucket{le=\"+Inf\"} 0\n"));
    free(text);
    yaa_metrics_registry_free(r);
}

static void test_validation(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "9bad", "", 0, NULL, NULL, 0, &err));
    assert_int_equal(err.code, YAA_EINVAL);
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "bad-name", "", 0, NULL, NULL, 0, &err));
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "ok", "", 1, L("__x"), NULL, 0, &err));
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "ok", "", 1, L("le"), NULL, 0, &err));
    const double down[] = {1, 0.5};
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "ok", "", 0, NULL, down, 2, &err));
    assert_non_null(strstr(err.msg, "increasing"));
    assert_non_null(yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "ok:sub_total", "", 0, NULL,
                                             NULL, 0, &err));
    assert_null(
        yaa_metrics_registry_add(r, YAA_METRIC_GAUGE, "ok:sub_total", "", 0, NULL, NULL, 0, &err));
    assert_int_equal(err.code, YAA_EEXIST);
    /* NULL series are accepted everywhere */
    yaa_metrics_counter_inc(NULL);
    yaa_metrics_gauge_set(NULL, 1);
    yaa_metrics_histogram_observe(NULL, 1);
    yaa_metrics_registry_free(r);
}

static void test_format_double(void **state) {
    (void)state;
    char b[32];
    yaa_metrics_format_double(0, b);
    assert_string_equal(b, "0");
    yaa_metrics_format_double(0.1, b);
    assert_string_equal(b, "0.1");
    yaa_metrics_format_double(1e-9, b);
    assert_string_equal(b, "1e-09");
    yaa_metrics_format_double(123456789012, b);
    assert_string_equal(b, "123456789012");
    yaa_metrics_format_double(INFINITY, b);
    assert_string_equal(b, "+Inf");
    yaa_metrics_format_double(-INFINITY, b);
    assert_string_equal(b, "-Inf");
    yaa_metrics_format_double(NAN, b);
    assert_string_equal(b, "NaN");
    yaa_metrics_format_double(1.0 / 3.0, b);
    assert_true(strtod(b, NULL) == 1.0 / 3.0);
}

static void test_cardinality_cap(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    yaa_family *c =
        yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "t_many", "", 1, L("id"), NULL, 0, &err);
    for (int i = 0; i < YAA_METRICS_MAX_SERIES; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        assert_non_null(yaa_metrics_family_series(c, L(v)));
    }
    assert_null(yaa_metrics_family_series(c, L("one-too-many")));
    assert_non_null(yaa_metrics_family_series(c, L("17"))); /* existing ones still resolve */
    yaa_metrics_registry_free(r);
}

/* ---- concurrency: totals are exact ----------------------------------------------------- */

#define THREADS 6
#define ITER 200000

typedef struct {
    yaa_family *c, *h, *g;
    int id;
} worker_arg;

static void *worker(void *p) {
    const worker_arg *a = p;
    const char *lbl = a->id % 2 ? "odd" : "even";
    yaa_series *hs = yaa_metrics_family_series(a->h, &lbl);
    for (int i = 0; i < ITER; i++) {
        yaa_metrics_counter_inc(
            yaa_metrics_family_series(a->c, &lbl)); /* lookup on the hot path too */
        yaa_metrics_counter_add(yaa_metrics_family_series(a->c, L("frac")), 0.25);
        yaa_metrics_histogram_observe(hs, (i % 4) * 0.5); /* 0, .5, 1, 1.5 */
        yaa_metrics_gauge_add(yaa_metrics_family_series0(a->g), 1);
    }
    return NULL;
}

static void test_concurrent_exact(void **state) {
    (void)state;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    const double b[] = {0.5, 1};
    worker_arg args[THREADS];
    yaa_family *c =
        yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "t_c", "", 1, L("k"), NULL, 0, &err);
    yaa_family *h =
        yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "t_h", "", 1, L("k"), b, 2, &err);
    yaa_family *g =
        yaa_metrics_registry_add(r, YAA_METRIC_GAUGE, "t_g", "", 0, NULL, NULL, 0, &err);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){c, h, g, i};
        pthread_create(&th[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    const double per = THREADS / 2 * (double)ITER;
    assert_true(yaa_metrics_series_value(yaa_metrics_family_series(c, L("odd"))) == per);
    assert_true(yaa_metrics_series_value(yaa_metrics_family_series(c, L("even"))) == per);
    assert_true(yaa_metrics_series_value(yaa_metrics_family_series(c, L("frac"))) ==
                THREADS * (double)ITER / 4);
    assert_true(yaa_metrics_series_value(yaa_metrics_family_series0(g)) == THREADS * (double)ITER);
    yaa_series *hs = yaa_metrics_family_series(h, L("odd"));
    assert_true(yaa_metrics_series_value(hs) == per);
    assert_true(yaa_metrics_series_sum(hs) == per / 4 * (0 + 0.5 + 1 + 1.5));
    char *text = render(r);
    char want[128];
    snprintf(want, sizeof want, "t_h_bucket{k=\"odd\",le=\"0.5\"} %.0f\n", per / 2);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof want, "t_h_bucket{k=\"odd\",le=\"1\"} %.0f\n", per * 3 / 4);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof want, "t_h_bucket{k=\"odd\",le=\"+Inf\"} %.0f\n", per);
    assert_non_null(strstr(text, want));
    free(text);
    yaa_metrics_registry_free(r);
}

/* ---- the contract's metrics on the default registry ------------------------------------- */

static void test_contract_metrics(void **state) {
    (void)state;
    yaa_metrics_http_observe("GET", "/api/v1/pipeline/runs/{run_id}", 200, 0.012);
    yaa_metrics_http_observe("GET", "/api/v1/pipeline/runs/{run_id}", 200, 0.3);
    yaa_metrics_http_observe("POST", "/api/v1/pipeline/run", 503, 0.001);
    yaa_metrics_run_created();
    yaa_metrics_run_finished("failed");
    yaa_metrics_run_duration("tech_kr", 95);
    yaa_metrics_stage_duration("script_writer", 3.5);
    yaa_metrics_queue_stats("pipeline", 4, 1, 0);
    yaa_metrics_llm("anthropic", "claude-sonnet-4-20250514", 1200, 350, 0.00885, "ok");
    yaa_metrics_llm("offline", "offline", 10, 20, 0, "ok");
    yaa_usage_event ev = {.provider = "openai",
                          .model = "text-embedding-3-small",
                          .kind = YAA_USAGE_EMBEDDING,
                          .prompt_tokens = 42,
                          .cost_usd = 0.5,
                          .outcome = YAA_USAGE_OK};
    yaa_metrics_usage(&ev);
    ev = (yaa_usage_event){.provider = "elevenlabs",
                           .model = "eleven_multilingual_v2",
                           .kind = YAA_USAGE_TTS,
                           .units = 900,
                           .cost_usd = 0.25,
                           .outcome = YAA_USAGE_RETRY};
    yaa_metrics_usage(&ev);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(yaa_metrics_render(&b), 0);
    const char *t = yaa_buf_cstr(&b);
    static const char *const want[] = {
        "yaa_http_requests_total{method=\"GET\",path=\"/api/v1/pipeline/runs/{run_id}\","
        "status=\"200\"} 2\n",
        "yaa_http_requests_total{method=\"POST\",path=\"/api/v1/pipeline/run\",status=\"503\"} "
        "1\n",
        "yaa_http_request_duration_seconds_bucket{method=\"GET\",path=\"/api/v1/pipeline/runs/"
        "{run_id}\",le=\"0.025\"} 1\n",
        "yaa_http_request_duration_seconds_count{method=\"GET\",path=\"/api/v1/pipeline/runs/"
        "{run_id}\"} 2\n",
        "yaa_pipeline_runs_total{status=\"pending\"} 1\n",
        "yaa_pipeline_runs_total{status=\"failed\"} 1\n",
        "yaa_pipeline_runs_total{status=\"completed\"} 0\n",
        "yaa_pipeline_duration_seconds_bucket{channel_id=\"tech_kr\",le=\"120\"} 1\n",
        "yaa_stage_duration_seconds_sum{stage=\"script_writer\"} 3.5\n",
        "yaa_queue_depth{queue=\"pipeline\"} 4\n",
        "yaa_queue_jobs{queue=\"pipeline\",state=\"delayed\"} 1\n",
        "yaa_queue_jobs{queue=\"pipeline\",state=\"dead\"} 0\n",
        "yaa_llm_tokens_total{provider=\"anthropic\",model=\"claude-sonnet-4-20250514\","
        "kind=\"prompt\"} 1200\n",
        "yaa_llm_tokens_total{provider=\"anthropic\",model=\"claude-sonnet-4-20250514\","
        "kind=\"completion\"} 350\n",
        "yaa_llm_cost_usd_total{provider=\"anthropic\",model=\"claude-sonnet-4-20250514\"} "
        "0.00885\n",
        "yaa_llm_cost_usd_total{provider=\"offline\",model=\"offline\"} 0\n",
        "yaa_llm_requests_total{provider=\"anthropic\",model=\"claude-sonnet-4-20250514\","
        "outcome=\"ok\"} 1\n",
        "yaa_log_lines_dropped_total{reason=\"buffer_full\"} 0\n",
        "yaa_llm_tokens_total{provider=\"openai\",model=\"text-embedding-3-small\","
        "kind=\"prompt\"} 42\n",
        "yaa_llm_cost_usd_total{provider=\"elevenlabs\",model=\"eleven_multilingual_v2\"} "
        "0.25\n",
        "yaa_llm_requests_total{provider=\"elevenlabs\",model=\"eleven_multilingual_v2\","
        "outcome=\"retry\"} 1\n",
        "# TYPE process_cpu_seconds_total counter\n",
        "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_virtual_memory_bytes gauge\n",
        "# TYPE process_open_fds gauge\n",
        "# TYPE process_max_fds gauge\n",
        "# TYPE process_start_time_seconds gauge\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(t, want[i])) fail_msg("missing from the exposition: %s\n---\n%s", want[i], t);
    }
    yaa_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge_exact), cmocka_unit_test(test_histogram_exact),
        cmocka_unit_test(test_default_buckets),     cmocka_unit_test(test_validation),
        cmocka_unit_test(test_format_double),       cmocka_unit_test(test_cardinality_cap),
        cmocka_unit_test(test_concurrent_exact),    cmocka_unit_test(test_contract_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
