/* test_orchestrator.c - yaa_pipeline_execute's paths with fake stages (the env->stages seam),
 * on SQLite, without models or FFmpeg: a clean run, resume after a failed stage, cancel in
 * the middle of a stage, interruption (the process stopping) and resume, the double faults
 * (a stage failing while the run is cancelled or the process stops, a checkpoint that cannot
 * be written), and the review gates (stop, approve, reject with notes). */
#include "test_util.h"

#include "lib/dbtest.h"

#include "core/log.h"

#include "agents/agent.h"
#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "pipeline/pipeline.h"
#include "pipeline/review.h"

#include <stdio.h>

typedef struct fx {
    char dir[PATH_MAX];
    char channels[PATH_MAX + 16], output[PATH_MAX + 16];
    yaa_db *db;
    yaa_config cfg;
} fx;

/* What the fake stages do, per test. */
static struct {
    int calls[YAA_STAGE_COUNT];
    int fail_at;            /* stage index that fails (-1 none) */
    int cancel_at;          /* stage that cancels its own run, then waits to be told to stop */
    int interrupt_at;       /* stage during which the process "stops" */
    bool fail_after_cancel; /* the cancelled stage reports a plain failure, not ECANCELLED */
    bool stopping;          /* what should_cancel answers */
    char notes[YAA_STAGE_COUNT][128];
    yaa_db *db;
} g;

static bool should_cancel(void *ud, const char *run_id) {
    (void)ud, (void)run_id;
    return g.stopping;
}

static int fake(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    int i = yaa_agents_stage_index(ctx->usage.agent);
    g.calls[i]++;
    snprintf(g.notes[i], sizeof g.notes[i], "%s", ctx->revision_notes ? ctx->revision_notes : "");
    if (i == g.cancel_at) {
        yaa_db_run_update u = {.status = "cancelled", .set_completed_at = true};
        yaa_err e = {0};
        assert_int_equal(yaa_db_runs_update(g.db, ctx->run_id, &u, &e), 0);
        for (int k = 0; k < 100 && !yaa_agents_cancelled(ctx); k++) yaa_sleep_ms(20);
        assert_true(yaa_agents_cancelled(ctx));
        if (g.fail_after_cancel)
            return yaa_err_set(err, YAA_EPROVIDER, "the model hung up while we stopped");
        return yaa_err_set(err, YAA_ECANCELLED, "stopped");
    }
    if (i == g.interrupt_at) {
        g.stopping = true;
        assert_true(yaa_agents_cancelled(ctx));
        return yaa_err_set(err, YAA_EPROVIDER, "connection reset while stopping");
    }
    if (i == g.fail_at) return yaa_err_set(err, YAA_EPROVIDER, "model said no at %d", i);
    *out = json_pack("{s:s, s:i}", "stage", ctx->usage.agent, "attempt", ctx->usage.attempt);
    return 0;
}

static const yaa_pipeline_stage_fn fakes[YAA_STAGE_COUNT] = {fake, fake, fake, fake, fake, fake};

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->channels, sizeof f->channels, "%s/channels", f->dir);
    snprintf(f->output, sizeof f->output, "%s/output", f->dir);
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/demo", f->channels);
    yaa_mkdirs(path, 0755);
    snprintf(path, sizeof path, "%s/demo/config.yaml", f->channels);
    FILE *fp = fopen(path, "w");
    fputs("channel:\n  name: \"Demo\"\n  language: \"en\"\n", fp);
    fclose(fp);
    if (!(f->db = yaa_dbtest_sqlite(f->dir))) return -1;
    f->cfg.channels_dir = f->channels;
    f->cfg.output_dir = f->output;
    f->cfg.prompts_dir = f->output;
    f->cfg.llm_provider = "offline";
    memset(&g, 0, sizeof g);
    g.fail_at = g.cancel_at = g.interrupt_at = -1;
    g.db = f->db;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static void new_run(fx *f, const char *review, char id[37]) {
    yaa_db_runstore_spec spec = {
        .channel_id = "demo", .topic = "t", .dry_run = true, .review = review};
    yaa_err err = {0};
    assert_int_equal(yaa_db_runstore_run_create_spec(f->db, &spec, id, &err), 0);
}

static int execute(fx *f, const char *id, yaa_err *err) {
    yaa_pipeline_env env = {
        .cfg = &f->cfg, .db = f->db, .should_cancel = should_cancel, .stages = fakes};
    return yaa_pipeline_execute(&env, id, NULL, err);
}

static void assert_status(fx *f, const char *id, const char *want) {
    char st[32];
    yaa_err err = {0};
    assert_int_equal(yaa_db_runstore_run_status(f->db, id, st, sizeof st, &err), 0);
    assert_string_equal(st, want);
}

/* stage -> (status, attempt) */
static void assert_stage(fx *f, const char *id, int i, const char *status, int attempt) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_stage s;
    yaa_err err = {0};
    assert_int_equal(yaa_db_stages_get(f->db, id, yaa_agents_stage_name(i), &a, &s, &err), 0);
    assert_string_equal(s.status, status);
    assert_int_equal(s.attempt, attempt);
    yaa_arena_free(&a);
}

static void set_status(fx *f, const char *id, const char *status) {
    yaa_db_run_update u = {.status = status, .clear_completed_at = true};
    yaa_err err = {0};
    assert_int_equal(yaa_db_runs_update(f->db, id, &u, &err), 0);
}

static void test_clean_run(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    yaa_err err = {0};
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "completed");
    for (int i = 0; i < YAA_STAGE_COUNT; i++) {
        assert_int_equal(g.calls[i], 1);
        assert_stage(f, id, i, "done", 1);
    }
    /* Re-delivered after completion: nothing runs again. */
    assert_int_equal(execute(f, id, &err), 0);
    assert_int_equal(g.calls[0], 1);
}

/* Every line written for a stage carries the job (and request) id of whoever runs it, as
 * docs/LOGGING.md promises: a worker's job id is not lost when the stage context is set. */
static int g_lines, g_with_job;

static void job_sink(void *ud, yaa_log_level level, const char *logger, const char *line,
                     size_t len) {
    (void)ud;
    (void)level;
    (void)logger;
    (void)len;
    if (!strstr(line, "\"stage\":\"")) return;
    g_lines++;
    if (strstr(line, "\"job_id\":\"job-7\"")) g_with_job++;
}

static void test_stage_lines_carry_job_id(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    yaa_log_setup(YAA_LOG_INFO, true, devnull);
    g_lines = g_with_job = 0;
    assert_int_equal(yaa_log_add_sink(job_sink, NULL), 0);
    yaa_log_ctx worker_ctx = {.run_id = id, .job_id = "job-7"};
    yaa_log_ctx_set(&worker_ctx);
    yaa_err err = {0};
    assert_int_equal(execute(f, id, &err), 0);
    assert_ptr_equal(yaa_log_ctx_get(), &worker_ctx); /* the caller's context is given back */
    yaa_log_ctx_set(NULL);
    yaa_log_remove_sink(job_sink, NULL);
    yaa_log_setup(YAA_LOG_INFO, true, NULL);
    fclose(devnull);
    assert_true(g_lines >= 2 * YAA_STAGE_COUNT); /* a start and an end line per stage */
    assert_int_equal(g_with_job, g_lines);
}

static void test_resume_after_failure(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    g.fail_at = YAA_STAGE_MEDIA_GENERATOR;
    yaa_err err = {0};
    assert_int_equal(execute(f, id, &err), YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "model said no"));
    assert_status(f, id, "failed");
    assert_stage(f, id, YAA_STAGE_MEDIA_GENERATOR, "failed", 1);
    /* Retried: the finished stages are not run again, the failed one runs as attempt 2. */
    g.fail_at = -1;
    set_status(f, id, "pending");
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "completed");
    assert_int_equal(g.calls[YAA_STAGE_SCRIPT_WRITER], 1);
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_GENERATOR], 2);
    assert_stage(f, id, YAA_STAGE_MEDIA_GENERATOR, "done", 2);
    assert_stage(f, id, YAA_STAGE_PUBLISHER, "done", 1);
}

static void test_cancel_mid_stage(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    g.cancel_at = YAA_STAGE_MEDIA_EDITOR;
    yaa_err err = {0};
    assert_int_equal(execute(f, id, &err), YAA_ECANCELLED);
    assert_status(f, id, "cancelled");
    assert_stage(f, id, YAA_STAGE_MEDIA_EDITOR, "pending", 1);
    assert_int_equal(g.calls[YAA_STAGE_PUBLISHER], 0);
    /* A cancelled run stays cancelled when its job comes again. */
    g.cancel_at = -1;
    assert_int_equal(execute(f, id, &err), YAA_ECANCELLED);
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_EDITOR], 1);
}

static void test_failure_while_cancelled(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    g.cancel_at = YAA_STAGE_SCRIPT_WRITER;
    g.fail_after_cancel = true;
    yaa_err err = {0};
    /* The stage's own error is a consequence of stopping: the run is cancelled, not failed. */
    assert_int_equal(execute(f, id, &err), YAA_ECANCELLED);
    assert_status(f, id, "cancelled");
    assert_stage(f, id, YAA_STAGE_SCRIPT_WRITER, "pending", 1);
}

static void test_interruption_resumes(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    g.interrupt_at = YAA_STAGE_SEO_OPTIMIZER;
    yaa_err err = {0};
    /* The process stops during a stage that then fails: the run is left for re-delivery
     * (pending, the stage unfinished), not failed. */
    assert_int_equal(execute(f, id, &err), YAA_ECANCELLED);
    assert_status(f, id, "pending");
    assert_stage(f, id, YAA_STAGE_SEO_OPTIMIZER, "pending", 1);
    g.interrupt_at = -1;
    g.stopping = false;
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "completed");
    assert_int_equal(g.calls[YAA_STAGE_SCRIPT_WRITER], 1);
    assert_stage(f, id, YAA_STAGE_SEO_OPTIMIZER, "done", 2);
}

static void test_checkpoint_write_fails(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    yaa_err err = {0};
    /* The database refuses the media_generator checkpoint (fault injected with a trigger). */
    assert_int_equal(
        yaa_db_exec_script(f->db,
                           "CREATE TRIGGER no_ckpt BEFORE UPDATE ON run_stages "
                           "WHEN NEW.stage = 'media_generator' AND NEW.status = 'done' "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
                           &err),
        0);
    assert_int_not_equal(execute(f, id, &err), 0);
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_GENERATOR], 1);
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_EDITOR], 0);
    /* The run is not completed; when the job comes again the stage runs again and the
     * earlier checkpoints hold. */
    assert_int_equal(yaa_db_exec_script(f->db, "DROP TRIGGER no_ckpt;", &err), 0);
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "completed");
    assert_int_equal(g.calls[YAA_STAGE_SEO_OPTIMIZER], 1);
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_GENERATOR], 2);
}

static void test_bad_from_stage(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, NULL, id);
    yaa_pipeline_env env = {.cfg = &f->cfg, .db = f->db, .stages = fakes};
    yaa_run_options o = {.from_stage = "editor"};
    yaa_err err = {0};
    assert_int_equal(yaa_pipeline_execute(&env, id, &o, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "script_writer"));
    assert_int_equal(g.calls[0], 0);
}

static void test_gates(void **state) {
    fx *f = *state;
    char id[37];
    new_run(f, "both", id);
    yaa_err err = {0};
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "awaiting_review");
    assert_int_equal(g.calls[YAA_STAGE_SCRIPT_WRITER], 1);
    assert_int_equal(g.calls[YAA_STAGE_SEO_OPTIMIZER], 0);
    /* Re-delivered while waiting: it stops at the gate again without work. */
    assert_int_equal(execute(f, id, &err), 0);
    assert_int_equal(g.calls[YAA_STAGE_SCRIPT_WRITER], 1);
    yaa_review_actor who = {"key-1"};
    assert_int_equal(yaa_pipeline_review_approve(f->db, NULL, id, &who, &err), 0);
    assert_status(f, id, "pending");
    assert_int_equal(yaa_pipeline_review_approve(f->db, NULL, id, &who, &err), YAA_ECONFLICT);
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "awaiting_review"); /* now at the video gate */
    assert_int_equal(g.calls[YAA_STAGE_MEDIA_EDITOR], 1);
    assert_int_equal(g.calls[YAA_STAGE_PUBLISHER], 0);
    /* Rejected from script_writer: both gates must be passed again, the notes reach the
     * stages that run again. */
    assert_int_equal(yaa_pipeline_review_reject(f->db, NULL, id, "x", "publisher", &who, &err),
                     YAA_EINVAL);
    assert_status(f, id, "awaiting_review");
    assert_int_equal(
        yaa_pipeline_review_reject(f->db, NULL, id, "warmer intro", "script_writer", &who, &err),
        0);
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "awaiting_review");
    assert_stage(f, id, YAA_STAGE_SCRIPT_WRITER, "done", 2);
    assert_string_equal(g.notes[YAA_STAGE_SCRIPT_WRITER], "warmer intro");
    assert_string_equal(g.notes[YAA_STAGE_BRAND_RESEARCHER], "");
    assert_int_equal(g.calls[YAA_STAGE_SEO_OPTIMIZER], 1); /* stopped at the script gate */
    assert_int_equal(yaa_pipeline_review_approve(f->db, NULL, id, &who, &err), 0);
    assert_int_equal(execute(f, id, &err), 0);
    assert_int_equal(yaa_pipeline_review_approve(f->db, NULL, id, &who, &err), 0);
    assert_int_equal(execute(f, id, &err), 0);
    assert_status(f, id, "completed");
    assert_int_equal(g.calls[YAA_STAGE_PUBLISHER], 1);
    assert_int_equal(g.calls[YAA_STAGE_BRAND_RESEARCHER], 1);
    yaa_arena a;
    yaa_arena_init(&a, 8192);
    yaa_db_run r;
    assert_int_equal(yaa_db_runs_get(f->db, id, &a, &r, &err), 0);
    json_t *rs = json_loads(r.review_json, 0, NULL);
    json_t *h = json_object_get(rs, "history");
    /* approve (script), reject, approve (script), approve (video) */
    assert_int_equal(json_array_size(h), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "notes")),
                        "warmer intro");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "key_id")),
                        "key-1");
    json_decref(rs);
    yaa_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_lines_carry_job_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_mid_stage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_while_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interruption_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_write_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_from_stage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
