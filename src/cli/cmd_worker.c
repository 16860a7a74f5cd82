/* cmd_worker.c - `yaa worker [--concurrency N] [--metrics-port P] [--metrics-host H]`: a
 * worker process. Opens the
 * database and the queue (QUEUE_URL: db or redis://), runs N worker threads (src/worker:
 * claim, execute with checkpoints, ack; leases renewed), serves its own /metrics, refreshes
 * the queue gauges every few seconds, and on SIGTERM/SIGINT stops gracefully: running
 * pipelines stop at their next checkpoint and their jobs are given back for re-delivery.
 * Per-job timeout: YAA_JOB_TIMEOUT_SEC (default 3600). Metrics port: --metrics-port P (0 = any
 * free port); by default 9101, or a free port when 9101 is taken (several workers on a host);
 * on --metrics-host (default 127.0.0.1: metrics stay on the machine unless asked). */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "metrics/metrics.h"
#include "queue/queue.h"
#include "worker/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_METRICS_PORT 9101

/* Queue gauges for /metrics; logs a failure once until it recovers. */
static void refresh_stats(yaa_queue *q, bool *warned) {
    yaa_queue_stats st;
    yaa_err err = {0};
    if (yaa_queue_stats_get(q, &st, &err) == 0) {
        yaa_metrics_queue_stats(YAA_QUEUE_PIPELINE, (double)st.queued, (double)st.delayed,
                                (double)st.dead);
        yaa_metrics_queue_jobs(YAA_QUEUE_PIPELINE, "running", (double)st.running);
        *warned = false;
    } else if (!*warned) {
        yaa_log_ev(YAA_LOG_WARN, "worker", "queue stats unavailable", YAA_F_STR("error", err.msg),
                   YAA_F_END);
        *warned = true;
    }
}

int yaa_cli_cmd_worker(yaa_cli *cli) {
    long concurrency = 2, metrics_port = -1;
    const char *metrics_host = "127.0.0.1";
    const yaa_cli_opt opts[] = {
        {.flag = "--concurrency", .number = &concurrency, .min = 1, .max = 64},
        {.flag = "--metrics-host", .text = &metrics_host},
        {.flag = "--metrics-port", .number = &metrics_port, .min = 0, .max = 65535},
    };
    int rc = yaa_cli_parse_opts(cli, "worker", opts, sizeof opts / sizeof opts[0]);
    if (rc) return rc;
    yaa_config *cfg = cli->cfg;
    yaa_err err = {0};
    yaa_db *db = NULL;
    yaa_queue *queue = NULL;
    yaa_worker_pool *pool = NULL;
    yaa_metrics_listener *ml = NULL;
    int exit_code = YAA_EXIT_FAIL;
    if (yaa_cli_open_db(cli, "worker", true, &db)) goto out;
    if (yaa_cli_open_queue(cli, "worker", db, &queue)) goto out;
    if (yaa_queue_ping(queue, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "worker", "queue not reachable yet; will keep trying",
                   YAA_F_STR("error", err.msg), YAA_F_END);
    if (metrics_port < 0) { /* default: 9101, or any free port when another worker has it */
        if (yaa_metrics_listen(metrics_host, DEFAULT_METRICS_PORT, NULL, &ml, &err) != 0) {
            yaa_log_ev(YAA_LOG_INFO, "worker", "metrics port 9101 busy; using a free port",
                       YAA_F_END);
            err = (yaa_err){0};
            metrics_port = 0;
        }
    }
    if (!ml && yaa_metrics_listen(metrics_host, (int)metrics_port, NULL, &ml, &err) != 0) {
        yaa_cli_fail("worker: --metrics-host %s --metrics-port %ld: %s", metrics_host, metrics_port,
                     err.msg);
        goto out;
    }
    yaa_cli_catch_stop_signals();
    yaa_worker_opts wo = {.cfg = cfg,
                          .db = db,
                          .queue = queue,
                          .concurrency = (int)concurrency,
                          .job_timeout_sec = (int)cfg->job_timeout_sec,
                          .reconcile_grace_sec = (int)cfg->reconcile_grace_sec};
    if (yaa_worker_pool_start(&wo, &pool, &err) != 0) {
        yaa_cli_fail("worker: %s", err.msg);
        goto out;
    }
    yaa_log_ev(YAA_LOG_INFO, "worker", "started", YAA_F_STR("queue", yaa_queue_name(queue)),
               YAA_F_STR("database", yaa_db_kind_name(db)), YAA_F_INT("concurrency", concurrency),
               YAA_F_INT("job_timeout_sec", wo.job_timeout_sec),
               YAA_F_INT("metrics_port", ml ? yaa_metrics_listener_port(ml) : -1), YAA_F_END);
    /* Lines for scripts and tests. */
    fprintf(stderr, "yaa: worker metrics on http://%s:%d/metrics\n", metrics_host,
            yaa_metrics_listener_port(ml));
    fprintf(stderr, "yaa: worker started (%ld threads, queue %s)\n", concurrency,
            yaa_queue_name(queue));
    bool warned = false;
    for (int tick = 0; !yaa_cli_stop_signal(); tick++) {
        if (tick % 5 == 0) refresh_stats(queue, &warned);
        sleep(1);
    }
    yaa_log_ev(YAA_LOG_INFO, "worker", "shutting down", YAA_F_INT("signal", yaa_cli_stop_signal()),
               YAA_F_INT("busy", yaa_worker_pool_busy(pool)), YAA_F_END);
    yaa_worker_pool_stop(pool);
    exit_code = YAA_EXIT_OK;
out:
    yaa_worker_pool_free(pool);
    yaa_metrics_listener_stop(ml);
    yaa_queue_close(queue);
    yaa_db_close(db);
    if (exit_code == YAA_EXIT_OK) yaa_log_ev(YAA_LOG_INFO, "worker", "stopped", YAA_F_END);
    return exit_code;
}
