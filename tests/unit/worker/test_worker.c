/* test_worker.c - the worker pool end to end on SQLite: a run whose channel does not exist
 * fails in the pipeline at once; the pool retries it (backoff 0) until the job is dead, a
 * cancelled run's queued job is never claimed, and stopping joins every thread. */
#include "test_util.h"

#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/jobs_repo.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "queue/queue.h"
#include "worker/worker.h"

#include "agents/agent.h"
#include "db/run_store.h"

#include <stdatomic.h>

static void test_retries_to_dead(void **state) {
    (void)state;
    char dir[PATH_MAX], url[PATH_MAX + 32], mdir[PATH_MAX], chdir_[PATH_MAX + 16],
        outdir[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(url, sizeof url, "sqlite:///%s/w.db", dir);
    snprintf(mdir, sizeof mdir, "%s/migrations", yaa_test_source_dir());
    snprintf(chdir_, sizeof chdir_, "%s/channels", dir);
    snprintf(outdir, sizeof outdir, "%s/output", dir);
    yaa_db *db = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_db_open(url, &db, &err), 0);
    assert_int_equal(yaa_db_upgrade(db, mdir, -1, NULL, &err), 0);
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_run run = {.channel_id = "ghost", .topic = "t"};
    assert_int_equal(yaa_db_runs_create(db, &run, &a, &err), 0);
    yaa_db_run other = {.channel_id = "ghost", .topic = "cancelled before it ran"};
    assert_int_equal(yaa_db_runs_create(db, &other, &a, &err), 0);
    yaa_queue *q = NULL;
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    q->backoff_base_s = 0;
    assert_int_equal(yaa_queue_enqueue_run(q, run.id, NULL, NULL, &err), 0);
    assert_int_equal(yaa_queue_enqueue_run(q, other.id, NULL, NULL, &err), 0);
    assert_int_equal(yaa_queue_cancel(q, other.id, &err), 0);

    yaa_config cfg = {0};
    cfg.channels_dir = chdir_;
    cfg.output_dir = outdir;
    cfg.prompts_dir = outdir;
    cfg.llm_provider = "offline";
    yaa_worker_opts o = {.cfg = &cfg, .db = db, .queue = q, .concurrency = 2, .poll_ms = 50};
    yaa_worker_pool *pool = NULL;
    assert_int_equal(yaa_worker_pool_start(&o, &pool, &err), 0);
    yaa_db_job_row row = {0};
    for (int i = 0; i < 600; i++) {
        yaa_db_job_row_free(&row);
        assert_int_equal(yaa_db_jobs_get(db, run.id, &row, &err), 0);
        if (strcmp(row.status, "dead") == 0) break;
        yaa_sleep_ms(50);
    }
    yaa_worker_pool_stop(pool);
    yaa_worker_pool_free(pool);
    assert_string_equal(row.status, "dead");
    assert_int_equal(row.attempts, 3);
    assert_non_null(row.last_error);
    assert_non_null(strstr(row.last_error, "ghost"));
    yaa_db_job_row_free(&row);
    assert_int_equal(yaa_db_jobs_get(db, other.id, &row, &err), 0);
    assert_string_equal(row.status, "cancelled");
    assert_int_equal(row.attempts, 0);
    yaa_db_job_row_free(&row);
    yaa_db_run r;
    assert_int_equal(yaa_db_runs_get(db, run.id, &a, &r, &err), 0);
    assert_string_equal(r.status, "failed");
    yaa_arena_free(&a);
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

/* The first stage works until it is told to stop (at most 20 s) and records that it was. */
static atomic_int stage_started, stage_saw_cancel;
static int slow_stage(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    atomic_store(&stage_started, 1);
    for (int i = 0; i < 400 && !yaa_agent_cancelled(ctx); i++) yaa_sleep_ms(50);
    if (yaa_agent_cancelled(ctx)) atomic_store(&stage_saw_cancel, 1);
    *out = json_object();
    (void)err;
    return 0; /* even a stage that ends normally must not write its checkpoint */
}
static const yaa_pipeline_stage_fn slow[YAA_STAGE_COUNT] = {slow_stage};

/* Renewal reports the lease lost (another worker took the job): the run's execution is
 * cancelled, its stage gets no checkpoint, and the job is neither acked nor failed. */
static void test_lease_lost_stops_run(void **state) {
    (void)state;
    char dir[PATH_MAX], url[PATH_MAX + 32], mdir[PATH_MAX], chdir_[PATH_MAX + 16],
        outdir[PATH_MAX + 16], path[PATH_MAX + 64];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(url, sizeof url, "sqlite:///%s/w.db", dir);
    snprintf(mdir, sizeof mdir, "%s/migrations", yaa_test_source_dir());
    snprintf(chdir_, sizeof chdir_, "%s/channels", dir);
    snprintf(outdir, sizeof outdir, "%s/output", dir);
    snprintf(path, sizeof path, "%s/demo", chdir_);
    yaa_mkdirs(path, 0755);
    snprintf(path, sizeof path, "%s/demo/config.yaml", chdir_);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("channel:\n  name: \"Demo\"\n  language: \"en\"\n", fp);
    fclose(fp);
    yaa_db *db = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_db_open(url, &db, &err), 0);
    assert_int_equal(yaa_db_upgrade(db, mdir, -1, NULL, &err), 0);
    char id[37];
    yaa_db_runstore_spec spec = {.channel_id = "demo", .topic = "t", .dry_run = true};
    assert_int_equal(yaa_db_runstore_run_create_spec(db, &spec, id, &err), 0);
    yaa_queue *q = NULL;
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    yaa_queue_tune(q, 3, 3, 0); /* renewal every second */
    assert_int_equal(yaa_queue_enqueue_run(q, id, NULL, NULL, &err), 0);

    yaa_config cfg = {0};
    cfg.channels_dir = chdir_;
    cfg.output_dir = outdir;
    cfg.prompts_dir = outdir;
    cfg.llm_provider = "offline";
    yaa_worker_opts o = {
        .cfg = &cfg, .db = db, .queue = q, .concurrency = 1, .poll_ms = 50, .stages = slow};
    yaa_worker_pool *pool = NULL;
    assert_int_equal(yaa_worker_pool_start(&o, &pool, &err), 0);
    for (int i = 0; i < 200 && !atomic_load(&stage_started); i++) yaa_sleep_ms(50);
    assert_true(atomic_load(&stage_started));
    /* another worker now holds the job (as after a stall past the lease) */
    int64_t n = 0;
    assert_int_equal(yaa_db_exec(db, "UPDATE jobs SET locked_by = 'thief' WHERE status = 'running'",
                                 NULL, 0, &n, &err),
                     0);
    assert_int_equal(n, 1);
    for (int i = 0; i < 200 && yaa_worker_pool_busy(pool); i++) yaa_sleep_ms(50);
    assert_int_equal(yaa_worker_pool_busy(pool), 0);
    assert_true(atomic_load(&stage_saw_cancel));
    yaa_worker_pool_stop(pool);
    yaa_worker_pool_free(pool);

    yaa_db_job_row row = {0};
    assert_int_equal(yaa_db_jobs_get(db, id, &row, &err), 0);
    assert_string_equal(row.status, "running"); /* not acked, failed nor released */
    assert_string_equal(row.locked_by, "thief");
    yaa_db_job_row_free(&row);
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_run r;
    assert_int_equal(yaa_db_runs_get(db, id, &a, &r, &err), 0);
    assert_string_equal(r.status, "running"); /* not set back to pending by this worker */
    yaa_arena_free(&a);
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_retries_to_dead),
                                       cmocka_unit_test(test_lease_lost_stops_run)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
