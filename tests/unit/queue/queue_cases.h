/* queue_cases.h - one set of queue cases run on every backend (test_db_queue.c on SQLite,
 * test_redis_queue.c on a real redis-server), the way tests/unit/db/repo_cases.h runs the
 * repositories on SQLite and PostgreSQL: idempotent enqueue, claim with lease, renew, ack,
 * fail with backoff to dead letters, requeue, re-arming with from_stage, re-delivery of an
 * expired lease, release, cancel; with a database, a dead job's run marked failed (lease
 * expired or failed) and a requeued one pending again, never touching a completed or
 * cancelled run. Include after test_util.h. */
#ifndef YAA_TESTS_QUEUE_CASES_H
#define YAA_TESTS_QUEUE_CASES_H

#include "db/repo.h"
#include "db/run_store.h"
#include "queue/queue.h"

/* What differs between backends. */
typedef struct queue_backend {
    const char *url;   /* "db" or redis://... */
    yaa_db *db;        /* the runs (and, for "db", the jobs) */
    int expired_lease; /* a lease_sec under which every lease has expired at once */
    int claim_wait_ms; /* how long a claim may wait for a retry to come due */
} queue_backend;

static const char *QC_RUN = "11111111-1111-4111-8111-111111111111";

static yaa_queue *qc_open(const queue_backend *b) {
    yaa_queue *q = NULL;
    yaa_err err = {0};
    if (yaa_queue_open(b->url, b->db, &q, &err) != 0) fail_msg("open %s: %s", b->url, err.msg);
    q->backoff_base_s = 0; /* retries due at once */
    return q;
}

static void queue_case_lifecycle(const queue_backend *b) {
    yaa_queue *q = qc_open(b);
    yaa_err err = {0};
    assert_int_equal(yaa_queue_ping(q, &err), 0);
    bool created = false;
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, NULL, &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, NULL, &created, &err), 0);
    assert_false(created); /* idempotent while queued */
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.queued, 1);

    yaa_job job, other;
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.run_id, QC_RUN);
    assert_string_equal(job.type, "pipeline.run");
    assert_int_equal(job.attempt, 1);
    assert_int_equal(job.max_attempts, 3);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &other, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, NULL, &created, &err), 0);
    assert_false(created); /* idempotent while running */
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.running, 1);
    assert_int_equal(st.queued, 0);
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_renew(q, &job, "w2", &err), YAA_ECONFLICT);

    /* Fails until dead: attempts 1..3. */
    bool dead = false;
    for (int i = 1; i <= 3; i++) {
        char msg[16];
        snprintf(msg, sizeof msg, "boom %d", i);
        if (i > 1) {
            assert_int_equal(yaa_queue_claim(q, "w1", b->claim_wait_ms, &job, &err), 0);
            assert_int_equal(job.attempt, i);
        }
        assert_int_equal(yaa_queue_fail(q, &job, "w1", msg, &dead, &err), 0);
        assert_true(dead == (i == 3));
    }
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(q, 10, &d, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].run_id, QC_RUN);
    assert_string_equal(d[0].last_error, "boom 3");
    assert_int_equal(d[0].attempts, 3);
    free(d);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.dead, 1);

    /* Requeue, claim, ack; a finished job is re-armed with its from_stage. */
    assert_int_equal(yaa_queue_requeue(q, "nope", &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_requeue(q, QC_RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, "seo_optimizer", &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_string_equal(job.from_stage, "seo_optimizer");

    /* An expired lease is delivered again to another worker; the first has lost it. */
    q->lease_sec = b->expired_lease;
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &other, &err), 0);
    assert_string_equal(other.id, job.id);
    assert_int_equal(other.attempt, 2);
    q->lease_sec = 60;
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), YAA_ECONFLICT);
    assert_int_equal(yaa_queue_ack(q, &other, "w2", &err), 0);

    /* Released on shutdown: back at once, the attempt not counted. */
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_release(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w2", 0, &job, &err), 0);
    assert_int_equal(job.attempt, 1);
    assert_int_equal(yaa_queue_ack(q, &job, "w2", &err), 0);

    /* A cancelled queued job is never claimed. */
    assert_int_equal(yaa_queue_enqueue_run(q, QC_RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_cancel(q, QC_RUN, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.cancelled, 1);
    assert_int_equal(st.queued + st.running + st.delayed, 0);
    assert_int_equal(yaa_queue_cancel(q, "unknown-run", &err), 0);
    yaa_queue_close(q);
}

static void qc_new_run(yaa_db *db, const char *status, char id[37]) {
    yaa_err err = {0};
    if (yaa_db_runstore_run_create(db, "ch", "topic", "", true, false, id, &err) != 0)
        fail_msg("run: %s", err.msg);
    if (strcmp(status, "pending") != 0 &&
        yaa_db_runstore_run_set_status(db, id, status, NULL, &err) != 0)
        fail_msg("status: %s", err.msg);
}

/* The run's status; errors_json in errors (if given); whether completed_at is set. */
static bool qc_run_row(yaa_db *db, const char *id, char status[16], char *errors, size_t n) {
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

/* Delivers run_id's job to three workers whose leases all expire; the next claim moves it to
 * the dead letters. */
static void qc_lose_workers(const queue_backend *b, yaa_queue *q, const char *run_id) {
    yaa_err err = {0};
    yaa_job job;
    assert_int_equal(yaa_queue_enqueue_run(q, run_id, NULL, NULL, &err), 0);
    q->lease_sec = b->expired_lease;
    for (int i = 1; i <= 3; i++) {
        char w[8];
        snprintf(w, sizeof w, "d%d", i);
        assert_int_equal(yaa_queue_claim(q, w, b->claim_wait_ms, &job, &err), 0);
        assert_string_equal(job.run_id, run_id);
        assert_int_equal(job.attempt, i);
    }
    assert_int_equal(yaa_queue_claim(q, "d4", b->claim_wait_ms, &job, &err), YAA_ENOTFOUND);
    q->lease_sec = 60;
}

static void queue_case_dead_marks_run(const queue_backend *b) {
    yaa_queue *q = qc_open(b);
    yaa_err err = {0};
    char st[16], errors[2048];

    /* Its workers kept dying: dead letter, run failed with the reason. */
    char run[37];
    qc_new_run(b->db, "running", run);
    qc_lose_workers(b, q, run);
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(q, 100, &d, &n, &err), 0);
    bool listed = false;
    for (size_t i = 0; i < n; i++) listed |= strcmp(d[i].run_id, run) == 0;
    free(d);
    assert_true(listed);
    assert_true(qc_run_row(b->db, run, st, errors, sizeof errors));
    assert_string_equal(st, "failed");
    assert_non_null(strstr(errors, "worker stopped responding 3 times (lease expired)"));
    assert_non_null(strstr(errors, "yaa queue dead requeue"));

    /* Requeue: the run shows as queued again. */
    assert_int_equal(yaa_queue_requeue(q, run, &err), 0);
    assert_false(qc_run_row(b->db, run, st, NULL, 0));
    assert_string_equal(st, "pending");

    /* fail() to the dead letters: a run left pending (e.g. timed out) is failed with why. */
    yaa_job job;
    bool dead = false;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(yaa_queue_claim(q, "w1", b->claim_wait_ms, &job, &err), 0);
        assert_int_equal(yaa_queue_fail(q, &job, "w1", "job timed out", &dead, &err), 0);
    }
    assert_true(dead);
    assert_true(qc_run_row(b->db, run, st, errors, sizeof errors));
    assert_string_equal(st, "failed");
    assert_non_null(strstr(errors, "failed 3 times (last error: job timed out)"));

    /* Never overrides a completed or cancelled run. */
    char done_run[37], cancelled_run[37];
    qc_new_run(b->db, "completed", done_run);
    qc_new_run(b->db, "cancelled", cancelled_run);
    qc_lose_workers(b, q, done_run);
    qc_lose_workers(b, q, cancelled_run);
    assert_true(qc_run_row(b->db, done_run, st, errors, sizeof errors));
    assert_string_equal(st, "completed");
    assert_string_equal(errors, "[]");
    qc_run_row(b->db, cancelled_run, st, errors, sizeof errors);
    assert_string_equal(st, "cancelled");
    assert_string_equal(errors, "[]");
    assert_int_equal(yaa_queue_requeue(q, done_run, &err), 0);
    assert_true(qc_run_row(b->db, done_run, st, NULL, 0));
    assert_string_equal(st, "completed");
    assert_int_equal(yaa_queue_cancel(q, done_run, &err), 0); /* leave the queue empty */
    yaa_queue_stats qs;
    assert_int_equal(yaa_queue_stats_get(q, &qs, &err), 0);
    assert_int_equal(qs.queued + qs.running + qs.delayed, 0);
    yaa_queue_close(q);
}

#endif
