/* cmd_artifacts.c - `yaa artifacts gc [--days N] [--dry-run]`: deletes the artifacts of
 * finished runs older than ARTIFACT_RETENTION_DAYS from the artifact store (the run folders
 * under OUTPUT_DIR with the file store; every object under runs/<id>/ and its run_artifacts
 * rows with S3). The runs themselves, their checkpoints and usage stay. Meant for cron. */
#include "cli/cli.h"

#include "core/util.h"
#include "db/artifacts_repo.h"
#include "db/db.h"
#include "store/store.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "Usage: yaa artifacts gc [--days N] [--dry-run]\n"
    "\n"
    "Deletes the artifacts of runs that finished (completed, failed, cancelled) more than N\n"
    "days ago (default ARTIFACT_RETENTION_DAYS, now %ld) from the artifact store\n"
    "(ARTIFACT_STORE, now %s). Runs, checkpoints and usage are kept.\n";

typedef struct gc_count {
    yaa_store *st;
    bool dry_run;
    size_t objects;
    uint64_t bytes;
    int rc;
    yaa_err *err;
} gc_count;

static int gc_object(void *ud, const char *key, const yaa_store_stat *ss) {
    gc_count *g = ud;
    g->objects++;
    g->bytes += ss->size;
    if (g->dry_run) return 0;
    int rc = yaa_store_delete(g->st, key, g->err);
    return rc;
}

/* Runs fetched per query: bounded memory whatever the backlog. */
#define GC_PAGE 500

static int gc(yaa_cli *cli, long days, bool dry_run) {
    yaa_db *db = NULL;
    if (yaa_cli_open_db(cli, "artifacts gc", true, &db)) return YAA_EXIT_FAIL;
    yaa_err err = {0};
    yaa_store *st = NULL;
    if (yaa_store_open(cli->cfg, &st, &err)) {
        yaa_db_close(db);
        return yaa_cli_fail("artifacts gc: %s", err.msg);
    }
    bool file = yaa_store_is_file(st);
    char cutoff[YAA_DB_TIME_LEN + 1];
    yaa_db_time(time(NULL) - (time_t)days * 86400, cutoff);
    gc_count g = {.st = st, .dry_run = dry_run, .err = &err};
    size_t runs = 0;
    int rc = 0;
    yaa_arena a, keep;
    yaa_arena_init(&a, 16 * 1024);
    yaa_arena_init(&keep, 256);
    yaa_db_expired_run last = {0};
    bool more = true;
    while (more && !rc) {
        yaa_db_expired_run *batch = NULL;
        size_t n = 0;
        yaa_arena_reset(&a);
        /* Pages by (updated_at, id) after the last run handled: every expired run is seen
         * once, whether it had a folder, was deleted, or is only counted (--dry-run). */
        rc = yaa_db_artifacts_expired_runs(db, cutoff, !file, last.id ? &last : NULL, GC_PAGE, &a,
                                           &batch, &n, &err);
        if (rc) break;
        more = n == GC_PAGE;
        for (size_t i = 0; !rc && i < n; i++) {
            const char *id = batch[i].id;
            if (file) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof dir, "%s/%s", cli->cfg->output_dir, id);
                struct stat s;
                if (stat(dir, &s) != 0) continue; /* nothing left of this run */
                g.bytes += yaa_store_tree(dir, !dry_run, &g.objects);
            } else {
                char prefix[128];
                snprintf(prefix, sizeof prefix, "runs/%s/", id);
                rc = yaa_store_list(st, prefix, gc_object, &g, &err);
                if (!rc && !dry_run) rc = yaa_db_artifacts_delete_run(db, id, &err);
            }
            runs++;
        }
        if (n) {
            yaa_arena_reset(&keep);
            last.id = yaa_arena_strdup(&keep, batch[n - 1].id);
            last.updated_at = yaa_arena_strdup(&keep, batch[n - 1].updated_at);
            if (!last.id || !last.updated_at) rc = yaa_err_set(&err, YAA_ENOMEM, "out of memory");
        }
    }
    yaa_arena_free(&keep);
    yaa_arena_free(&a);
    yaa_store_close(st);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("artifacts gc: %s", err.msg);
    printf("%s%zu run%s older than %ld day%s: %zu file%s, %.1f MB\n",
           dry_run ? "would delete (dry run) " : "deleted ", runs, runs == 1 ? "" : "s", days,
           days == 1 ? "" : "s", g.objects, g.objects == 1 ? "" : "s", (double)g.bytes / 1e6);
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_artifacts(yaa_cli *cli) {
    if (yaa_cli_wants_help(cli->argc, cli->argv) || cli->argc < 2) {
        FILE *out = cli->argc < 2 ? stderr : stdout;
        fprintf(out, usage, cli->cfg->artifact_retention_days, cli->cfg->artifact_store);
        return cli->argc < 2 ? YAA_EXIT_USAGE : YAA_EXIT_OK;
    }
    if (strcmp(cli->argv[1], "gc") != 0)
        return yaa_cli_usage_error("unknown artifacts command '%s' (gc)", cli->argv[1]);
    long days = cli->cfg->artifact_retention_days;
    bool dry_run = false;
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(a, "--days") == 0) {
            if (yaa_cli_long_option("artifacts gc", a, i + 1 < cli->argc ? cli->argv[i + 1] : NULL,
                                    0, 36500, &days))
                return YAA_EXIT_USAGE;
            i++;
        } else {
            return yaa_cli_usage_error("artifacts gc: unknown argument '%s' (--days N, --dry-run)",
                                       a);
        }
    }
    return gc(cli, days, dry_run);
}
