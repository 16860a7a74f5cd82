/* metrics_demo.c - a small process exposing yaa's metrics after a fixed workload, for the
 * integration tests (Prometheus scrape, promtool, metric names) and the Loki test.
 *
 *   metrics_demo --dump                     print the exposition after the workload and exit
 *   metrics_demo --port P                   serve it on 127.0.0.1:P (0 = free; prints "PORT n")
 *                                           until SIGTERM/SIGINT
 *   metrics_demo --loki URL --run-id ID     log a run's lines (as the pipeline does) to Loki
 *                                           through the shipper, flush and exit */
#include "core/log.h"
#include "metrics/loki.h"
#include "metrics/metrics.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void workload(void) {
    for (int i = 0; i < 3; i++) yaa_metrics_http_observe("GET", "/api/v1/pipeline/runs", 200, 0.02);
    yaa_metrics_http_observe("POST", "/api/v1/pipeline/run", 202, 0.04);
    yaa_metrics_http_observe("POST", "/api/v1/pipeline/run", 202, 0.06);
    yaa_metrics_http_observe("GET", "/health", 503, 0.001);
    yaa_metrics_run_created();
    yaa_metrics_run_created();
    yaa_metrics_run_finished("completed");
    yaa_metrics_run_finished("failed");
    yaa_metrics_run_duration("tech_kr", 95);
    static const char *const stages[] = {"brand_researcher", "script_writer", "seo_optimizer",
                                         "media_generator",  "media_editor",  "publisher"};
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        yaa_metrics_stage_duration(stages[i], 2.0 * (double)(i + 1));
    yaa_metrics_queue_stats("pipeline", 3, 1, 0);
    yaa_metrics_llm("anthropic", "claude-sonnet-4-20250514", 1200, 350, 0.00885, "ok");
    yaa_metrics_llm("openai", "gpt-4o", 500, 100, 0.0025, "ok");
    yaa_metrics_llm("openai", "gpt-4o", 0, 0, 0, "error");
}

static int dump(void) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    int rc = yaa_metrics_render(&b);
    if (!rc) fwrite(yaa_buf_cstr(&b), 1, b.len, stdout);
    yaa_buf_free(&b);
    return rc ? 1 : 0;
}

static int serve(int port) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the listener's threads start */
    yaa_err err = {0};
    yaa_metrics_listener *l = NULL;
    if (yaa_metrics_listen("127.0.0.1", port, NULL, &l, &err)) {
        fprintf(stderr, "metrics_demo: %s\n", err.msg);
        return 1;
    }
    printf("PORT %d\n", yaa_metrics_listener_port(l));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    yaa_metrics_listener_stop(l);
    return 0;
}

static int ship(const char *url, const char *run_id) {
    yaa_log_setup(YAA_LOG_DEBUG, true, stderr);
    yaa_loki_config c;
    yaa_metrics_loki_config_default(&c);
    c.url = url;
    yaa_err err = {0};
    if (yaa_metrics_loki_start(&c, &err)) {
        fprintf(stderr, "metrics_demo: %s\n", err.msg);
        return 1;
    }
    yaa_log_ctx ctx = {.run_id = run_id, .channel_id = "tech_kr", .job_id = "job-1"};
    yaa_log_ctx_set(&ctx);
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "run started", YAA_F_STR("topic", "demo"), YAA_F_END);
    static const char *const stages[] = {"brand_researcher", "script_writer"};
    for (size_t i = 0; i < 2; i++) {
        ctx.stage = stages[i];
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage started", YAA_F_END);
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage finished", YAA_F_INT("duration_ms", 1200),
                   YAA_F_END);
    }
    ctx.stage = "seo_optimizer";
    yaa_log_ev(YAA_LOG_ERROR, "pipeline", "stage failed",
               YAA_F_STR("error", "llm: provider error (status 500)"), YAA_F_END);
    yaa_log_ctx_set(NULL);
    yaa_log_ev(YAA_LOG_INFO, "api", "request", YAA_F_STR("method", "GET"),
               YAA_F_STR("path", "/health"), YAA_F_INT("status", 200), YAA_F_END);
    yaa_metrics_loki_stop();
    yaa_loki_stats st;
    yaa_metrics_loki_get_stats(&st);
    printf("shipped %llu dropped %llu\n", (unsigned long long)st.shipped,
           (unsigned long long)(st.dropped_full + st.dropped_failed + st.dropped_rejected));
    return st.shipped == st.queued ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *loki = NULL, *run_id = "run-demo";
    int port = -1;
    bool want_dump = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump") == 0)
            want_dump = true;
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--loki") == 0 && i + 1 < argc)
            loki = argv[++i];
        else if (strcmp(argv[i], "--run-id") == 0 && i + 1 < argc)
            run_id = argv[++i];
        else {
            fprintf(stderr, "usage: metrics_demo --dump | --port P | --loki URL [--run-id ID]\n");
            return 2;
        }
    }
    if (loki) return ship(loki, run_id);
    workload();
    if (want_dump) return dump();
    if (port >= 0) return serve(port);
    fprintf(stderr, "usage: metrics_demo --dump | --port P | --loki URL [--run-id ID]\n");
    return 2;
}
