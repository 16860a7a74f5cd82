/* test_db_queue.c - the db queue on SQLite: idempotent enqueue, claim with lease, renew, ack,
 * fail with backoff to dead letters, requeue, cancel, expired-lease re-delivery, stats; a job
 * that goes dead (lease expired or failed) marks its run failed, a requeue marks it pending. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/jobs_repo.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "queue/queue.h"

static char dir[PATH_MAX];

static yaa_db *open_db(void) {
    yaa_db *db = yaa_dbtest_sqlite(dir);
    if (!db) fail_msg("cannot open the test database");
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

static void new_run(yaa_db *db, const char *status, char id[37]) {
    yaa_err err = {0};
    if (yaa_db_runstore_run_create(db, "ch", "topic", "", true, false, id, &err) != 0)
        fail_msg("run: %s", err.msg);
    if (strcmp(status, "pending") != 0 &&
        yaa_db_runstore_run_set_status(db, id, status, NULL, &err) != 0)
        fail_msg("status: %s", err.msg);
}

/* The run's status; errors_json in errors (if given); whether completed_at is set. */
static bool run_row(yaa_db *db, const char *id, char status[16], char *errors, size_t n) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    yaa_err err = {0};
    if (yaa_db_runs_get(db, id, &a, &r, &err) != 0) fail_msg("get: %s", err.msg);
    snprintf(status, 16, "%s", r.status);
    if (errors) snprintf(errors, n, "%s", r.errors_json ? r.errors_json : "");
    bool done = r.completed_at != NULL;
    yaa_arena_free(&a);
    return done;
}

/* Delivers run_id's job until its lease has expired max_attempts times; the next claim moves
 * it to the dead letters. */
static void lose_workers(yaa_queue *q, const char *run_id) {
    yaa_err err = {0};
    yaa_job job;
    bool created = false;
    assert_int_equal(yaa_queue_enqueue_run(q, run_id, NULL, &created, &err), 0);
    q->lease_sec = -5; /* every lease is already expired */
    for (int i = 1; i <= 3; i++) {
        char w[8];
        snprintf(w, sizeof w, "w%d", i);
        assert_int_equal(yaa_queue_claim(q, w, 0, &job, &err), 0);
        assert_int_equal(job.attempt, i);
    }
    q->lease_sec = 60;
    assert_int_equal(yaa_queue_claim(q, "w4", 0, &job, &err), YAA_ENOTFOUND);
}

static void test_dead_marks_run(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = open_db();
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    q->backoff_base_s = 0;
    char st[16], errors[2048];

    /* Its workers kept dying: dead letter, run failed with the reason. */
    char run[37];
    new_run(db, "running", run);
    lose_workers(q, run);
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(q, 10, &d, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].run_id, run);
    free(d);
    assert_true(run_row(db, run, st, errors, sizeof errors));
    assert_string_equal(st, "failed");
    assert_non_null(strstr(errors, "worker stopped responding 3 times (lease expired)"));
    assert_non_null(strstr(errors, "yaa queue dead requeue"));

    /* Requeue: the run shows as queued again. */
    assert_int_equal(yaa_queue_requeue(q, run, &err), 0);
    assert_false(run_row(db, run, st, NULL, 0));
    assert_string_equal(st, "pending");

    /* fail() to the dead letters: a run left pending (e.g. timed out) is failed with why. */
    yaa_job job;
    bool dead = false;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
        assert_int_equal(yaa_queue_fail(q, &job, "w1", "job timed out", &dead, &err), 0);
    }
    assert_true(dead);
    assert_true(run_row(db, run, st, errors, sizeof errors));
    assert_string_equal(st, "failed");
    assert_non_null(strstr(errors, "failed 3 times (last error: job timed out)"));

    /* Never overrides a completed or cancelled run. */
    char done_run[37], cancelled_run[37];
    new_run(db, "completed", done_run);
    new_run(db, "cancelled", cancelled_run);
    lose_workers(q, done_run);
    lose_workers(q, cancelled_run);
    assert_true(run_row(db, done_run, st, errors, sizeof errors));
    assert_string_equal(st, "completed");
    assert_string_equal(errors, "[]");
    run_row(db, cancelled_run, st, errors, sizeof errors);
    assert_string_equal(st, "cancelled");
    assert_string_equal(errors, "[]");
    assert_int_equal(yaa_queue_requeue(q, done_run, &err), 0);
    assert_true(run_row(db, done_run, st, NULL, 0));
    assert_string_equal(st, "completed");
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lifecycle),
                                       cmocka_unit_test(test_dead_marks_run)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
