/* test_worker.c - the worker pool end to end on SQLite: a run whose channel does not exist
 * fails in the pipeline at once; the pool retries it (backoff 0) until the job is dead, a
 * cancelled run's queued job is never claimed, and stopping joins every thread. */
#include "test_util.h"

#include "core/util.h"
#include "db/db.h"
#include "db/jobs_repo.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "queue/queue.h"
#include "worker/worker.h"

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

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_retries_to_dead)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
