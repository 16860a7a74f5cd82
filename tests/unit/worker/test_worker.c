/* test_worker.c - the worker pool end to end on SQLite: a run whose channel does not exist
 * fails in the pipeline at once; the pool retries it (backoff 0) until the job is dead, a
 * cancelled run's queued job is never claimed, and stopping joins every thread; a renewal
 * that finds the lease lost drops the run silently, one that finds the job cancelled stops it
 * as a cancellation. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/jobs_repo.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "metrics/metrics.h"
#include "queue/queue.h"
#include "worker/worker.h"

#include "agents/agent.h"
#include "db/run_store.h"

#include <stdatomic.h>

static void test_retries_to_dead(void **state) {
    (void)state;
    char dir[PATH_MAX], chdir_[PATH_MAX + 16], outdir[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(chdir_, sizeof chdir_, "%s/channels", dir);
    snprintf(outdir, sizeof outdir, "%s/output", dir);
    yaa_db *db = yaa_dbtest_sqlite(dir);
    yaa_err err = {0};
    assert_non_null(db);
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

/* The first stage waits for the test's go, then works until it is told to stop (at most
 * 20 s) and records that it was. */
static atomic_int stage_started, stage_go, stage_saw_cancel;
static int slow_stage(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    atomic_store(&stage_started, 1);
    for (int i = 0; i < 400 && !atomic_load(&stage_go); i++) yaa_sleep_ms(50);
    for (int i = 0; i < 400 && !yaa_agents_cancelled(ctx); i++) yaa_sleep_ms(50);
    if (yaa_agents_cancelled(ctx)) atomic_store(&stage_saw_cancel, 1);
    *out = json_object();
    (void)err;
    return 0; /* even a stage that ends normally must not write its checkpoint */
}
static const yaa_pipeline_stage_fn slow[YAA_STAGE_COUNT] = {slow_stage};

/* A pool of one worker (lease renewed every second) running one dry run of channel "demo",
 * its first stage slow_stage. */
typedef struct slow_run {
    char dir[PATH_MAX], outdir[PATH_MAX + 16], chdir_[PATH_MAX + 16], id[37];
    yaa_db *db;
    yaa_queue *q;
    yaa_config cfg;
    yaa_worker_pool *pool;
} slow_run;

static void slow_run_start(slow_run *f) {
    char path[PATH_MAX + 64];
    memset(f, 0, sizeof *f);
    atomic_store(&stage_started, 0);
    atomic_store(&stage_go, 0);
    atomic_store(&stage_saw_cancel, 0);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->chdir_, sizeof f->chdir_, "%s/channels", f->dir);
    snprintf(f->outdir, sizeof f->outdir, "%s/output", f->dir);
    snprintf(path, sizeof path, "%s/demo", f->chdir_);
    yaa_mkdirs(path, 0755);
    snprintf(path, sizeof path, "%s/demo/config.yaml", f->chdir_);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("channel:\n  name: \"Demo\"\n  language: \"en\"\n", fp);
    fclose(fp);
    yaa_err err = {0};
    assert_non_null(f->db = yaa_dbtest_sqlite(f->dir));
    yaa_db_runstore_spec spec = {.channel_id = "demo", .topic = "t", .dry_run = true};
    assert_int_equal(yaa_db_runstore_run_create_spec(f->db, &spec, f->id, &err), 0);
    assert_int_equal(yaa_queue_open("db", f->db, &f->q, &err), 0);
    yaa_queue_tune(f->q, 3, 3, 0); /* renewal every second */
    assert_int_equal(yaa_queue_enqueue_run(f->q, f->id, NULL, NULL, &err), 0);
    f->cfg.channels_dir = f->chdir_;
    f->cfg.output_dir = f->outdir;
    f->cfg.prompts_dir = f->outdir;
    f->cfg.llm_provider = "offline";
    yaa_worker_opts o = {.cfg = &f->cfg,
                         .db = f->db,
                         .queue = f->q,
                         .concurrency = 1,
                         .poll_ms = 50,
                         .stages = slow};
    assert_int_equal(yaa_worker_pool_start(&o, &f->pool, &err), 0);
    for (int i = 0; i < 200 && !atomic_load(&stage_started); i++) yaa_sleep_ms(50);
    assert_true(atomic_load(&stage_started));
}

/* Lets the stage go on; waits until the worker is idle and stops the pool. */
static void slow_run_finish(slow_run *f) {
    atomic_store(&stage_go, 1);
    for (int i = 0; i < 200 && yaa_worker_pool_busy(f->pool); i++) yaa_sleep_ms(50);
    assert_int_equal(yaa_worker_pool_busy(f->pool), 0);
    assert_true(atomic_load(&stage_saw_cancel));
    yaa_worker_pool_stop(f->pool);
    yaa_worker_pool_free(f->pool);
}

static void slow_run_free(slow_run *f) {
    yaa_queue_close(f->q);
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
}

static void sql(yaa_db *db, const char *stmt, const char *id) {
    yaa_err err = {0};
    int64_t n = 0;
    if (yaa_db_exec(db, stmt, YAA_DB_ARGS(yaa_db_text(id)), &n, &err) != 0 || n != 1)
        fail_msg("%s: %s", stmt, err.msg);
}

static void job_and_run(slow_run *f, yaa_db_job_row *row, char status[16]) {
    yaa_err err = {0};
    assert_int_equal(yaa_db_jobs_get(f->db, f->id, row, &err), 0);
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_run r;
    assert_int_equal(yaa_db_runs_get(f->db, f->id, &a, &r, &err), 0);
    snprintf(status, 16, "%s", r.status);
    yaa_arena_free(&a);
}

/* Renewal reports the lease lost (another worker took the job): the run's execution is
 * cancelled, its stage gets no checkpoint, and the job is neither acked nor failed. */
static void test_lease_lost_stops_run(void **state) {
    (void)state;
    slow_run f;
    slow_run_start(&f);
    /* another worker now holds the job (as after a stall past the lease) */
    sql(f.db, "UPDATE jobs SET locked_by = 'thief' WHERE id = ? AND status = 'running'", f.id);
    slow_run_finish(&f); /* the next renewal (within a second) stops the stage */
    yaa_db_job_row row = {0};
    char status[16];
    job_and_run(&f, &row, status);
    assert_string_equal(row.status, "running"); /* not acked, failed nor released */
    assert_string_equal(row.locked_by, "thief");
    assert_string_equal(status, "running"); /* not set back to pending by this worker */
    yaa_db_job_row_free(&row);
    slow_run_free(&f);
}

/* yaa_pipeline_runs_total{status="cancelled"}. */
static long cancelled_runs(void) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_int_equal(yaa_metrics_render(&b), 0);
    const char *line = strstr(yaa_buf_cstr(&b), "yaa_pipeline_runs_total{status=\"cancelled\"} ");
    long v = line ? strtol(strchr(line, '}') + 2, NULL, 10) : -1;
    yaa_buf_free(&b);
    return v;
}

/* Renewal reports the job cancelled (the run was cancelled and its job with it): the run
 * stops as a cancellation - status cancelled, counted in the cancelled metric - not as a
 * lease lost to another worker. */
static void test_cancelled_job_stops_run(void **state) {
    (void)state;
    long before = cancelled_runs();
    assert_true(before >= 0);
    slow_run f;
    slow_run_start(&f);
    sql(f.db, "UPDATE pipeline_runs SET status = 'cancelled' WHERE id = ?", f.id);
    sql(f.db, "UPDATE jobs SET status = 'cancelled' WHERE id = ?", f.id);
    yaa_sleep_ms(2500); /* past two renewals, before the stage looks at the run again */
    slow_run_finish(&f);
    assert_int_equal(cancelled_runs(), before + 1);
    yaa_db_job_row row = {0};
    char status[16];
    job_and_run(&f, &row, status);
    assert_string_equal(row.status, "cancelled");
    assert_string_equal(status, "cancelled");
    yaa_db_job_row_free(&row);
    slow_run_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_retries_to_dead),
                                       cmocka_unit_test(test_lease_lost_stops_run),
                                       cmocka_unit_test(test_cancelled_job_stops_run)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
