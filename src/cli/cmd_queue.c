/* cmd_queue.c - `yaa queue stats | dead list [--limit N] | dead requeue ID`: the job queue of
 * QUEUE_URL (db or redis://) seen from the command line. Output is JSON on stdout. */
#include "cli/cli.h"

#include "core/buf.h"
#include "db/db.h"
#include "queue/queue.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int do_stats(yaa_queue *q) {
    yaa_queue_stats st;
    yaa_err err = {0};
    if (yaa_queue_stats_get(q, &st, &err) != 0) return yaa_cli_fail("queue stats: %s", err.msg);
    return yaa_cli_print_json(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "backend",
                                        yaa_queue_name(q), "queue", YAA_QUEUE_PIPELINE, "queued",
                                        (json_int_t)st.queued, "delayed", (json_int_t)st.delayed,
                                        "running", (json_int_t)st.running, "done",
                                        (json_int_t)st.done, "dead", (json_int_t)st.dead,
                                        "cancelled", (json_int_t)st.cancelled),
                              JSON_SORT_KEYS);
}

static int do_dead_list(yaa_queue *q, long limit) {
    yaa_dead_job *d = NULL;
    size_t n = 0;
    yaa_err err = {0};
    if (yaa_queue_dead_list(q, limit, &d, &n, &err) != 0)
        return yaa_cli_fail("queue dead list: %s", err.msg);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", d[i].id, "run_id",
                                             d[i].run_id, "attempts", d[i].attempts, "last_error",
                                             d[i].last_error, "failed_at", d[i].failed_at));
    free(d);
    return yaa_cli_print_json(json_pack("{s:o}", "dead", arr), JSON_SORT_KEYS);
}

static int do_requeue(yaa_queue *q, const char *id) {
    yaa_err err = {0};
    if (yaa_queue_requeue(q, id, &err) != 0)
        return yaa_cli_fail("queue dead requeue %s: %s (see yaa queue dead list)", id, err.msg);
    return yaa_cli_print_json(json_pack("{s:s, s:s}", "requeued", id, "status", "queued"),
                              JSON_SORT_KEYS);
}

int yaa_cli_cmd_queue(yaa_cli *cli) {
    int argc = cli->argc;
    char **argv = cli->argv;
    const char *what = argc > 1 ? argv[1] : NULL;
    long limit = 100;
    int mode = 0; /* 1 stats, 2 dead list, 3 requeue */
    if (what && strcmp(what, "stats") == 0 && argc == 2) {
        mode = 1;
    } else if (what && strcmp(what, "dead") == 0 && argc >= 3 && strcmp(argv[2], "list") == 0) {
        if (argc == 5 && strcmp(argv[3], "--limit") == 0) {
            if (yaa_parse_long(argv[4], 1, 100000, &limit) != 0)
                return yaa_cli_usage_error("queue dead list: --limit must be 1-100000");
        } else if (argc != 3) {
            return yaa_cli_usage_error("queue dead list: usage: yaa queue dead list [--limit N]");
        }
        mode = 2;
    } else if (what && strcmp(what, "dead") == 0 && argc == 4 && strcmp(argv[2], "requeue") == 0) {
        mode = 3;
    } else {
        return yaa_cli_usage_error(
            "queue: usage: yaa queue stats | dead list [--limit N] | dead requeue ID");
    }
    yaa_db *db = NULL;
    yaa_queue *q = NULL;
    int rc = YAA_EXIT_FAIL;
    /* requeue also puts the run back to pending, so it needs the database on redis too. */
    bool need_db =
        !cli->cfg->queue_url || strncmp(cli->cfg->queue_url, "redis", 5) != 0 || mode == 3;
    if (need_db) {
        if (yaa_cli_open_db(cli, "queue", true, &db)) goto out;
    }
    if ((rc = yaa_cli_open_queue(cli, "queue", db, &q)) != 0) goto out;
    rc = mode == 1 ? do_stats(q) : mode == 2 ? do_dead_list(q, limit) : do_requeue(q, argv[3]);
out:
    yaa_queue_close(q);
    yaa_db_close(db);
    return rc;
}
