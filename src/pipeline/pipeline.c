/* pipeline.c - the orchestrator: walks the stage table for one run, checkpointing each
 * stage's output in run_stages so a retried or re-delivered run resumes where it stopped
 * and never pays twice for finished work; stops at a review gate the run asked for
 * (review.h) until a person approves.
 *
 * yaa_pipeline_execute reads as its steps: load the run -> check the request -> prepare
 * (folder, channel, checkpoints) -> for each stage: gate? -> begin -> run the agent ->
 * finish -> complete. Every way out (fail_run, stop_run, stop_at_gate) leaves the run's
 * status saying what happened. */
#include "pipeline/pipeline.h"

#include "pipeline/budget.h"
#include "pipeline/pipeline_internal.h"
#include "pipeline/review.h"

#include "agents/agent.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "metrics/metrics.h"
#include "db/run_store.h"

#include <stdio.h>
#include <string.h>

typedef struct run_exec {
    const yaa_pipeline_env *env;
    const yaa_run_options *opts;
    const char *run_id;
    const char *stage;
    double stage_t0;
    double t0;
    uint64_t last_db_check_ns;
    bool cancel_seen; /* the run was cancelled (its status says so) */
    bool interrupted; /* the process is stopping: leave the run for re-delivery */
    yaa_db_runstore_run run;
    yaa_db_runstore_stage st[YAA_STAGE_COUNT];
    yaa_channel *channel;
    json_t *outputs[YAA_STAGE_COUNT];
    char out_dir[4096];
    yaa_log_ctx lctx;
    int review;        /* YAA_REVIEW_* bits the run stops at */
    const char *notes; /* the last rejection's notes (in run.review_state) */
    int notes_from;    /* ... for the stages from this index on */
    const char *publish_at;
    int attempt; /* of the stage running */
} run_exec;

static void emit(run_exec *rx, yaa_pipeline_ev_kind kind, const char *stage, const char *status,
                 const char *message, double elapsed) {
    yaa_pipeline_event ev = {kind, rx->run_id, stage, status, message, elapsed};
    if (rx->env->on_event) rx->env->on_event(rx->env->event_ud, &ev);
    yaa_pipeline__publish(&ev);
}

static void on_progress(void *ud, const char *msg) {
    run_exec *rx = ud;
    yaa_log_ev(YAA_LOG_DEBUG, "pipeline", msg, YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_LOG, rx->stage, NULL, msg, yaa_mono_sec() - rx->stage_t0);
}

/* Stop work when the API marked the run cancelled in the database (polled at most twice a
 * second: media work calls this often), or when the caller's callback says to stop: then the
 * run is cancelled if the database says so (e.g. the worker's lease renewal reported the job
 * cancelled), else only interrupted, left for another worker to resume. */
static bool is_cancelled(void *ud) {
    run_exec *rx = ud;
    if (rx->cancel_seen || rx->interrupted) return true;
    bool stop = rx->env->should_cancel && rx->env->should_cancel(rx->env->cancel_ud, rx->run_id);
    uint64_t now = yaa_mono_ns();
    if (!stop && now - rx->last_db_check_ns < 500000000ull) return false;
    rx->last_db_check_ns = now;
    char status[32];
    if (yaa_db_runstore_run_status(rx->env->db, rx->run_id, status, sizeof status, NULL) == 0 &&
        strcmp(status, "cancelled") == 0)
        rx->cancel_seen = true;
    else if (stop)
        rx->interrupted = true;
    return rx->cancel_seen || rx->interrupted;
}

/* The researcher's retrieved chunks travel in its checkpoint; later stages (and resumed
 * runs) get them back into the brief from there. */
static void brief_context_from_research(yaa_agent_ctx *ctx) {
    const json_t *r = ctx->outputs[YAA_STAGE_BRAND_RESEARCHER];
    const json_t *arr = r ? json_object_get(r, "context") : NULL;
    size_t n = json_array_size(arr);
    if (!n) return;
    yaa_brief_chunk *c = yaa_arena_alloc(ctx->arena, n * sizeof *c);
    if (!c) return;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        c[i].section = json_string_value(json_object_get(o, "section"));
        c[i].text = json_string_value(json_object_get(o, "text"));
        c[i].score = json_number_value(json_object_get(o, "score"));
        if (!c[i].section) c[i].section = "";
        if (!c[i].text) c[i].text = "";
    }
    ctx->brief.context = c;
    ctx->brief.ncontext = n;
}

static json_t *result_of(const char *out_dir, json_t *outputs[]) {
    json_t *res = json_object();
    json_t *arts = json_array();
    static const char *names[] = {"research.json", "script.json",   "script.md", "metadata.json",
                                  "subtitles.srt", "thumbnail.png", "video.mp4", "publish.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_array_append_new(arts, json_string(names[i]));
    /* Per-section media, as artifact names relative to the run's folder. */
    const json_t *media = outputs[YAA_STAGE_MEDIA_GENERATOR];
    const json_t *segs = media ? json_object_get(media, "segments") : NULL;
    json_t *images = json_array(), *audio = json_array();
    size_t i, prefix = strlen(out_dir) + 1;
    const json_t *seg;
    json_array_foreach(segs, i, seg) {
        const char *img = json_string_value(json_object_get(seg, "image"));
        const char *wav = json_string_value(json_object_get(seg, "audio"));
        if (img && strlen(img) > prefix && strncmp(img, out_dir, prefix - 1) == 0)
            json_array_append_new(images, json_string(img + prefix));
        if (wav && strlen(wav) > prefix && strncmp(wav, out_dir, prefix - 1) == 0)
            json_array_append_new(audio, json_string(wav + prefix));
    }
    json_object_set_new(res, "output_dir", json_string(out_dir));
    json_object_set_new(res, "artifacts", arts);
    json_object_set_new(res, "images", images);
    json_object_set_new(res, "audio", audio);
    const json_t *meta = outputs[YAA_STAGE_SEO_OPTIMIZER];
    if (meta) json_object_set(res, "title", json_object_get(meta, "title"));
    const json_t *ed = outputs[YAA_STAGE_MEDIA_EDITOR];
    if (ed) json_object_set(res, "duration_seconds", json_object_get(ed, "duration_seconds"));
    json_t *pub = outputs[YAA_STAGE_PUBLISHER];
    if (pub) json_object_set(res, "publish", pub);
    return res;
}

static int fail_run(run_exec *rx, const char *stage, int rc, yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    char line[YAA_ERR_MSG_MAX + 64];
    snprintf(line, sizeof line, "%s: %s", stage ? stage : "pipeline", err->msg);
    yaa_err ignore = {0};
    yaa_db_runstore_run_add_error(env->db, rx->run_id, line, &ignore);
    yaa_db_runstore_run_set_status(env->db, rx->run_id, "failed", stage, &ignore);
    /* yaa_pipeline_runs_total{status="failed"} is counted by whoever knows the failure is
     * final: the worker when the job goes to the dead letters, `yaa run` at once. */
    yaa_log_ev(YAA_LOG_ERROR, "pipeline", "run failed", YAA_F_STR("error", line), YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_DONE, stage, "failed", line, 0);
    return rc;
}

/* Ends a run that was asked to stop before (or during, in_stage) a stage. A cancelled run
 * is final; an interrupted one goes back to pending with the stage unfinished, so the
 * re-delivered job resumes there. */
static int stop_run(run_exec *rx, const char *stage, const char *in_stage, double took,
                    yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    yaa_err ignore = {0};
    if (env->lease_lost && env->lease_lost(env->cancel_ud, rx->run_id)) {
        yaa_log_ev(YAA_LOG_WARN, "pipeline", "run stopped: its job is another worker's now",
                   YAA_F_STR("stage", stage), YAA_F_END);
        return yaa_err_set(err, YAA_ECANCELLED, "run %s: lease lost at %s", rx->run_id, stage);
    }
    const char *why = rx->cancel_seen ? "cancelled" : "interrupted";
    if (in_stage) {
        yaa_db_runstore_stage_finish(env->db, rx->run_id, in_stage, "pending", NULL, why, &ignore);
        emit(rx, YAA_PIPELINE_EV_STAGE, in_stage, "pending", why, took);
    }
    if (rx->cancel_seen) {
        yaa_db_runstore_run_set_status(env->db, rx->run_id, "cancelled", stage, &ignore);
        yaa_metrics_run_finished("cancelled");
        emit(rx, YAA_PIPELINE_EV_DONE, stage, "cancelled", "cancelled", yaa_mono_sec() - rx->t0);
    } else {
        yaa_db_runstore_run_set_status(env->db, rx->run_id, "pending", stage, &ignore);
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "run interrupted; it resumes from its last checkpoint",
                   YAA_F_END);
    }
    return yaa_err_set(err, YAA_ECANCELLED, "run %s %s at %s", rx->run_id, why, stage);
}

/* ---------------------------------------------------------------- steps */

/* The review gates this run stops at: its own option, else the channel's
 * publishing.review (the channel is loaded by prepare); and the last rejection's notes. */
static void read_review(run_exec *rx) {
    const char *mode = rx->run.review;
    if (!mode && rx->channel) mode = rx->channel->publishing.review;
    int bits = yaa_pipeline_review_mode_parse(mode);
    rx->review = bits > 0 ? bits : 0;
    const json_t *state = rx->run.review_state;
    rx->notes = json_string_value(json_object_get(state, "notes"));
    rx->notes_from =
        yaa_agents_stage_index(json_string_value(json_object_get(state, "notes_from")));
    rx->publish_at = rx->run.publish_at;
}

/* True when the gate before stage i was asked for and not approved since the last
 * rejection. */
static bool gate_closed(const run_exec *rx, int i) {
    int gate = yaa_pipeline_review_gate_before(i);
    if (!gate || !(rx->review & gate)) return false;
    const char *name = yaa_pipeline_review_gate_name(gate);
    size_t k;
    json_t *g;
    json_array_foreach(json_object_get(rx->run.review_state, "approved"), k, g) {
        if (json_is_string(g) && strcmp(json_string_value(g), name) == 0) return false;
    }
    return true;
}

/* Stops the run at the gate before stage i: awaiting_review, the gate in review_json, the
 * worker freed (the run holds nothing until a person decides). */
static int stop_at_gate(run_exec *rx, int i, yaa_err *err) {
    const char *gate = yaa_pipeline_review_gate_name(yaa_pipeline_review_gate_before(i));
    json_t *state = rx->run.review_state ? json_deep_copy(rx->run.review_state) : json_object();
    json_object_set_new(state, "stage", json_string(gate));
    static const char *const modes[] = {"none", "script", "video", "both"};
    json_object_set_new(state, "mode", json_string(modes[rx->review & 3]));
    int rc = yaa_db_runstore_run_set_review(rx->env->db, rx->run_id, state, err);
    json_decref(state);
    if (!rc)
        rc = yaa_db_runstore_run_set_status(rx->env->db, rx->run_id, "awaiting_review",
                                            yaa_agents_stage_names[i], err);
    if (rc == YAA_ECANCELLED) {
        rx->cancel_seen = true;
        return stop_run(rx, yaa_agents_stage_names[i], NULL, 0, err);
    }
    if (rc) return rc;
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "run awaiting review", YAA_F_STR("review_stage", gate),
               YAA_F_STR("next_stage", yaa_agents_stage_names[i]), YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_DONE, yaa_agents_stage_names[i], "awaiting_review", gate,
         yaa_mono_sec() - rx->t0);
    return 0;
}

/* Loads the run row; 1 when there is nothing to do (cancelled, or completed and not asked
 * to redo a stage), 0 to go on, < 0 on error. */
static int check_request(run_exec *rx, int *from, yaa_err *err) {
    const yaa_run_options *opts = rx->opts;
    *from = opts->from_stage ? yaa_agents_stage_index(opts->from_stage) : -1;
    if (opts->from_stage && *from < 0)
        return yaa_err_set(err, YAA_EINVAL, "unknown stage '%s' (expected one of %s)",
                           opts->from_stage, yaa_agents_stage_list_text());
    if (strcmp(rx->run.status, "cancelled") == 0)
        return yaa_err_set(err, YAA_ECANCELLED, "run %s was cancelled", rx->run_id);
    if (strcmp(rx->run.status, "completed") == 0 && *from < 0)
        return 1; /* re-delivered: nothing to do */
    return 0;
}

/* The run's folder, its channel and its checkpoints; *start = the first stage to run. A
 * failure here fails the run (it cannot start); returns the code. */
static int prepare(run_exec *rx, int from, int *start, yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    snprintf(rx->out_dir, sizeof rx->out_dir, "%s/%s", env->cfg->output_dir, rx->run.id);
    if (yaa_mkdirs(rx->out_dir, 0755))
        return fail_run(rx, NULL, yaa_err_set(err, YAA_EIO, "cannot create %s", rx->out_dir), err);
    int rc = yaa_pipeline__channel_load(env, rx->run.channel_id, &rx->channel, err);
    if (rc) {
        yaa_err_prefix(err, "channel '%s': ", rx->run.channel_id);
        return fail_run(rx, NULL, rc, err);
    }
    if ((rc = yaa_db_runstore_stages_get(env->db, rx->run_id, yaa_agents_stage_names, rx->st,
                                         YAA_STAGE_COUNT, err)))
        return rc;
    int s = 0;
    while (s < YAA_STAGE_COUNT && rx->st[s].present && strcmp(rx->st[s].status, "done") == 0) s++;
    if (from >= 0 && from < s) s = from;
    for (int i = 0; i < s; i++) rx->outputs[i] = json_incref(rx->st[i].output);
    if (s > 0)
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "resuming run",
                   YAA_F_STR("stage",
                             yaa_agents_stage_name(s < YAA_STAGE_COUNT ? s : YAA_STAGE_COUNT - 1)),
                   YAA_F_INT("checkpoints", s), YAA_F_END);
    *start = s;
    return 0;
}

/* Cancellation, budget, then the stage marked running (attempt + 1). */
static int begin_stage(run_exec *rx, int i, int *attempt, yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    const char *name = yaa_agents_stage_names[i];
    rx->stage = name;
    if (is_cancelled(rx)) return stop_run(rx, name, NULL, 0, err);
    /* Spend caps hold at every stage boundary: the stage about to run would add to it. */
    int rc = yaa_pipeline_budget_check_run(env->db, rx->channel, rx->run_id, err);
    if (rc) return fail_run(rx, name, rc, err);
    rc = yaa_db_runstore_run_set_status(env->db, rx->run_id, "running", name, err);
    if (rc == YAA_ECANCELLED) { /* cancelled between our check and now */
        rx->cancel_seen = true;
        return stop_run(rx, name, NULL, 0, err);
    }
    if (rc || (rc = yaa_db_runstore_stage_start(env->db, rx->run_id, name, attempt, err)))
        return rc;
    rx->attempt = *attempt;
    rx->lctx.stage = name;
    rx->stage_t0 = yaa_mono_sec();
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage started", YAA_F_INT("attempt", *attempt),
               YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_STAGE, name, "running", NULL, 0);
    /* The run's current files into its folder (artifacts.c; nothing to do with the file
     * store). */
    if ((rc = yaa_pipeline__artifacts_fetch(env, rx->run_id, rx->out_dir, rx->outputs, i, err)))
        return fail_run(rx, name, rc, err);
    return 0;
}

/* What stage i's agent receives. */
static void agent_ctx_for(run_exec *rx, int i, int attempt, yaa_arena *arena, yaa_agent_ctx *ctx) {
    const yaa_pipeline_env *env = rx->env;
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = env->cfg;
    ctx->db = env->db;
    ctx->channel = rx->channel;
    ctx->run_id = rx->run.id;
    ctx->topic = rx->run.topic;
    ctx->brand_name = rx->run.brand_name;
    ctx->dry_run = rx->run.dry_run;
    ctx->short_video = rx->opts->short_video || rx->run.short_video ||
                       json_is_true(json_object_get(rx->outputs[YAA_STAGE_SCRIPT_WRITER], "short"));
    ctx->out_dir = rx->out_dir;
    ctx->revision_notes =
        rx->notes && rx->notes_from >= 0 && i >= rx->notes_from ? rx->notes : NULL;
    ctx->publish_at = rx->publish_at;
    memcpy(ctx->outputs, rx->outputs, sizeof rx->outputs);
    ctx->arena = arena;
    ctx->usage = (yaa_usage_call){env->db, rx->run.id, yaa_agents_stage_names[i], attempt, 0};
    ctx->progress = on_progress;
    ctx->progress_ud = rx;
    ctx->cancelled = is_cancelled;
    ctx->cancel_ud = rx;
    yaa_agents_brief_from_channel(ctx);
    brief_context_from_research(ctx);
}

/* Runs stage i's agent (or the test seam's stand-in); *out gets its checkpoint. */
static int call_stage(run_exec *rx, int i, int attempt, json_t **out, double *took, yaa_err *err) {
    yaa_pipeline_stage_fn fn =
        rx->env->stages && rx->env->stages[i] ? rx->env->stages[i] : yaa_agents_stage_agent(i);
    yaa_arena arena;
    yaa_arena_init(&arena, 64 * 1024);
    yaa_agent_ctx ctx;
    agent_ctx_for(rx, i, attempt, &arena, &ctx);
    *out = NULL;
    int rc = fn(&ctx, out, err);
    *took = yaa_mono_sec() - rx->stage_t0;
    yaa_metrics_stage_duration(yaa_agents_stage_names[i], *took);
    yaa_arena_free(&arena);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Records the stage's outcome: its checkpoint when it succeeded; otherwise the run stops
 * (cancelled / interrupted) or fails. */
static int finish_stage(run_exec *rx, int i, int rc, json_t *out, double took, yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    const char *name = yaa_agents_stage_names[i];
    if (env->lease_lost && env->lease_lost(env->cancel_ud, rx->run_id)) {
        json_decref(out); /* no checkpoint: the run is another worker's */
        return stop_run(rx, name, name, took, err);
    }
    if (rc == YAA_ECANCELLED || (rc && (rx->cancel_seen || rx->interrupted)))
        return stop_run(rx, name, name, took, err);
    if (rc) {
        yaa_err ignore = {0};
        yaa_log_ev(YAA_LOG_ERROR, "pipeline", "stage failed", YAA_F_NUM("duration_ms", took * 1000),
                   YAA_F_STR("error", err->msg), YAA_F_END);
        yaa_db_runstore_stage_finish(env->db, rx->run_id, name, "failed", NULL, err->msg, &ignore);
        emit(rx, YAA_PIPELINE_EV_STAGE, name, "failed", err->msg, took);
        return fail_run(rx, name, rc, err);
    }
    /* What the stage wrote goes to the store before its checkpoint says it is done. */
    if ((rc = yaa_pipeline__artifacts_upload(env, rx->run_id, rx->out_dir, name, rx->attempt,
                                             i == YAA_STAGE_COUNT - 1, err)) ||
        (rc = yaa_db_runstore_stage_finish(env->db, rx->run_id, name, "done", out, NULL, err))) {
        json_decref(out);
        return rc;
    }
    rx->outputs[i] = out;
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage finished", YAA_F_NUM("duration_ms", took * 1000),
               YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_STAGE, name, "done", NULL, took);
    rx->lctx.stage = NULL;
    return 0;
}

static int run_stage(run_exec *rx, int i, yaa_err *err) {
    int attempt = 0;
    int rc = begin_stage(rx, i, &attempt, err);
    if (rc) return rc;
    json_t *out = NULL;
    double took = 0;
    rc = call_stage(rx, i, attempt, &out, &took, err);
    return finish_stage(rx, i, rc, out, took, err);
}

static int complete_run(run_exec *rx, yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    json_t *result = result_of(rx->out_dir, rx->outputs);
    yaa_err ignore = {0};
    yaa_db_runstore_run_set_result(env->db, rx->run_id, result, &ignore);
    json_decref(result);
    int rc = yaa_db_runstore_run_set_status(env->db, rx->run_id, "completed",
                                            yaa_agents_stage_name(YAA_STAGE_COUNT - 1), err);
    if (rc) return rc;
    double total = yaa_mono_sec() - rx->t0;
    yaa_metrics_run_finished("completed");
    yaa_metrics_run_duration(rx->run.channel_id, total);
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "run completed", YAA_F_NUM("duration_ms", total * 1000),
               YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_DONE, NULL, "completed", NULL, total);
    return 0;
}

static void release(run_exec *rx) {
    for (int i = 0; i < YAA_STAGE_COUNT; i++) json_decref(rx->outputs[i]);
    yaa_db_runstore_stages_free(rx->st, YAA_STAGE_COUNT);
    if (rx->channel) yaa_channels_free(rx->channel);
    yaa_db_runstore_run_free(&rx->run);
}

int yaa_pipeline_execute(const yaa_pipeline_env *env, const char *run_id,
                         const yaa_run_options *opts, yaa_err *err) {
    static const yaa_run_options no_opts = {0};
    yaa_pipeline__install_usage_hook();
    run_exec rx = {.env = env, .opts = opts ? opts : &no_opts, .run_id = run_id};
    rx.t0 = rx.stage_t0 = yaa_mono_sec();
    int rc = yaa_db_runstore_run_get(env->db, run_id, &rx.run, err);
    if (rc) return rc;
    /* Keep the caller's request or job id: a stage's lines name the job that ran it. */
    const yaa_log_ctx *saved_ctx = yaa_log_ctx_get();
    rx.lctx = (yaa_log_ctx){.run_id = rx.run.id,
                            .channel_id = rx.run.channel_id,
                            .request_id = saved_ctx ? saved_ctx->request_id : NULL,
                            .job_id = saved_ctx ? saved_ctx->job_id : NULL};
    yaa_log_ctx_set(&rx.lctx);

    int from = -1, start = 0;
    rc = check_request(&rx, &from, err);
    if (rc == 1)
        rc = 0;
    else if (rc == 0 && (rc = yaa_pipeline__scratch_begin(run_id, err)) == 0) {
        if ((rc = prepare(&rx, from, &start, err)) == 0) {
            read_review(&rx);
            int i = start;
            while (rc == 0 && i < YAA_STAGE_COUNT && !gate_closed(&rx, i))
                rc = run_stage(&rx, i++, err);
            if (rc == 0)
                rc = i < YAA_STAGE_COUNT ? stop_at_gate(&rx, i, err) : complete_run(&rx, err);
        }
        /* However the run stopped (completed, failed, cancelled, interrupted, at a review
         * gate), its scratch folder goes with the s3 store: what is finished is stored. */
        yaa_pipeline__scratch_end(env->cfg, run_id);
    }
    release(&rx);
    yaa_log_ctx_set(saved_ctx);
    return rc;
}
