/* test_redis_queue.c - the redis queue backend against a real redis-server (started on a free
 * loopback port): idempotent enqueue, claim with lease, renew, ack, fail with backoff to dead
 * letters, requeue, release, cancel, re-delivery of an expired lease (XAUTOCLAIM), concurrent
 * workers each job once, a Redis restart mid-load losing and duplicating nothing, and, with a
 * database (SQLite), a dead job's run marked failed (lease expired or failed) and a requeued
 * one pending again, never touching a completed or cancelled run. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "lib/redistest.h"
#include "queue/queue.h"

#include <pthread.h>
#include <stdatomic.h>

static yaa_redistest rt;
static const char *RUN = "11111111-1111-4111-8111-111111111111";

static yaa_queue *open_q(void) {
    yaa_queue *q = NULL;
    yaa_err err = {0};
    if (yaa_queue_open(rt.url, NULL, &q, &err) != 0) fail_msg("open: %s", err.msg);
    q->backoff_base_s = 0; /* retries due at once */
    return q;
}

static void test_lifecycle(void **state) {
    (void)state;
    yaa_queue *q = open_q();
    yaa_err err = {0};
    assert_string_equal(yaa_queue_name(q), "redis");
    assert_int_equal(yaa_queue_ping(q, &err), 0);
    bool created = false;
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_false(created); /* idempotent while queued */
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.queued, 1);

    yaa_job job, other;
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.run_id, RUN);
    assert_string_equal(job.type, "pipeline.run");
    assert_int_equal(job.attempt, 1);
    assert_int_equal(job.max_attempts, 3);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &other, &err), YAA_ENOTFOUND);
    /* w1 claiming again while its job runs means the first claim's reply was lost (a worker
     * claims only when idle): the same delivery comes back, the attempt not counted twice. */
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &other, &err), 0);
    assert_string_equal(other.id, job.id);
    assert_int_equal(other.attempt, 1);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_false(created); /* idempotent while running */
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.running, 1);
    assert_int_equal(st.queued, 0);
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_renew(q, &job, "w2", &err), YAA_ECONFLICT);

    /* Fails until dead: attempts 1..3, each retry through the delayed set. */
    bool dead = false;
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "boom 1", &dead, &err), 0);
    assert_false(dead);
    assert_int_equal(yaa_queue_claim(q, "w1", 200, &job, &err), 0);
    assert_int_equal(job.attempt, 2);
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "boom 2", &dead, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 200, &job, &err), 0);
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
    assert_int_equal(d[0].attempts, 3);
    free(d);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.dead, 1);

    /* Requeue, claim, ack; a finished job is re-armed with its from_stage. */
    assert_int_equal(yaa_queue_requeue(q, "nope", &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_requeue(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, "seo_optimizer", &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.from_stage, "seo_optimizer");

    /* An expired lease is delivered again (XAUTOCLAIM) to another worker. */
    q->lease_sec = 0;
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &other, &err), 0);
    assert_string_equal(other.id, job.id);
    assert_int_equal(other.attempt, 2);
    q->lease_sec = 60;
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), YAA_ECONFLICT); /* w1 lost it */
    assert_int_equal(yaa_queue_ack(q, &other, "w2", &err), 0);

    /* Released on shutdown: back at once, the attempt not counted. */
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_release(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w2", &err), 0);

    /* Cancel a queued job, then a running one (its ack counts it cancelled). */
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.cancelled, 1);
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    /* its worker hears of it at the next renewal (cancelled, not a lease lost) */
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), YAA_ECANCELLED);
    assert_int_equal(yaa_queue_renew(q, &job, "w2", &err), YAA_ECONFLICT);
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.cancelled, 2);
    assert_int_equal(st.running, 0);
    assert_int_equal(st.queued, 0);
    assert_int_equal(yaa_queue_cancel(q, "unknown-run", &err), 0);

    /* A delayed retry waits for its due time. */
    q->backoff_base_s = 30;
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "later", &dead, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.delayed, 1);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.delayed, 0);
    yaa_queue_close(q);
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

/* Delivers run_id's job to three workers that all die (lease 0: XAUTOCLAIM takes it over at
 * once); the next claim moves it to the dead letters. */
static void lose_workers(yaa_queue *q, const char *run_id) {
    yaa_err err = {0};
    yaa_job job;
    assert_int_equal(yaa_queue_enqueue_run(q, run_id, NULL, NULL, &err), 0);
    q->lease_sec = 0;
    for (int i = 1; i <= 3; i++) {
        char w[8];
        snprintf(w, sizeof w, "d%d", i);
        assert_int_equal(yaa_queue_claim(q, w, 200, &job, &err), 0);
        assert_string_equal(job.run_id, run_id);
        assert_int_equal(job.attempt, i);
    }
    assert_int_equal(yaa_queue_claim(q, "d4", 200, &job, &err), YAA_ENOTFOUND);
    q->lease_sec = 60;
}

static void test_dead_marks_run(void **state) {
    (void)state;
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = yaa_dbtest_sqlite(dir);
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_non_null(db);
    if (yaa_queue_open(rt.url, db, &q, &err) != 0) fail_msg("open: %s", err.msg);
    q->backoff_base_s = 0;
    char st[16], errors[2048];

    /* Its workers kept dying: dead letter, run failed with the reason. */
    char run[37];
    new_run(db, "running", run);
    lose_workers(q, run);
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(q, 100, &d, &n, &err), 0);
    bool listed = false;
    for (size_t i = 0; i < n; i++) listed |= strcmp(d[i].run_id, run) == 0;
    free(d);
    assert_true(listed);
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
        assert_int_equal(yaa_queue_claim(q, "w1", 200, &job, &err), 0);
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
    assert_int_equal(yaa_queue_cancel(q, done_run, &err), 0); /* leave the stream empty */
    yaa_queue_stats qs;
    assert_int_equal(yaa_queue_stats_get(q, &qs, &err), 0);
    assert_int_equal(qs.queued + qs.running + qs.delayed, 0);
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

#define NJOBS 200
#define NTHREADS 4
static int seen[NJOBS];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;

static void *consumer(void *arg) {
    yaa_queue *q = arg;
    static atomic_int next;
    char name[32];
    snprintf(name, sizeof name, "c%d", atomic_fetch_add(&next, 1));
    int idle = 0;
    while (idle < 30) {
        yaa_job job;
        yaa_err err = {0};
        int rc = yaa_queue_claim(q, name, 100, &job, &err);
        if (rc == YAA_ENOTFOUND) {
            idle++;
            continue;
        }
        if (rc) { /* Redis restarting: try again */
            idle++;
            continue;
        }
        idle = 0;
        int i = atoi(job.run_id + 4);
        yaa_err aerr = {0};
        while (yaa_queue_ack(q, &job, name, &aerr) == YAA_EUNAVAILABLE) {
        }
        pthread_mutex_lock(&seen_mu);
        if (i >= 0 && i < NJOBS) seen[i]++;
        pthread_mutex_unlock(&seen_mu);
    }
    return NULL;
}

/* Four threads share one queue object (a connection each); Redis restarts mid-load. */
static void test_concurrent_restart(void **state) {
    (void)state;
    yaa_queue *q = open_q();
    yaa_err err = {0};
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < NJOBS / 2; i++) {
        char run[40];
        snprintf(run, sizeof run, "job-%d", i);
        assert_int_equal(yaa_queue_enqueue_run(q, run, NULL, NULL, &err), 0);
    }
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, consumer, q);
    assert_int_equal(yaa_redistest_restart(&rt), 0);
    for (int i = NJOBS / 2; i < NJOBS; i++) {
        char run[40];
        snprintf(run, sizeof run, "job-%d", i);
        assert_int_equal(yaa_queue_enqueue_run(q, run, NULL, NULL, &err), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NJOBS; i++)
        if (seen[i] != 1) fail_msg("job-%d handled %d times", i, seen[i]);
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.queued + st.running + st.delayed, 0);
    yaa_queue_close(q);
}

static void test_bad_urls(void **state) {
    (void)state;
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("redis://", NULL, &q, &err), YAA_ECONFIG);
    assert_int_equal(yaa_queue_open("redis://h:99999/0", NULL, &q, &err), YAA_ECONFIG);
    /* Nothing listens on port 1: every call reports Redis unreachable, no crash. */
    assert_int_equal(yaa_queue_open("redis://127.0.0.1:1/0", NULL, &q, &err), 0);
    assert_int_equal(q->lease_sec, YAA_QUEUE_LEASE_SEC);
    yaa_queue_tune(q, 0, 5, -1);
    assert_int_equal(q->lease_sec, 5);
    assert_int_equal(q->max_attempts, YAA_QUEUE_MAX_ATTEMPTS);
    assert_int_equal(q->backoff_base_s, YAA_QUEUE_BACKOFF_SEC);
    assert_int_equal(yaa_queue_ping(q, &err), YAA_EUNAVAILABLE);
    assert_non_null(strstr(err.msg, "127.0.0.1:1"));
    yaa_queue_close(q);
}

int main(void) {
    int rc = yaa_redistest_start(&rt);
    if (rc != 0) return rc == YAA_REDISTEST_SKIP ? 77 : 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle), cmocka_unit_test(test_dead_marks_run),
        cmocka_unit_test(test_concurrent_restart), cmocka_unit_test(test_bad_urls)};
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_redistest_stop(&rt);
    return rc;
}
