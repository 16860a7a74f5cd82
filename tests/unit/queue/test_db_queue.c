/* test_db_queue.c - the db queue on SQLite: idempotent enqueue, claim with lease, renew, ack,
 * fail with backoff to dead letters, requeue, cancel, expired-lease re-delivery, stats. */
#include "test_util.h"

#include "db/db.h"
#include "db/jobs_repo.h"
#include "db/migrate.h"
#include "queue/queue.h"

static char dir[PATH_MAX];

static yaa_db *open_db(void) {
    char url[PATH_MAX + 16];
    snprintf(url, sizeof url, "sqlite:///%s/q.db", dir);
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) != 0) fail_msg("open: %s", err.msg);
    char mdir[PATH_MAX];
    snprintf(mdir, sizeof mdir, "%s/migrations", yaa_test_source_dir());
    if (yaa_db_upgrade(db, mdir, -1, NULL, &err) != 0) fail_msg("migrate: %s", err.msg);
    return db;
}

static const char *RUN = "11111111-1111-4111-8111-111111111111";

static void test_lifecycle(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = open_db();
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    q->backoff_base_s = 0; /* retries due at once */
    bool created = false;
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_false(created); /* idempotent while queued */
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.queued, 1);

    yaa_job job;
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.run_id, RUN);
    assert_string_equal(job.type, "pipeline.run");
    assert_int_equal(job.attempt, 1);
    yaa_job other;
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &other, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_renew(q, &job, "w2", &err), YAA_ECONFLICT);

    /* Fails until dead: attempts 1..3. */
    bool dead = false;
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "boom 1", &dead, &err), 0);
    assert_false(dead);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 2);
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "boom 2", &dead, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 3);
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "boom 3", &dead, &err), 0);
    assert_true(dead);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(q, 10, &d, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].run_id, RUN);
    assert_string_equal(d[0].last_error, "boom 3");
    free(d);

    /* Requeue, claim with retry's from_stage, ack. */
    assert_int_equal(yaa_queue_requeue(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, "seo_optimizer", &created, &err), 0);
    assert_true(created); /* a finished job is re-armed */
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.from_stage, "seo_optimizer");

    /* An expired lease is delivered again. */
    q->lease_sec = -5;
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 2);
    q->lease_sec = 60;
    assert_int_equal(yaa_queue_ack(q, &job, "w2", &err), 0);

    /* Released on shutdown: back at once, the attempt not counted. */
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_release(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w2", &err), 0);

    /* Cancel a queued job. */
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.cancelled, 1);
    assert_int_equal(yaa_queue_ping(q, &err), 0);
    assert_int_equal(yaa_queue_backoff_sec(q, 1), 0);
    q->backoff_base_s = 10;
    assert_int_equal(yaa_queue_backoff_sec(q, 1), 10);
    assert_int_equal(yaa_queue_backoff_sec(q, 3), 40);
    assert_int_equal(yaa_queue_backoff_sec(q, 30), 3600);
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lifecycle)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
