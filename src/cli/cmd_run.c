/* cmd_run.c - `yaa run`: one pipeline in the foreground, progress on stderr, artifact paths
 * (or JSON) on stdout. Running the same channel and topic again resumes the unfinished run
 * from its last checkpoint. */
#include "cli/cli.h"

#include "channels/channels.h"
#include "core/util.h"
#include "db/db.h"
#include "metrics/metrics.h"
#include "pipeline/budget.h"
#include "pipeline/pipeline.h"
#include "pipeline/review.h"
#include "db/run_store.h"
#include "media/media.h"
#include "queue/queue.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    double t0;
    bool tty;
} progress_state;

static void on_event(void *ud, const yaa_pipeline_event *ev) {
    progress_state *ps = ud;
    double t = yaa_mono_sec() - ps->t0;
    switch (ev->kind) {
    case YAA_PIPELINE_EV_STAGE:
        if (strcmp(ev->status, "running") == 0)
            fprintf(stderr, "[%6.1fs] %-16s started\n", t, ev->stage);
        else
            fprintf(stderr, "[%6.1fs] %-16s %s in %.1fs%s%s\n", t, ev->stage, ev->status,
                    ev->elapsed_sec, ev->message ? ": " : "", ev->message ? ev->message : "");
        break;
    case YAA_PIPELINE_EV_LOG:
        fprintf(stderr, "[%6.1fs] %-16s %s\n", t, ev->stage ? ev->stage : "", ev->message);
        break;
    case YAA_PIPELINE_EV_DONE: fprintf(stderr, "[%6.1fs] run %s\n", t, ev->status); break;
    }
}

/* ---- SIGINT / SIGTERM ----------------------------------------------------------------------
 * The first signal asks the pipeline to stop: the stage in flight is interrupted (its ffmpeg
 * killed), the run is marked failed ("interrupted") and the same command resumes it. A second
 * signal kills the children at once and exits. A SIGKILL takes the children along through
 * their parent-death signal (media/proc.c). */
static volatile sig_atomic_t run_signal;

static void on_run_signal(int sig) {
    if (run_signal) {
        yaa_media_kill_children();
        _exit(128 + sig);
    }
    run_signal = sig;
}

static bool run_should_stop(void *ud, const char *run_id) {
    (void)ud;
    (void)run_id;
    return run_signal != 0;
}

static void run_signals_install(bool on) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_run_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The run stopped by a signal: failed with why, so `yaa run` (same topic) or retry resumes it. */
static void mark_interrupted(yaa_db *db, const char *run_id) {
    char line[160];
    snprintf(line, sizeof line,
             "interrupted by signal %d (yaa run stopped); run the same command "
             "again to resume from the last checkpoint",
             (int)run_signal);
    yaa_err ignore = {0};
    yaa_db_runstore_run_add_error(db, run_id, line, &ignore);
    yaa_db_runstore_run_set_status(db, run_id, "failed", NULL, &ignore);
}

/* ---- the run's sign of life --------------------------------------------------------------
 * A foreground run has no queue job: it touches its run a few times per reconcile grace
 * period so the workers' reconciler (queue/reconcile.c) leaves it alone. */
typedef struct keepalive {
    yaa_db *db;
    const char *run_id;
    long every_sec;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
} keepalive;

static void *keepalive_main(void *arg) {
    keepalive *k = arg;
    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += k->every_sec;
        pthread_cond_timedwait(&k->cv, &k->mu, &ts);
        if (k->stop) break;
        yaa_err ignore = {0};
        yaa_queue_run_touch(k->db, k->run_id, &ignore);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

static int usage(void) {
    fprintf(stderr,
            "Usage: yaa run --channel ID --topic \"...\" [--dry-run] [--short] "
            "[--from-stage S] [--new] [--json]\n"
            "                       [--review none|script|video|both] [--publish-at T]\n"
            "       yaa run --channel ID --topics FILE [--dry-run] [--short] "
            "[--review M] [--publish-at T] [--json]\n"
            "  --review      stop for a person after the script and/or the video\n"
            "                (default: the channel's publishing.review; yaa review)\n"
            "  --publish-at  schedule the YouTube publication (RFC 3339, future)\n"
            "  --topics      one topic a line, or CSV with a topic column (and\n"
            "                publish_at, review): a batch, queued for yaa serve / worker\n");
    return YAA_EXIT_USAGE;
}

int yaa_cmd_run(yaa_cli *cli) {
    const char *channel = NULL, *topic = NULL, *from = NULL, *brand = "";
    const char *topics_file = NULL, *review = NULL, *publish_at_in = NULL;
    bool dry_run = false, short_video = false, json_out = false, fresh = false;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!a) break;
        const char *next = i + 1 < cli->argc ? cli->argv[i + 1] : NULL;
        if (strcmp(a, "--channel") == 0 && next)
            channel = cli->argv[++i];
        else if (strcmp(a, "--topic") == 0 && next)
            topic = cli->argv[++i];
        else if (strcmp(a, "--brand-name") == 0 && next)
            brand = cli->argv[++i];
        else if (strcmp(a, "--from-stage") == 0 && next)
            from = cli->argv[++i];
        else if (strcmp(a, "--topics") == 0 && next)
            topics_file = cli->argv[++i];
        else if (strcmp(a, "--review") == 0 && next)
            review = cli->argv[++i];
        else if (strcmp(a, "--publish-at") == 0 && next)
            publish_at_in = cli->argv[++i];
        else if (strcmp(a, "--dry-run") == 0)
            dry_run = true;
        else if (strcmp(a, "--short") == 0)
            short_video = true;
        else if (strcmp(a, "--json") == 0)
            json_out = true;
        else if (strcmp(a, "--new") == 0)
            fresh = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return YAA_EXIT_OK;
        } else {
            yaa_cli_usage_error("run: unexpected argument '%s'", a);
            return usage();
        }
    }
    char publish_at[YAA_TIME_LEN + 1] = "";
    yaa_err oerr = {0};
    if (review && yaa_review_mode_parse(review) < 0)
        return yaa_cli_usage_error("run: --review '%s' is not none, script, video or both", review);
    if (publish_at_in && yaa_review_publish_at(publish_at_in, publish_at, &oerr))
        return yaa_cli_usage_error("run: --publish-at: %s", oerr.msg);
    yaa_db_runstore_spec spec = {.channel_id = channel,
                                 .topic = topic,
                                 .brand_name = brand,
                                 .dry_run = dry_run,
                                 .short_video = short_video,
                                 .review = review,
                                 .publish_at = publish_at[0] ? publish_at : NULL};
    if (channel && topics_file && !topic) {
        if (!yaa_channels_id_valid(channel))
            return yaa_cli_usage_error("run: channel id '%s' must match ^[A-Za-z0-9_-]{1,100}$",
                                       channel);
        return yaa_cli_run_topics(cli, &spec, topics_file, json_out);
    }
    if (!channel || !topic || !*topic) {
        yaa_cli_usage_error("run: --channel and --topic are required");
        return usage();
    }
    if (from && yaa_stage_index(from) < 0)
        return yaa_cli_usage_error("run: --from-stage '%s' is not a stage (%s)", from,
                                   yaa_stage_list_text());
    if (!yaa_channels_id_valid(channel))
        return yaa_cli_usage_error("run: channel id '%s' must match ^[A-Za-z0-9_-]{1,100}$",
                                   channel);

    yaa_err err = {0};
    yaa_channel *ch = NULL;
    if (yaa_channels_in_db(cli->cfg)) { /* CHANNELS_STORE=db: the folder is a cache of it */
        yaa_db *cdb = NULL;
        if (yaa_cli_open_db(cli, "run", true, &cdb)) return YAA_EXIT_FAIL;
        int prc = yaa_channels_db_pull(cli->cfg, cdb, channel, &err);
        yaa_db_close(cdb);
        if (prc) return yaa_cli_fail("run: %s", err.msg);
    }
    if (yaa_channels_load(cli->cfg->channels_dir, channel, &ch, &err)) {
        char named[160]; /* the registry's messages usually name the channel already */
        snprintf(named, sizeof named, "channel '%s'", channel);
        if (strstr(err.msg, named)) return yaa_cli_fail("run: %s", err.msg);
        return yaa_cli_fail("run: %s: %s", named, err.msg);
    }

    yaa_db *db = NULL;
    int rc = YAA_EXIT_FAIL;
    if (yaa_cli_open_db(cli, "run", true, &db)) goto out;
    /* Keep the channels table in step with the folders, as `yaa serve` does at start. */
    if (yaa_channels_sync(db, cli->cfg->channels_dir, NULL, &err)) {
        yaa_cli_fail("run: channels: %s", err.msg);
        goto out;
    }
    if (yaa_budget_check_start(db, ch, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    char run_id[37] = "";
    if (!fresh && yaa_db_runstore_run_find_unfinished(db, channel, topic, run_id, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    if (*run_id) {
        fprintf(stderr, "resuming run %s (use --new for a fresh run)\n", run_id);
    } else if (yaa_db_runstore_run_create_spec(db, &spec, run_id, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    } else {
        fprintf(stderr, "run %s: %s / %s (provider %s)\n", run_id, channel, topic,
                cli->cfg->llm_provider);
    }

    yaa_media_sweep_temp(cli->cfg->output_dir);
    progress_state ps = {yaa_mono_sec(), isatty(2) != 0};
    yaa_pipeline_env env = {cli->cfg, db, on_event, &ps, run_should_stop, NULL};
    yaa_run_options opts = {from, short_video};
    run_signals_install(true);
    keepalive ka = {.db = db, .run_id = run_id, .every_sec = cli->cfg->reconcile_grace_sec / 3};
    if (ka.every_sec < 1) ka.every_sec = 1;
    pthread_mutex_init(&ka.mu, NULL);
    pthread_cond_init(&ka.cv, NULL);
    pthread_t ka_thread;
    bool ka_on = pthread_create(&ka_thread, NULL, keepalive_main, &ka) == 0;
    int prc = yaa_pipeline_execute(&env, run_id, &opts, &err);
    if (ka_on) {
        pthread_mutex_lock(&ka.mu);
        ka.stop = true;
        pthread_cond_signal(&ka.cv);
        pthread_mutex_unlock(&ka.mu);
        pthread_join(ka_thread, NULL);
    }
    pthread_mutex_destroy(&ka.mu);
    pthread_cond_destroy(&ka.cv);
    if (run_signal && prc == YAA_ECANCELLED) mark_interrupted(db, run_id);

    yaa_db_runstore_run run = {0};
    yaa_err e2 = {0};
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/%s", cli->cfg->output_dir, run_id);
    static const char *names[] = {"research.json", "script.md", "metadata.json", "subtitles.srt",
                                  "thumbnail.png", "video.mp4", "publish.json"};
    if (json_out) {
        json_t *j = json_object();
        json_object_set_new(j, "run_id", json_string(run_id));
        if (yaa_db_runstore_run_get(db, run_id, &run, &e2) == 0)
            json_object_set_new(j, "status", json_string(run.status));
        json_object_set_new(j, "output_dir", json_string(out_dir));
        if (prc) json_object_set_new(j, "error", json_string(err.msg));
        json_t *arts = json_object(); /* the same paths the text output lists */
        for (size_t i = 0; prc == 0 && i < sizeof names / sizeof names[0]; i++) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", out_dir, names[i]);
            json_object_set_new(arts, names[i], json_string(path));
        }
        json_object_set_new(j, "artifacts", arts);
        char *s = json_dumps(j, JSON_INDENT(2));
        if (s) puts(s);
        free(s);
        json_decref(j);
    } else {
        printf("run_id: %s\n", run_id);
        if (prc == 0 && yaa_db_runstore_run_get(db, run_id, &run, &e2) == 0 &&
            strcmp(run.status, "awaiting_review") == 0)
            fprintf(stderr,
                    "run %s waits for review: yaa review show %s, then yaa review approve %s\n",
                    run_id, run_id, run_id);
        for (size_t i = 0; prc == 0 && i < sizeof names / sizeof names[0]; i++)
            printf("%-14s %s/%s\n", names[i], out_dir, names[i]);
    }
    yaa_db_runstore_run_free(&run);
    run_signals_install(false);
    if (run_signal && prc == YAA_ECANCELLED) {
        yaa_cli_fail("run %s interrupted by signal %d; run the same command again to resume it",
                     run_id, (int)run_signal);
        rc = 128 + run_signal;
    } else if (prc) {
        if (prc != YAA_ECANCELLED) yaa_metrics_run_finished("failed");
        yaa_cli_fail("run %s failed: %s", run_id, err.msg);
    } else {
        rc = YAA_EXIT_OK;
    }
out:
    yaa_channel_free(ch);
    yaa_db_close(db);
    return rc;
}
