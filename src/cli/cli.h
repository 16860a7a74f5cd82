/* cli.h - the `yaa` command table: each subcommand lives in its own cmd_<name>.c. */
#ifndef YAA_CLI_H
#define YAA_CLI_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of the contract. */
enum { YAA_EXIT_OK = 0, YAA_EXIT_FAIL = 1, YAA_EXIT_USAGE = 2 };

/* What every command receives: the loaded configuration and its arguments
 * (argv[0] is the command name, e.g. "db"). */
typedef struct yaa_cli {
    yaa_config *cfg;
    int argc;
    char **argv;
} yaa_cli;

typedef int (*yaa_cmd_fn)(yaa_cli *cli);

/* Each is defined by src/cli/cmd_<name>.c; a command whose file is not there yet is
 * a weak NULL and answers "not available yet" with exit 2. */
int yaa_cli_cmd_serve(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_worker(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_run(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_channels(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_db(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_keys(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_rag(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_usage(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_queue(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_review(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_artifacts(yaa_cli *cli) __attribute__((weak));
int yaa_cli_cmd_check(yaa_cli *cli) __attribute__((weak));

struct yaa_db;
/* Opens DATABASE_URL (and, with migrate, applies pending migrations, logging how many) for
 * command `cmd`; on failure prints "yaa: <cmd>: DATABASE_URL: <why>" (the driver redacts the
 * password) and returns YAA_EXIT_FAIL. */
int yaa_cli_open_db(const yaa_cli *cli, const char *cmd, bool migrate, struct yaa_db **out);
/* Opens QUEUE_URL's queue over db, tuned by the YAA_QUEUE_* variables; on failure prints
 * "yaa: <cmd>: <why>" and returns YAA_EXIT_FAIL. */
struct yaa_queue;
int yaa_cli_open_queue(const yaa_cli *cli, const char *cmd, struct yaa_db *db,
                       struct yaa_queue **out);

/* True if argv holds -h or --help (before a "--"). */
int yaa_cli_wants_help(int argc, char **argv);
/* Prints "yaa: <msg>" to stderr and returns YAA_EXIT_USAGE. */
int yaa_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses the value of a numeric option in [min,max]; otherwise prints
 * "yaa: <cmd>: <flag> must be <min>-<max>, got '<value>'" and returns YAA_EXIT_USAGE. */
int yaa_cli_long_option(const char *cmd, const char *flag, const char *value, long min, long max,
                        long *out);
/* `yaa channels connect-youtube | disconnect-youtube | youtube-status` (argv[1] names which;
 * cmd_channels_youtube.c). */
int yaa_cli_channels_youtube(yaa_cli *cli);
/* `yaa run --channel ID --topics FILE`: a batch of runs from a file, queued
 * (cmd_run_topics.c); base holds the channel and the options every run shares. */
struct yaa_db_runstore_spec;
int yaa_cli_run_topics(yaa_cli *cli, const struct yaa_db_runstore_spec *base, const char *file,
                       bool json_out);
/* The value after the option at argv[*i], moving *i onto it; NULL (after printing
 * "yaa: <cmd>: <flag> needs a value") when there is none or the next word is another --flag. */
const char *yaa_cli_value(const yaa_cli *cli, int *i, const char *cmd);
/* Prints j (indented by 2, plus jansson's flags, e.g. JSON_SORT_KEYS) on stdout and drops the
 * reference; YAA_EXIT_OK, or YAA_EXIT_FAIL ("out of memory") when j is NULL or cannot be
 * written. */
struct json_t;
int yaa_cli_print_json(struct json_t *j, size_t flags);
/* A long-running command's graceful stop: SIGTERM and SIGINT are recorded (read with
 * yaa_cli_stop_signal(), 0 until one arrives) instead of ending the process; SIGPIPE is
 * ignored. */
void yaa_cli_catch_stop_signals(void);
int yaa_cli_stop_signal(void);
/* One option of a command: `flag VALUE` into *text, or a whole number in [min, max] into
 * *number; *seen (may be NULL) is set when it was given. */
typedef struct yaa_cli_opt {
    const char *flag;
    const char **text;
    long *number;
    long min, max;
    bool *seen;
} yaa_cli_opt;
/* Parses argv[1..] against opts[0..n); an unknown option, a missing value or a number out of
 * range is a usage error ("yaa: <cmd>: ...") and returns YAA_EXIT_USAGE, else 0. */
int yaa_cli_parse_opts(const yaa_cli *cli, const char *cmd, const yaa_cli_opt *opts, size_t n);
/* Prints "yaa: <msg>" to stderr and returns YAA_EXIT_FAIL. */
int yaa_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
