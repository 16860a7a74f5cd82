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
#include <stdlib.h>
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

static const char usage_text[] =
    "Usage: yaa run --channel ID --topic \"...\" [options]\n"
    "       yaa run --run RUN_ID [--from-stage S] [--json]\n"
    "       yaa run --channel ID --topics FILE [--dry-run] [--short] [--review M] [--publish-at "
    "T]\n"
    "\n"
    "Runs one pipeline in the foreground: progress on stderr, the artifact paths (or JSON) on\n"
    "stdout. The same channel and topic again resumes the unfinished run from its last\n"
    "checkpoint; with --from-stage it runs the newest run of that topic again from stage S,\n"
    "finished or not, reusing the stages before S.\n"
    "\n"
    "Options:\n"
    "  --channel ID      the channel (a folder of CHANNELS_DIR) to make the video for\n"
    "  --topic TEXT      what the video is about: one line, 1-500 characters (trimmed)\n"
    "  --run RUN_ID      continue or redo this run (its channel and topic) instead\n"
    "  --from-stage S    start at stage S, keeping the checkpoints before it (one of:\n"
    "                    %s)\n"
    "  --topics FILE     one topic a line, or CSV with a topic column (and publish_at,\n"
    "                    review): a batch, queued for yaa serve / yaa worker\n"
    "  --brand-name N    the brand name to use instead of the brand guide's\n"
    "  --dry-run         do not upload: publish.json holds the upload requests\n"
    "  --short           a vertical 1080x1920 YouTube Short\n"
    "  --review M        stop for a person after the script and/or the video: none, script,\n"
    "                    video or both (default: the channel's publishing.review; yaa review)\n"
    "  --publish-at T    schedule the YouTube publication (RFC 3339, in the future)\n"
    "  --new             always start a fresh run, even if one of this topic is unfinished\n"
    "  --json            print the result as one JSON object\n"
    "  -h, --help        this help\n";

static int usage(FILE *out) {
    fprintf(out, usage_text, yaa_agents_stage_list_text());
    return YAA_EXIT_USAGE;
}

/* The run to continue: --run's, else with --from-stage the newest run of the topic (even a
 * completed one: redoing its later stages must not re-render everything), else the newest
 * unfinished one. "" when a new run is needed. */
static int pick_run(yaa_db *db, const char *given, const char *channel, const char *topic,
                    bool from_stage, char run_id[37], yaa_err *err) {
    run_id[0] = '\0';
    if (given) {
        snprintf(run_id, 37, "%s", given);
        return 0;
    }
    return yaa_db_runstore_run_find_latest(db, channel, topic, from_stage, run_id, err);
}

int yaa_cli_cmd_run(yaa_cli *cli) {
    const char *channel = NULL, *topic_arg = NULL, *from = NULL, *brand = "", *given_run = NULL;
    const char *topics_file = NULL, *review = NULL, *publish_at_in = NULL;
    bool dry_run = false, short_video = false, json_out = false, fresh = false;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!a) break;
        const char **dst = strcmp(a, "--channel") == 0      ? &channel
                           : strcmp(a, "--topic") == 0      ? &topic_arg
                           : strcmp(a, "--brand-name") == 0 ? &brand
                           : strcmp(a, "--from-stage") == 0 ? &from
                           : strcmp(a, "--run") == 0        ? &given_run
                           : strcmp(a, "--topics") == 0     ? &topics_file
                           : strcmp(a, "--review") == 0     ? &review
                           : strcmp(a, "--publish-at") == 0 ? &publish_at_in
                                                            : NULL;
        if (dst) {
            if (!(*dst = yaa_cli_value(cli, &i, "run"))) return YAA_EXIT_USAGE;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(a, "--short") == 0) {
            short_video = true;
        } else if (strcmp(a, "--json") == 0) {
            json_out = true;
        } else if (strcmp(a, "--new") == 0) {
            fresh = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return YAA_EXIT_OK;
        } else {
            return yaa_cli_usage_error("run: unexpected argument '%s' (see `yaa run --help`)", a);
        }
    }
    char publish_at[YAA_TIME_LEN + 1] = "";
    yaa_err oerr = {0};
    if (review && yaa_pipeline_review_mode_parse(review) < 0)
        return yaa_cli_usage_error("run: --review '%s' is not none, script, video or both", review);
    if (publish_at_in && yaa_pipeline_review_publish_at(publish_at_in, publish_at, &oerr))
        return yaa_cli_usage_error("run: --publish-at: %s", oerr.msg);
    yaa_db_runstore_spec spec = {.channel_id = channel,
                                 .topic = topic_arg,
                                 .brand_name = brand,
                                 .dry_run = dry_run,
                                 .short_video = short_video,
                                 .review = review,
                                 .publish_at = publish_at[0] ? publish_at : NULL};
    if (channel && topics_file && !topic_arg) {
        if (!yaa_channels_id_valid(channel))
            return yaa_cli_usage_error("run: channel id '%s' must match ^[A-Za-z0-9_-]{1,100}$",
                                       channel);
        return yaa_cli_run_topics(cli, &spec, topics_file, json_out);
    }
    if (from && yaa_agents_stage_index(from) < 0)
        return yaa_cli_usage_error("run: --from-stage '%s' is not a stage (%s)", from,
                                   yaa_agents_stage_list_text());
    if (given_run && (channel || topic_arg || fresh || topics_file))
        return yaa_cli_usage_error("run: --run takes the run's own channel and topic; leave out "
                                   "--channel, --topic, --topics and --new");
    if (given_run && !yaa_uuid_valid(given_run))
        return yaa_cli_usage_error("run: --run '%s' is not a run id (a UUID)", given_run);
    if (!given_run && (!channel || !topic_arg)) {
        yaa_cli_usage_error("run: --channel and --topic are required (or --run RUN_ID)");
        return usage(stderr);
    }
    yaa_err err = {0};
    char *topic = NULL; /* trimmed and checked; owned */
    if (!given_run && yaa_pipeline_topic_clean(topic_arg, &topic, &err))
        return yaa_cli_usage_error("run: --topic: %s", err.msg);
    yaa_db *db = NULL;
    yaa_channel *ch = NULL;
    yaa_db_runstore_run given = {0};
    int rc = YAA_EXIT_FAIL;
    if (yaa_cli_open_db(cli, "run", true, &db)) goto out;
    if (given_run) { /* the run's channel and topic come from the database */
        if (yaa_db_runstore_run_get(db, given_run, &given, &err)) {
            yaa_cli_fail("run: --run %s: %s", given_run, err.msg);
            goto out;
        }
        channel = given.channel_id;
        topic = strdup(given.topic ? given.topic : "");
    }
    spec.channel_id = channel;
    spec.topic = topic;
    if (!yaa_channels_id_valid(channel)) {
        rc = yaa_cli_usage_error("run: channel id '%s' must match ^[A-Za-z0-9_-]{1,100}$", channel);
        goto out;
    }
    if (yaa_channels_in_db(cli->cfg) && /* CHANNELS_STORE=db: the folder is a cache of it */
        yaa_channels_db_pull(cli->cfg, db, channel, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    if (yaa_channels_load(cli->cfg->channels_dir, channel, &ch, &err)) {
        char named[160]; /* the registry's messages usually name the channel already */
        snprintf(named, sizeof named, "channel '%s'", channel);
        if (strstr(err.msg, named))
            yaa_cli_fail("run: %s", err.msg);
        else
            yaa_cli_fail("run: %s: %s", named, err.msg);
        goto out;
    }
    /* Keep the channels table in step with the folders, as `yaa serve` does at start. */
    if (yaa_channels_sync(db, cli->cfg->channels_dir, NULL, &err)) {
        yaa_cli_fail("run: channels: %s", err.msg);
        goto out;
    }
    if (yaa_pipeline_budget_check_start(db, ch, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    char run_id[37] = "";
    if (!fresh && pick_run(db, given_run, channel, topic, from != NULL, run_id, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    if (*run_id && from) {
        fprintf(stderr,
                "run %s again from %s, reusing its earlier stages (--new for a fresh run)\n",
                run_id, from);
    } else if (*run_id) {
        fprintf(stderr, "resuming run %s (use --new for a fresh run)\n", run_id);
    } else if (yaa_db_runstore_run_create_spec(db, &spec, run_id, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    } else {
        fprintf(stderr, "run %s: %s / %s (provider %s)\n", run_id, channel, topic,
                cli->cfg->llm_provider);
    }
    if (strcmp(cli->cfg->llm_provider, "offline") == 0)
        fprintf(stderr, "no LLM configured: the offline composer writes a brand-template script; "
                        "content about the topic itself needs an LLM (README: \"A local LLM\")\n");

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
        yaa_cli_print_json(j, 0);
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
    yaa_channels_free(ch);
    yaa_db_close(db);
    yaa_db_runstore_run_free(&given);
    free(topic);
    return rc;
}
