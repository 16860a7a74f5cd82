/* pipeline.c - the orchestrator: walks the stage table for one run, checkpointing each
 * stage's output in run_stages so a retried or re-delivered run resumes where it stopped
 * and never pays twice for finished work. */
#include "pipeline/pipeline.h"

#include "pipeline/budget.h"
#include "pipeline/pipeline_internal.h"

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
    const char *run_id;
    const char *stage;
    double stage_t0;
    uint64_t last_db_check_ns;
    bool cancel_seen; /* the run was cancelled (its status says so) */
    bool interrupted; /* the process is stopping: leave the run for re-delivery */
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
 * second: media work calls this often), or when the caller's callback says the process is
 * stopping - then the run is not cancelled, only left for another worker to resume. */
static bool is_cancelled(void *ud) {
    run_exec *rx = ud;
    if (rx->cancel_seen || rx->interrupted) return true;
    if (rx->env->should_cancel && rx->env->should_cancel(rx->env->cancel_ud, rx->run_id))
        return rx->interrupted = true;
    uint64_t now = yaa_mono_ns();
    if (now - rx->last_db_check_ns < 500000000ull) return false;
    rx->last_db_check_ns = now;
    char status[32];
    if (yaa_runstore_run_status(rx->env->db, rx->run_id, status, sizeof status, NULL) == 0 &&
        strcmp(status, "cancelled") == 0)
        rx->cancel_seen = true;
    return rx->cancel_seen;
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
    yaa_runstore_run_add_error(env->db, rx->run_id, line, &ignore);
    yaa_runstore_run_set_status(env->db, rx->run_id, "failed", stage, &ignore);
    /* yaa_pipeline_runs_total{status="failed"} is counted by whoever knows the failure is
     * final: the worker when the job goes to the dead letters, `yaa run` at once. */
    yaa_log_ev(YAA_LOG_ERROR, "pipeline", "run failed", YAA_F_STR("error", line), YAA_F_END);
    emit(rx, YAA_PIPELINE_EV_DONE, stage, "failed", line, 0);
    return rc;
}

/* Ends a run that was asked to stop before (or during, in_stage) a stage. A cancelled run
 * is final; an interrupted one goes back to pending with the stage unfinished, so the
 * re-delivered job resumes there. */
static int stop_run(run_exec *rx, const char *stage, const char *in_stage, double took, double t0,
                    yaa_err *err) {
    const yaa_pipeline_env *env = rx->env;
    yaa_err ignore = {0};
    const char *why = rx->cancel_seen ? "cancelled" : "interrupted";
    if (in_stage) {
        yaa_runstore_stage_finish(env->db, rx->run_id, in_stage, "pending", NULL, why, &ignore);
        emit(rx, YAA_PIPELINE_EV_STAGE, in_stage, "pending", why, took);
    }
    if (rx->cancel_seen) {
        yaa_runstore_run_set_status(env->db, rx->run_id, "cancelled", stage, &ignore);
        yaa_metrics_run_finished("cancelled");
        emit(rx, YAA_PIPELINE_EV_DONE, stage, "cancelled", "cancelled", yaa_mono_sec() - t0);
    } else {
        yaa_runstore_run_set_status(env->db, rx->run_id, "pending", stage, &ignore);
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "run interrupted; it resumes from its last checkpoint",
                   YAA_F_END);
    }
    return yaa_err_set(err, YAA_ECANCELLED, "run %s %s at %s", rx->run_id, why, stage);
}

int yaa_pipeline_execute(const yaa_pipeline_env *env, const char *run_id,
                         const yaa_run_options *opts, yaa_err *err) {
    static const yaa_run_options no_opts = {0};
    if (!opts) opts = &no_opts;
    yaa_pipeline__install_usage_hook();
    run_exec rx = {env, run_id, NULL, yaa_mono_sec(), 0, false, false};
    yaa_runstore_run run = {0};
    yaa_runstore_stage st[YAA_STAGE_COUNT] = {0};
    yaa_channel *channel = NULL;
    json_t *outputs[YAA_STAGE_COUNT] = {0};
    char out_dir[4096];
    int rc = yaa_runstore_run_get(env->db, run_id, &run, err);
    if (rc) return rc;
    /* Keep the caller's request or job id: a stage's lines name the job that ran it. */
    const yaa_log_ctx *saved_ctx = yaa_log_ctx_get();
    yaa_log_ctx lctx = {.run_id = run.id,
                        .channel_id = run.channel_id,
                        .request_id = saved_ctx ? saved_ctx->request_id : NULL,
                        .job_id = saved_ctx ? saved_ctx->job_id : NULL};
    yaa_log_ctx_set(&lctx);
    double t0 = yaa_mono_sec();

    int from = opts->from_stage ? yaa_stage_index(opts->from_stage) : -1;
    if (opts->from_stage && from < 0) {
        rc = yaa_err_set(err, YAA_EINVAL, "unknown stage '%s' (expected one of %s)",
                         opts->from_stage, yaa_stage_list_text());
        goto done;
    }
    if (strcmp(run.status, "cancelled") == 0) {
        rc = yaa_err_set(err, YAA_ECANCELLED, "run %s was cancelled", run_id);
        goto done;
    }
    if (strcmp(run.status, "completed") == 0 && from < 0)
        goto done; /* re-delivered: nothing to do */

    snprintf(out_dir, sizeof out_dir, "%s/%s", env->cfg->output_dir, run.id);
    if (yaa_mkdirs(out_dir, 0755)) {
        rc = fail_run(&rx, NULL, yaa_err_set(err, YAA_EIO, "cannot create %s", out_dir), err);
        goto done;
    }
    rc = yaa_pipeline__channel_load(env, run.channel_id, &channel, err);
    if (rc) {
        yaa_err_prefix(err, "channel '%s': ", run.channel_id);
        rc = fail_run(&rx, NULL, rc, err);
        goto done;
    }
    if ((rc = yaa_runstore_stages_get(env->db, run_id, yaa_stage_names, st, YAA_STAGE_COUNT, err)))
        goto done;

    int start = 0;
    while (start < YAA_STAGE_COUNT && st[start].present && strcmp(st[start].status, "done") == 0)
        start++;
    if (from >= 0 && from < start) start = from;
    for (int i = 0; i < start; i++) outputs[i] = json_incref(st[i].output);
    if (start > 0)
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "resuming run",
                   YAA_F_STR("stage",
                             yaa_stage_name(start < YAA_STAGE_COUNT ? start : YAA_STAGE_COUNT - 1)),
                   YAA_F_INT("checkpoints", start), YAA_F_END);

    for (int i = start; i < YAA_STAGE_COUNT; i++) {
        const char *name = yaa_stage_names[i];
        rx.stage = name;
        if (is_cancelled(&rx)) {
            rc = stop_run(&rx, name, NULL, 0, t0, err);
            goto done;
        }
        /* Spend caps hold at every stage boundary: the stage about to run would add to it. */
        if ((rc = yaa_budget_check_run(env->db, channel, run_id, err))) {
            rc = fail_run(&rx, name, rc, err);
            goto done;
        }
        int attempt = 0;
        rc = yaa_runstore_run_set_status(env->db, run_id, "running", name, err);
        if (rc == YAA_ECANCELLED) { /* cancelled between our check and now */
            rx.cancel_seen = true;
            rc = stop_run(&rx, name, NULL, 0, t0, err);
            goto done;
        }
        if (rc || (rc = yaa_runstore_stage_start(env->db, run_id, name, &attempt, err))) goto done;
        lctx.stage = name;
        rx.stage_t0 = yaa_mono_sec();
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage started", YAA_F_INT("attempt", attempt),
                   YAA_F_END);
        emit(&rx, YAA_PIPELINE_EV_STAGE, name, "running", NULL, 0);

        if ((rc = yaa_pipeline__artifacts_fetch(env, run_id, out_dir, outputs, i, err))) {
            rc = fail_run(&rx, name, rc, err);
            goto done;
        }
        yaa_arena arena;
        yaa_arena_init(&arena, 64 * 1024);
        yaa_agent_ctx ctx = {0};
        ctx.cfg = env->cfg;
        ctx.db = env->db;
        ctx.channel = channel;
        ctx.run_id = run.id;
        ctx.topic = run.topic;
        ctx.brand_name = run.brand_name;
        ctx.dry_run = run.dry_run;
        ctx.short_video = opts->short_video || run.short_video ||
                          json_is_true(json_object_get(outputs[YAA_STAGE_SCRIPT_WRITER], "short"));
        ctx.out_dir = out_dir;
        memcpy(ctx.outputs, outputs, sizeof outputs);
        ctx.arena = &arena;
        ctx.usage = (yaa_usage_call){env->db, run.id, name, attempt, 0};
        ctx.progress = on_progress;
        ctx.progress_ud = &rx;
        ctx.cancelled = is_cancelled;
        ctx.cancel_ud = &rx;
        yaa_agent_brief_from_channel(&ctx);
        brief_context_from_research(&ctx);

        json_t *out = NULL;
        rc = yaa_stage_agent(i)(&ctx, &out, err);
        double took = yaa_mono_sec() - rx.stage_t0;
        yaa_metrics_stage_duration(name, took);
        yaa_arena_free(&arena);
        yaa_err ignore = {0};
        if (rc == YAA_ECANCELLED || (rc && (rx.cancel_seen || rx.interrupted))) {
            rc = stop_run(&rx, name, name, took, t0, err);
            goto done;
        }
        if (rc) {
            yaa_log_ev(YAA_LOG_ERROR, "pipeline", "stage failed",
                       YAA_F_NUM("duration_ms", took * 1000), YAA_F_STR("error", err->msg),
                       YAA_F_END);
            yaa_runstore_stage_finish(env->db, run_id, name, "failed", NULL, err->msg, &ignore);
            emit(&rx, YAA_PIPELINE_EV_STAGE, name, "failed", err->msg, took);
            rc = fail_run(&rx, name, rc, err);
            goto done;
        }
        if ((rc = yaa_pipeline__artifacts_upload(env, run_id, out_dir, name, attempt,
                                                 i == YAA_STAGE_COUNT - 1, err)) ||
            (rc = yaa_runstore_stage_finish(env->db, run_id, name, "done", out, NULL, err))) {
            json_decref(out);
            goto done;
        }
        outputs[i] = out;
        yaa_log_ev(YAA_LOG_INFO, "pipeline", "stage finished",
                   YAA_F_NUM("duration_ms", took * 1000), YAA_F_END);
        emit(&rx, YAA_PIPELINE_EV_STAGE, name, "done", NULL, took);
        lctx.stage = NULL;
    }

    json_t *result = result_of(out_dir, outputs);
    yaa_err ignore = {0};
    yaa_runstore_run_set_result(env->db, run_id, result, &ignore);
    json_decref(result);
    if ((rc = yaa_runstore_run_set_status(env->db, run_id, "completed",
                                          yaa_stage_name(YAA_STAGE_COUNT - 1), err)))
        goto done;
    double total = yaa_mono_sec() - t0;
    yaa_metrics_run_finished("completed");
    yaa_metrics_run_duration(run.channel_id, total);
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "run completed", YAA_F_NUM("duration_ms", total * 1000),
               YAA_F_END);
    emit(&rx, YAA_PIPELINE_EV_DONE, NULL, "completed", NULL, total);

done:
    for (int i = 0; i < YAA_STAGE_COUNT; i++) json_decref(outputs[i]);
    yaa_runstore_stages_free(st, YAA_STAGE_COUNT);
    if (channel) yaa_channel_free(channel);
    yaa_runstore_run_free(&run);
    yaa_log_ctx_set(saved_ctx);
    return rc;
}
