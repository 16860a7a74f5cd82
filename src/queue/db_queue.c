/* db_queue.c - the db backend of the queue: the `jobs` table through db/jobs_repo. Claims
 * poll (the embedded default has one process; claim waits in short sleeps up to wait_ms).
 * A job's id is its run id; a move to the dead letters marks the run failed, and a requeue
 * marks it pending, in the same transaction as the job's change. */
#include "queue/queue.h"

#include "core/util.h"
#include "db/jobs_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct db_queue {
    yaa_queue base;
    yaa_db *db;
} db_queue;

static yaa_db *dbq(yaa_queue *q) { return ((db_queue *)q)->db; }

/* A job whose lease expired on its last attempt (inside the claim's transaction). */
static int on_lease_dead(yaa_db *tx, const char *id, int attempts, void *ud, yaa_err *err) {
    (void)ud;
    return yaa_queue_run_dead(tx, id, attempts, true, NULL, err);
}

static int q_enqueue(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                     yaa_err *err) {
    char *payload = yaa_queue_payload(run_id, 1, from_stage);
    if (!payload) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = yaa_db_jobs_enqueue(dbq(q), YAA_QUEUE_PIPELINE, run_id, payload, q->max_attempts,
                                 created, err);
    free(payload);
    return rc;
}

static int q_claim(yaa_queue *q, const char *worker, int wait_ms, yaa_job *out, yaa_err *err) {
    uint64_t deadline = yaa_mono_ns() + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000ull;
    for (;;) {
        yaa_db_job_row row;
        int rc = yaa_db_jobs_claim(dbq(q), YAA_QUEUE_PIPELINE, worker, q->lease_sec, on_lease_dead,
                                   NULL, &row, err);
        if (rc == 0) {
            memset(out, 0, sizeof *out);
            snprintf(out->id, sizeof out->id, "%s", row.id ? row.id : "");
            out->attempt = row.attempts;
            out->max_attempts = row.max_attempts;
            yaa_err perr = {0};
            if (yaa_queue_parse_payload(row.payload_json, out, &perr) != 0) {
                /* A poison payload can never run: dead-letter it at once. */
                bool dead = false;
                yaa_db_jobs_fail(dbq(q), row.id, worker, perr.msg, 0, &dead, NULL);
                yaa_db_job_row_free(&row);
                continue;
            }
            yaa_db_job_row_free(&row);
            return 0;
        }
        if (rc != YAA_ENOTFOUND) return rc;
        if (yaa_mono_ns() >= deadline) return YAA_ENOTFOUND;
        yaa_sleep_ms(wait_ms < 200 ? wait_ms : 200);
    }
}

static int q_renew(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return yaa_db_jobs_renew(dbq(q), job->id, worker, q->lease_sec, err);
}

static int q_ack(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return yaa_db_jobs_ack(dbq(q), job->id, worker, err);
}

typedef struct fail_arg {
    yaa_queue *q;
    const yaa_job *job;
    const char *worker, *error;
    bool dead;
} fail_arg;

static int fail_tx(yaa_db *tx, void *arg, yaa_err *err) {
    fail_arg *f = arg;
    int rc = yaa_db_jobs_fail(tx, f->job->id, f->worker, f->error,
                              yaa_queue_backoff_sec(f->q, f->job->attempt), &f->dead, err);
    if (rc || !f->dead) return rc;
    return yaa_queue_run_dead(tx, f->job->run_id, f->job->attempt, false, f->error, err);
}

static int q_fail(yaa_queue *q, const yaa_job *job, const char *worker, const char *error,
                  bool *dead, yaa_err *err) {
    fail_arg f = {q, job, worker, error, false};
    int rc = yaa_db_tx(dbq(q), fail_tx, &f, err);
    if (dead) *dead = rc == 0 && f.dead;
    return rc;
}

static int q_cancel(yaa_queue *q, const char *run_id, yaa_err *err) {
    return yaa_db_jobs_cancel(dbq(q), run_id, NULL, err);
}

static int q_stats(yaa_queue *q, yaa_queue_stats *out, yaa_err *err) {
    yaa_db_jobs_stats s;
    int rc = yaa_db_jobs_stats_get(dbq(q), YAA_QUEUE_PIPELINE, &s, err);
    if (rc) return rc;
    out->queued = s.queued;
    out->delayed = s.delayed;
    out->running = s.running;
    out->done = s.done;
    out->dead = s.dead;
    out->cancelled = s.cancelled;
    return 0;
}

static int q_dead_list(yaa_queue *q, long limit, yaa_dead_job **out, size_t *n, yaa_err *err) {
    yaa_db_job_row *rows = NULL;
    size_t cnt = 0;
    *out = NULL;
    *n = 0;
    int rc = yaa_db_jobs_dead_list(dbq(q), YAA_QUEUE_PIPELINE, limit, &rows, &cnt, err);
    if (rc) return rc;
    if (cnt) {
        *out = calloc(cnt, sizeof **out);
        if (!*out) {
            yaa_db_job_rows_free(rows, cnt);
            return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < cnt; i++) {
        yaa_dead_job *d = &(*out)[i];
        yaa_job tmp = {0};
        snprintf(d->id, sizeof d->id, "%s", rows[i].id ? rows[i].id : "");
        if (yaa_queue_parse_payload(rows[i].payload_json, &tmp, NULL) == 0)
            snprintf(d->run_id, sizeof d->run_id, "%s", tmp.run_id);
        d->attempts = rows[i].attempts;
        snprintf(d->last_error, sizeof d->last_error, "%s",
                 rows[i].last_error ? rows[i].last_error : "");
        snprintf(d->failed_at, sizeof d->failed_at, "%s",
                 rows[i].updated_at ? rows[i].updated_at : "");
    }
    *n = cnt;
    yaa_db_job_rows_free(rows, cnt);
    return 0;
}

static int requeue_tx(yaa_db *tx, void *arg, yaa_err *err) {
    const char *id = arg;
    int rc = yaa_db_jobs_requeue(tx, id, err);
    return rc ? rc : yaa_queue_run_requeued(tx, id, err);
}

static int q_requeue(yaa_queue *q, const char *id, yaa_err *err) {
    return yaa_db_tx(dbq(q), requeue_tx, (void *)id, err);
}

static int q_ping(yaa_queue *q, yaa_err *err) {
    yaa_db_jobs_stats s;
    return yaa_db_jobs_stats_get(dbq(q), YAA_QUEUE_PIPELINE, &s, err);
}

static void q_close(yaa_queue *q) { free(q); }

static int q_release(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return yaa_db_jobs_release(dbq(q), job->id, worker, err);
}

static const yaa_queue_vt db_vt = {
    .name = "db",
    .enqueue = q_enqueue,
    .claim = q_claim,
    .renew = q_renew,
    .ack = q_ack,
    .fail = q_fail,
    .cancel = q_cancel,
    .stats = q_stats,
    .dead_list = q_dead_list,
    .requeue = q_requeue,
    .ping = q_ping,
    .close = q_close,
    .release = q_release,
};

int yaa_queue_db_open(struct yaa_db *db, yaa_queue **out, yaa_err *err) {
    db_queue *q = calloc(1, sizeof *q);
    if (!q) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    q->base.vt = &db_vt;
    yaa_queue_defaults(&q->base);
    q->db = db;
    q->base.db = db;
    *out = &q->base;
    return 0;
}
