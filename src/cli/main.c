/* main.c - `yaa`: loads the configuration, sets up logging and dispatches a subcommand. */
#include "cli/cli.h"

#include "core/log.h"
#include "llm/pricing.h"
#include "metrics/loki.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *name;
    yaa_cmd_fn fn;
    const char *usage;
    const char *summary;
    /* The options, one line each, for commands whose file prints no help of its own
     * (the others answer --help themselves, with their subcommands). */
    const char *options;
} command;

static const command *commands(size_t *n) {
    static command table[12];
    static const command init[] = {
        {"serve", NULL, "serve [--host H] [--port P] [--workers N]", "API, dashboard and /metrics",
         "  --host H          address to listen on (default API_HOST, 127.0.0.1)\n"
         "  --port P          port to listen on (default API_PORT, 8000)\n"
         "  --workers N       in-process workers running pipelines with the db queue, 0-64\n"
         "                    (default 2; 0 = API only)\n"
         "  -h, --help        this help\n"},
        {"worker", NULL, "worker [--concurrency N] [--metrics-port P] [--metrics-host H]",
         "a worker process: claims jobs and runs pipelines",
         "  --concurrency N   pipelines run at once, 1-64 (default 2)\n"
         "  --metrics-port P  port of this worker's /metrics (default 9101; 0 = none)\n"
         "  --metrics-host H  address of /metrics (default 127.0.0.1)\n"
         "  -h, --help        this help\n"},
        {"run", NULL,
         "run --channel ID --topic \"...\" | --topics FILE [--dry-run] [--short] [--review M] "
         "[--publish-at T] [--from-stage S] [--new] [--json]",
         "run one pipeline in the foreground"},
        {"channels", NULL,
         "channels list | show ID | validate ID... | --all | sync | import [DIR] | export ID DIR",
         "the channel registry"},
        {"db", NULL, "db upgrade | downgrade [N] | history | current", "database migrations"},
        {"keys", NULL,
         "keys create --name N [--scopes read,write,admin] [--expires-days D] | list | revoke ID",
         "API keys"},
        {"rag", NULL, "rag index [--channel ID] | query --channel ID \"text\" [-k K] | eval FILE",
         "brand retrieval"},
        {"usage", NULL,
         "usage [--from T] [--to T] [--group-by agent|provider|model|day|run|channel] [--json]",
         "spend and tokens"},
        {"queue", NULL, "queue stats | dead list [--limit N] | dead requeue ID",
         "the job queue of QUEUE_URL (JSON on stdout)",
         "  stats             depth: queued, delayed, running, done, dead, cancelled\n"
         "  dead list         the dead letters (jobs that used up their attempts)\n"
         "  dead requeue ID   puts a dead job (and its run) back in the queue\n"
         "  --limit N         dead list: at most N jobs, 1-100000\n"
         "  -h, --help        this help\n"},
        {"review", NULL, "review list | show ID | approve ID | reject ID --notes N | edit ID ...",
         "runs waiting at a review gate"},
        {"artifacts", NULL, "artifacts gc [--days N] [--dry-run]",
         "delete the artifacts of old finished runs"},
        {"check", NULL, "check RUN_DIR [--json]",
         "recompute a run folder's quality.json (loudness, stills, captions, metadata)"},
    };
    /* Weak symbols resolve at link time, so the table is filled at run time. */
    yaa_cmd_fn fns[] = {yaa_cli_cmd_serve,    yaa_cli_cmd_worker,    yaa_cli_cmd_run,
                        yaa_cli_cmd_channels, yaa_cli_cmd_db,        yaa_cli_cmd_keys,
                        yaa_cli_cmd_rag,      yaa_cli_cmd_usage,     yaa_cli_cmd_queue,
                        yaa_cli_cmd_review,   yaa_cli_cmd_artifacts, yaa_cli_cmd_check};
    for (size_t i = 0; i < sizeof init / sizeof init[0]; i++) {
        table[i] = init[i];
        table[i].fn = fns[i];
    }
    *n = sizeof init / sizeof init[0];
    return table;
}

int yaa_cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    }
    return 0;
}

/* One line "yaa: <msg>" on stderr; returns code. */
static int cli_complain(int code, const char *fmt, va_list ap) {
    fputs("yaa: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return code;
}

int yaa_cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_complain(YAA_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return rc;
}

int yaa_cli_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_complain(YAA_EXIT_FAIL, fmt, ap);
    va_end(ap);
    return rc;
}

static void print_help(FILE *out) {
    size_t n;
    const command *t = commands(&n);
    fprintf(out, "yaa %s - a YouTube content agency in a box\n\nUsage: yaa <command> [options]\n\n",
            YAA_VERSION);
    for (size_t i = 0; i < n; i++) fprintf(out, "  %-10s %s\n", t[i].name, t[i].summary);
    fprintf(out, "  %-10s %s\n\n", "version", "print the version");
    fprintf(out, "Run `yaa <command> --help` for a command's options.\n"
                 "Configuration comes from the environment and ./.env: `yaa help config` lists\n"
                 "every variable (docs/CONFIG.md).\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_help(stderr);
        return YAA_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc > 2 && strcmp(argv[2], "config") == 0) {
        yaa_config_write_markdown(stdout); /* the table of docs/CONFIG.md */
        return YAA_EXIT_OK;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return YAA_EXIT_OK;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("yaa %s\n", YAA_VERSION);
        return YAA_EXIT_OK;
    }
    size_t n;
    const command *t = commands(&n);
    const command *cmd = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0) cmd = &t[i];
    if (!cmd) {
        fprintf(stderr, "yaa: unknown command '%s'\n\n", name);
        print_help(stderr);
        return YAA_EXIT_USAGE;
    }
    if (!cmd->fn) {
        fprintf(stderr, "yaa: '%s' is not available yet in this build\n", name);
        return YAA_EXIT_USAGE;
    }
    if (yaa_cli_wants_help(argc - 1, argv + 1) && cmd->options) {
        printf("Usage: yaa %s\n\n%s.\n\nOptions:\n%s", cmd->usage, cmd->summary, cmd->options);
        return YAA_EXIT_OK;
    }
    yaa_config cfg;
    yaa_err err = {0};
    if (yaa_config_load(&cfg, NULL, &err)) {
        fprintf(stderr, "yaa: %s\n", err.msg);
        return YAA_EXIT_USAGE;
    }
    /* Logs go to stdout for services; CLI commands that print results log to stderr. */
    int service = strcmp(name, "serve") == 0 || strcmp(name, "worker") == 0;
    yaa_log_setup(cfg.log_level, cfg.log_json, service ? stdout : stderr);
    /* A person at a terminal reads a one-shot command's warnings and errors as text beside its
     * progress; JSON records stay for pipes, files and an explicit LOG_FORMAT. */
    if (!service && !yaa_config_was_set(&cfg, "LOG_FORMAT") && isatty(STDERR_FILENO))
        yaa_log_set_console(yaa_config_was_set(&cfg, "LOG_LEVEL") ? cfg.log_level : YAA_LOG_WARN);
    if (yaa_metrics_loki_start_url(cfg.loki_url, &err))
        fprintf(stderr, "yaa: %s\n", err.msg); /* LOKI_URL */
    /* A bad PRICING_FILE is a start-up error naming the file and line, not a failed run. */
    if (cfg.pricing_file && yaa_llm_pricing_load(cfg.pricing_file, &err)) {
        fprintf(stderr, "yaa: PRICING_FILE: %s\n", err.msg);
        yaa_config_free(&cfg);
        return YAA_EXIT_USAGE;
    }
    yaa_cli cli = {&cfg, argc - 1, argv + 1};
    int rc = cmd->fn(&cli);
    yaa_metrics_loki_stop(); /* pushes what is buffered, within 5 s */
    yaa_config_free(&cfg);
    return rc;
}
