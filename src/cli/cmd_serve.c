/* cmd_serve.c - `yaa serve [--host H] [--port P] [--workers N]`: migrates the database, opens
 * the queue, starts the API and N in-process workers, and shuts down gracefully on SIGTERM or
 * SIGINT (stop accepting, finish requests in flight, workers stop at a checkpoint). */
#include "cli/cli.h"

#include "api/api.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "queue/queue.h"
#include "worker/worker.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int yaa_cli_cmd_serve(yaa_cli *cli) {
    const char *host = NULL;
    long port = 0, workers = 2;
    bool port_set = false, workers_set = false;
    const yaa_cli_opt opts[] = {
        {.flag = "--host", .text = &host},
        {.flag = "--port", .number = &port, .min = 0, .max = 65535, .seen = &port_set},
        {.flag = "--workers", .number = &workers, .min = 0, .max = 64, .seen = &workers_set},
    };
    int rc = yaa_cli_parse_opts(cli, "serve", opts, sizeof opts / sizeof opts[0]);
    if (rc) return rc;
    yaa_config *cfg = cli->cfg;
    yaa_err err = {0};
    yaa_db *db = NULL;
    yaa_queue *queue = NULL;
    yaa_api *api = NULL;
    yaa_worker_pool *pool = NULL;
    int exit_code = YAA_EXIT_FAIL;
    if (yaa_cli_open_db(cli, "serve", true, &db)) goto out;
    if (yaa_cli_open_queue(cli, "serve", db, &queue)) goto out;
    yaa_api_opts o = {.cfg = cfg, .db = db, .queue = queue, .host = host, .port = port};
    if (port_set && port == 0) o.port = -1; /* --port 0: any free port */
    if (yaa_api_new(&o, &api, &err) != 0 || yaa_api_auth_bootstrap(api, &err) != 0) {
        yaa_cli_fail("serve: %s", err.msg);
        goto out;
    }
    if (yaa_api_channels_sync(api, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "serve", "channels table not synced", YAA_F_STR("error", err.msg),
                   YAA_F_END);
    /* Handlers before the socket opens: a client that sees /health answer may stop us at
     * once, and that SIGTERM must be a clean stop, not the default kill. */
    yaa_cli_catch_stop_signals();
    if (yaa_api_listen(api, &err) != 0) {
        yaa_cli_fail("serve: %s", err.msg);
        goto out;
    }
    /* In-process workers are the embedded default (db queue); with a shared queue (Redis)
     * only when asked for with --workers, `yaa worker` processes doing the work otherwise. */
    bool inproc = strcmp(yaa_queue_name(queue), "db") == 0 || workers_set;
    if (inproc && workers > 0) {
        yaa_worker_opts wo = {.cfg = cfg,
                              .db = db,
                              .queue = queue,
                              .concurrency = (int)workers,
                              .reconcile_grace_sec = (int)cfg->reconcile_grace_sec};
        if (yaa_worker_pool_start(&wo, &pool, &err) != 0) {
            yaa_cli_fail("serve: workers: %s", err.msg);
            goto out;
        }
    }
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%ld", yaa_api_port(api));
    yaa_log_ev(YAA_LOG_INFO, "serve", "listening", YAA_F_STR("host", host ? host : cfg->api_host),
               YAA_F_INT("port", yaa_api_port(api)), YAA_F_STR("database", yaa_db_kind_name(db)),
               YAA_F_STR("queue", yaa_queue_name(queue)), YAA_F_INT("workers", pool ? workers : 0),
               YAA_F_END);
    /* A line for scripts and tests that started us with --port 0. */
    fprintf(stderr, "yaa: serving on http://%s:%s\n", host ? host : cfg->api_host, portstr);
    while (!yaa_cli_stop_signal()) pause();
    yaa_log_ev(YAA_LOG_INFO, "serve", "shutting down", YAA_F_INT("signal", yaa_cli_stop_signal()),
               YAA_F_END);
    yaa_worker_pool_stop(pool);
    exit_code = YAA_EXIT_OK;
out:
    yaa_api_free(api);
    yaa_worker_pool_free(pool);
    yaa_queue_close(queue);
    yaa_db_close(db);
    if (exit_code == YAA_EXIT_OK) yaa_log_ev(YAA_LOG_INFO, "serve", "stopped", YAA_F_END);
    return exit_code;
}
