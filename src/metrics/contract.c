/* contract.c - the metrics of docs/CONTRACT.md "Metrics" on the process-wide registry, and the
 * helpers other libraries call at the place each thing happens. */
#include "metrics/metrics.h"

#include "net/usage.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static const double pipeline_buckets[] = {1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600};
static const double stage_buckets[] = {0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800};

static struct {
    yaa_registry *reg;
    yaa_family *http_requests, *http_duration;
    yaa_family *runs, *run_duration, *stage_duration;
    yaa_family *queue_depth, *queue_jobs, *disk_free;
    yaa_family *llm_tokens, *llm_cost, *llm_requests;
    yaa_family *log_dropped, *log_shipped, *build_info;
} g;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define L(...) ((const char *const[]){__VA_ARGS__})

static yaa_family *add(yaa_metric_type t, const char *name, const char *help, size_t n,
                       const char *const *labels, const double *buckets, size_t nb) {
    yaa_err err = {0};
    yaa_family *f = yaa_metrics_registry_add(g.reg, t, name, help, n, labels, buckets, nb, &err);
    if (!f) fprintf(stderr, "metrics: %s\n", err.msg); /* only on out of memory */
    return f;
}

static void init_default(void) {
    g.reg = yaa_metrics_registry_new();
    if (!g.reg) return;
    g.build_info = add(YAA_METRIC_GAUGE, "yaa_build_info", "yaa version; the value is always 1.", 1,
                       L("version"), NULL, 0);
    yaa_metrics_gauge_set(yaa_metrics_family_series(g.build_info, L(YAA_VERSION)), 1);
    g.http_requests = add(YAA_METRIC_COUNTER, "yaa_http_requests_total",
                          "HTTP requests answered, by method, route template and status code.", 3,
                          L("method", "path", "status"), NULL, 0);
    g.http_duration = add(YAA_METRIC_HISTOGRAM, "yaa_http_request_duration_seconds",
                          "Time to answer an HTTP request, by method and route template.", 2,
                          L("method", "path"), NULL, 0);
    g.runs = add(YAA_METRIC_COUNTER, "yaa_pipeline_runs_total",
                 "Pipeline runs by status: pending when accepted, then completed, failed or "
                 "cancelled when they end.",
                 1, L("status"), NULL, 0);
    static const char *const statuses[] = {"pending", "completed", "failed", "cancelled"};
    for (size_t i = 0; i < N(statuses); i++) yaa_metrics_family_series(g.runs, &statuses[i]);
    g.run_duration = add(YAA_METRIC_HISTOGRAM, "yaa_pipeline_duration_seconds",
                         "Wall time of a whole pipeline run, by channel.", 1, L("channel_id"),
                         pipeline_buckets, N(pipeline_buckets));
    g.stage_duration =
        add(YAA_METRIC_HISTOGRAM, "yaa_stage_duration_seconds", "Wall time of one pipeline stage.",
            1, L("stage"), stage_buckets, N(stage_buckets));
    g.queue_depth = add(YAA_METRIC_GAUGE, "yaa_queue_depth",
                        "Jobs waiting to be claimed, by queue.", 1, L("queue"), NULL, 0);
    g.disk_free = add(YAA_METRIC_GAUGE, "yaa_disk_free_bytes",
                      "Free space on the file system of a folder yaa writes (output), as of the "
                      "last /health or /metrics request.",
                      1, L("path"), NULL, 0);
    g.queue_jobs =
        add(YAA_METRIC_GAUGE, "yaa_queue_jobs", "Jobs by queue and state (pending, delayed, dead).",
            2, L("queue", "state"), NULL, 0);
    g.llm_tokens = add(YAA_METRIC_COUNTER, "yaa_llm_tokens_total",
                       "LLM tokens by provider, model and kind (prompt, completion).", 3,
                       L("provider", "model", "kind"), NULL, 0);
    g.llm_cost = add(YAA_METRIC_COUNTER, "yaa_llm_cost_usd_total",
                     "Estimated LLM spend in US dollars, by provider and model.", 2,
                     L("provider", "model"), NULL, 0);
    g.llm_requests = add(YAA_METRIC_COUNTER, "yaa_llm_requests_total",
                         "LLM requests by provider, model and outcome.", 3,
                         L("provider", "model", "outcome"), NULL, 0);
    g.log_dropped = add(YAA_METRIC_COUNTER, "yaa_log_lines_dropped_total",
                        "Log lines not shipped to Loki, by reason (buffer_full, push_failed, "
                        "rejected).",
                        1, L("reason"), NULL, 0);
    static const char *const reasons[] = {"buffer_full", "push_failed", "rejected"};
    for (size_t i = 0; i < N(reasons); i++) yaa_metrics_family_series(g.log_dropped, &reasons[i]);
    g.log_shipped = add(YAA_METRIC_COUNTER, "yaa_log_lines_shipped_total",
                        "Log lines accepted by Loki.", 0, NULL, NULL, 0);
    yaa_metrics_registry_add_collector(g.reg, yaa_metrics_process_collect, NULL);
}

static inline void ensure(void) { pthread_once(&g_once, init_default); }

yaa_registry *yaa_metrics_default(void) {
    ensure();
    return g.reg;
}

int yaa_metrics_render(yaa_buf *out) {
    ensure();
    return g.reg ? yaa_metrics_registry_render(g.reg, out) : YAA_ENOMEM;
}

void yaa_metrics_http_observe(const char *method, const char *route, int status, double seconds) {
    ensure();
    char st[16];
    if (status >= 100 && status <= 999) { /* the usual case, without snprintf */
        st[0] = (char)('0' + status / 100);
        st[1] = (char)('0' + status / 10 % 10);
        st[2] = (char)('0' + status % 10);
        st[3] = 0;
    } else {
        snprintf(st, sizeof st, "%d", status);
    }
    yaa_metrics_counter_inc(yaa_metrics_family_series(g.http_requests, L(method, route, st)));
    yaa_metrics_histogram_observe(yaa_metrics_family_series(g.http_duration, L(method, route)),
                                  seconds);
}

void yaa_metrics_run_created(void) { yaa_metrics_run_finished("pending"); }

void yaa_metrics_run_finished(const char *status) {
    ensure();
    yaa_metrics_counter_inc(yaa_metrics_family_series(g.runs, &status));
}

void yaa_metrics_run_duration(const char *channel_id, double seconds) {
    ensure();
    yaa_metrics_histogram_observe(yaa_metrics_family_series(g.run_duration, &channel_id), seconds);
}

void yaa_metrics_stage_duration(const char *stage, double seconds) {
    ensure();
    yaa_metrics_histogram_observe(yaa_metrics_family_series(g.stage_duration, &stage), seconds);
}

void yaa_metrics_queue_depth(const char *queue, double n) {
    ensure();
    yaa_metrics_gauge_set(yaa_metrics_family_series(g.queue_depth, &queue), n);
}

void yaa_metrics_disk_free(const char *path, double bytes) {
    ensure();
    yaa_metrics_gauge_set(yaa_metrics_family_series(g.disk_free, &path), bytes);
}

void yaa_metrics_queue_jobs(const char *queue, const char *state, double n) {
    ensure();
    yaa_metrics_gauge_set(yaa_metrics_family_series(g.queue_jobs, L(queue, state)), n);
}

void yaa_metrics_queue_stats(const char *queue, double pending, double delayed, double dead) {
    if (pending >= 0) {
        yaa_metrics_queue_depth(queue, pending);
        yaa_metrics_queue_jobs(queue, "pending", pending);
    }
    if (delayed >= 0) yaa_metrics_queue_jobs(queue, "delayed", delayed);
    if (dead >= 0) yaa_metrics_queue_jobs(queue, "dead", dead);
}

void yaa_metrics_llm(const char *provider, const char *model, long prompt_tokens,
                     long completion_tokens, double cost_usd, const char *outcome) {
    ensure();
    yaa_metrics_counter_inc(yaa_metrics_family_series(g.llm_requests, L(provider, model, outcome)));
    if (prompt_tokens > 0)
        yaa_metrics_counter_add(
            yaa_metrics_family_series(g.llm_tokens, L(provider, model, "prompt")),
            (double)prompt_tokens);
    if (completion_tokens > 0)
        yaa_metrics_counter_add(
            yaa_metrics_family_series(g.llm_tokens, L(provider, model, "completion")),
            (double)completion_tokens);
    yaa_series *cost = yaa_metrics_family_series(g.llm_cost, L(provider, model));
    if (cost_usd > 0) yaa_metrics_counter_add(cost, cost_usd);
}

void yaa_metrics_usage(const yaa_usage_event *ev) {
    if (!ev) return;
    const char *provider = ev->provider ? ev->provider : "unknown";
    const char *model = ev->model ? ev->model : "unknown";
    bool tokens = ev->kind == YAA_USAGE_CHAT || ev->kind == YAA_USAGE_EMBEDDING;
    yaa_metrics_llm(provider, model, tokens ? ev->prompt_tokens : 0,
                    tokens ? ev->completion_tokens : 0, ev->cost_usd > 0 ? ev->cost_usd : 0,
                    yaa_net_usage_outcome_name(ev->outcome));
}

void yaa_metrics_log_dropped(const char *reason, long n) {
    ensure();
    if (n > 0)
        yaa_metrics_counter_add(yaa_metrics_family_series(g.log_dropped, &reason), (double)n);
}

void yaa_metrics_log_shipped(long n) {
    ensure();
    if (n > 0) yaa_metrics_counter_add(yaa_metrics_family_series0(g.log_shipped), (double)n);
}
