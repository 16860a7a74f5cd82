/* common.c - what several commands share: opening (and migrating) the database, opening the
 * queue, numeric options, JSON output, the graceful-stop signals. */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"
#include "queue/queue.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yaa_cli_open_db(const yaa_cli *cli, const char *cmd, bool migrate, yaa_db **out) {
    yaa_err err = {0};
    *out = NULL;
    /* The driver's message already names the (password-redacted) URL. */
    if (yaa_db_open(cli->cfg->database_url, out, &err))
        return yaa_cli_fail("%s: DATABASE_URL: %s", cmd, err.msg);
    int applied = 0;
    if (migrate && yaa_db_upgrade(*out, cli->cfg->migrations_dir, -1, &applied, &err)) {
        yaa_db_close(*out);
        *out = NULL;
        return yaa_cli_fail("%s: migrations: %s", cmd, err.msg);
    }
    if (applied)
        yaa_log_ev(YAA_LOG_INFO, cmd, "migrations applied", YAA_F_INT("count", applied), YAA_F_END);
    return 0;
}

int yaa_cli_open_queue(const yaa_cli *cli, const char *cmd, yaa_db *db, yaa_queue **out) {
    yaa_err err = {0};
    if (yaa_queue_open(cli->cfg->queue_url, db, out, &err))
        return yaa_cli_fail("%s: %s", cmd, err.msg);
    yaa_queue_tune(*out, (int)cli->cfg->queue_max_attempts, (int)cli->cfg->queue_lease_sec,
                   (int)cli->cfg->queue_backoff_sec);
    return 0;
}

int yaa_cli_long_option(const char *cmd, const char *flag, const char *value, long min, long max,
                        long *out) {
    if (yaa_parse_long(value, min, max, out) == 0) return 0;
    return yaa_cli_usage_error("%s: %s must be %ld-%ld, got '%s'", cmd, flag, min, max, value);
}

const char *yaa_cli_value(const yaa_cli *cli, int *i, const char *cmd) {
    const char *flag = cli->argv[*i];
    const char *v = *i + 1 < cli->argc ? cli->argv[*i + 1] : NULL;
    /* "--channel --topic x": the next flag is not a value; say which flag lacks one. */
    if (!v || (v[0] == '-' && v[1] == '-' && v[2])) {
        yaa_cli_usage_error("%s: %s needs a value (see `yaa %s --help`)", cmd, flag, cmd);
        return NULL;
    }
    (*i)++;
    return v;
}

int yaa_cli_parse_opts(const yaa_cli *cli, const char *cmd, const yaa_cli_opt *opts, size_t n) {
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        const yaa_cli_opt *o = NULL;
        for (size_t k = 0; k < n && !o; k++)
            if (strcmp(a, opts[k].flag) == 0) o = &opts[k];
        if (!o)
            return yaa_cli_usage_error("%s: unknown option '%s' (see yaa %s --help)", cmd, a, cmd);
        const char *v = yaa_cli_value(cli, &i, cmd);
        if (!v) return YAA_EXIT_USAGE;
        if (o->number && yaa_cli_long_option(cmd, a, v, o->min, o->max, o->number))
            return YAA_EXIT_USAGE;
        if (o->text) *o->text = v;
        if (o->seen) *o->seen = true;
    }
    return 0;
}

int yaa_cli_print_json(json_t *j, size_t flags) {
    char *s = j ? json_dumps(j, JSON_INDENT(2) | flags) : NULL;
    json_decref(j);
    if (!s) return yaa_cli_fail("out of memory");
    puts(s);
    free(s);
    return YAA_EXIT_OK;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

void yaa_cli_catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int yaa_cli_stop_signal(void) { return stop_signal; }
