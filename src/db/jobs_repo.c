/* jobs_repo.c - SQL of the db queue (SQLite and PostgreSQL): the only place that touches
 * `jobs`. The claim is one UPDATE ... RETURNING inside a transaction; on PostgreSQL its
 * subquery takes the row FOR UPDATE SKIP LOCKED so concurrent workers never wait on or
 * double-claim a job. Times are compared as storage strings (fixed-width, sortable). */
#include "db/jobs_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_COLS                                                                                 \
    "id, queue, payload_json, status, attempts, max_attempts, run_at, locked_by, locked_until, " \
    "last_error, created_at, updated_at"

void yaa_db_job_row_free(yaa_db_job_row *j) {
    if (!j) return;
    free(j->id);
    free(j->queue);
    free(j->payload_json);
    free(j->status);
    free(j->run_at);
    free(j->locked_by);
    free(j->locked_until);
    free(j->last_error);
    free(j->created_at);
    free(j->updated_at);
    memset(j, 0, sizeof *j);
}

void yaa_db_job_rows_free(yaa_db_job_row *rows, size_t n) {
    for (size_t i = 0; rows && i < n; i++) yaa_db_job_row_free(&rows[i]);
    free(rows);
}

static void row_read(const yaa_db_rows *r, size_t i, yaa_db_job_row *j) {
    j->id = yaa_db_dup_text(r, i, 0);
    j->queue = yaa_db_dup_text(r, i, 1);
    j->payload_json = yaa_db_dup_text(r, i, 2);
    j->status = yaa_db_dup_text(r, i, 3);
    j->attempts = (int)yaa_db_get_int(r, i, 4);
    j->max_attempts = (int)yaa_db_get_int(r, i, 5);
    j->run_at = yaa_db_dup_text(r, i, 6);
    j->locked_by = yaa_db_dup_text(r, i, 7);
    j->locked_until = yaa_db_dup_text(r, i, 8);
    j->last_error = yaa_db_dup_text(r, i, 9);
    j->created_at = yaa_db_dup_text(r, i, 10);
    j->updated_at = yaa_db_dup_text(r, i, 11);
}

static void time_in(long sec, char out[YAA_DB_TIME_LEN + 1]) { yaa_db_time(time(NULL) + sec, out); }

int yaa_db_jobs_enqueue(yaa_db *db, const char *queue, const char *id, const char *payload_json,
                        int max_attempts, bool *created, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(
        db,
        "INSERT INTO jobs (id, queue, payload_json, status, attempts, max_attempts, run_at, "
        "created_at, updated_at) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, payload_json = "
        "excluded.payload_json, status = 'queued', attempts = 0, max_attempts = "
        "excluded.max_attempts, run_at = excluded.run_at, locked_by = NULL, locked_until = NULL, "
        "last_error = NULL, updated_at = excluded.updated_at "
        "WHERE jobs.status NOT IN ('queued', 'running')",
        YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(queue), yaa_db_text(payload_json),
                    yaa_db_int(max_attempts), yaa_db_text(now), yaa_db_text(now), yaa_db_text(now)),
        &n, err);
    if (created) *created = rc == 0 && n > 0;
    return rc;
}

typedef struct claim_arg {
    const char *queue;
    const char *worker;
    int lease_sec;
    yaa_db_jobs_dead_fn on_dead;
    void *ud;
    yaa_db_job_row *out;
    bool found;
} claim_arg;

static int claim_tx(yaa_db *tx, void *arg, yaa_err *err) {
    claim_arg *c = arg;
    char now[YAA_DB_TIME_LEN + 1], until[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    time_in(c->lease_sec, until);
    /* A job whose worker died on its last allowed attempt goes to the dead letters. */
    yaa_db_rows *dead = NULL;
    int rc = yaa_db_query(tx,
                          "UPDATE jobs SET status = 'dead', last_error = COALESCE(last_error, "
                          "'lease expired (worker lost)'), locked_by = NULL, locked_until = NULL, "
                          "updated_at = ? WHERE queue = ? AND status = 'running' AND "
                          "locked_until < ? AND attempts >= max_attempts RETURNING id, attempts",
                          YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(c->queue), yaa_db_text(now)),
                          &dead, err);
    if (rc) return rc;
    for (size_t i = 0; c->on_dead && i < yaa_db_rows_count(dead) && rc == 0; i++)
        rc = c->on_dead(tx, yaa_db_get_text(dead, i, 0), (int)yaa_db_get_int(dead, i, 1), c->ud,
                        err);
    yaa_db_rows_free(dead);
    if (rc) return rc;
    const char *lock = yaa_db_kind(tx) == YAA_DB_POSTGRES ? " FOR UPDATE SKIP LOCKED" : "";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, "
             "locked_until = ?, updated_at = ? WHERE id = (SELECT id FROM jobs WHERE queue = ? "
             "AND ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until "
             "< ?)) ORDER BY run_at, created_at LIMIT 1%s) RETURNING " JOB_COLS,
             lock);
    yaa_db_rows *r = NULL;
    rc = yaa_db_query(tx, sql,
                      YAA_DB_ARGS(yaa_db_text(c->worker), yaa_db_text(until), yaa_db_text(now),
                                  yaa_db_text(c->queue), yaa_db_text(now), yaa_db_text(now)),
                      &r, err);
    if (rc) return rc;
    /* None due: still commit, so the dead-letter moves above are kept. */
    c->found = yaa_db_rows_count(r) > 0;
    if (c->found) row_read(r, 0, c->out);
    yaa_db_rows_free(r);
    return 0;
}

int yaa_db_jobs_claim(yaa_db *db, const char *queue, const char *worker, int lease_sec,
                      yaa_db_jobs_dead_fn on_dead, void *ud, yaa_db_job_row *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    claim_arg c = {queue, worker, lease_sec, on_dead, ud, out, false};
    yaa_err e = {0};
    int rc = yaa_db_tx(db, claim_tx, &c, &e);
    if (rc && err) *err = e;
    if (rc == 0 && !c.found) return YAA_ENOTFOUND;
    return rc;
}

int yaa_db_jobs_renew(yaa_db *db, const char *id, const char *worker, int lease_sec, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1], until[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    time_in(lease_sec, until);
    int64_t n = 0;
    int rc = yaa_db_exec(
        db,
        "UPDATE jobs SET locked_until = ?, updated_at = ? WHERE id = ? AND "
        "locked_by = ? AND status = 'running'",
        YAA_DB_ARGS(yaa_db_text(until), yaa_db_text(now), yaa_db_text(id), yaa_db_text(worker)), &n,
        err);
    if (rc || n) return rc;
    /* Not ours any more: cancelled (the run stops as a cancellation) or taken over. */
    yaa_db_rows *r = NULL;
    rc = yaa_db_query(db, "SELECT status FROM jobs WHERE id = ?", YAA_DB_ARGS(yaa_db_text(id)), &r,
                      err);
    const char *st = rc == 0 && yaa_db_rows_count(r) ? yaa_db_get_text(r, 0, 0) : NULL;
    bool cancelled = st && strcmp(st, "cancelled") == 0;
    yaa_db_rows_free(r);
    if (rc) return rc;
    if (cancelled) return yaa_err_set(err, YAA_ECANCELLED, "job %s was cancelled", id);
    return yaa_err_set(err, YAA_ECONFLICT, "job %s: lease lost", id);
}

int yaa_db_jobs_ack(yaa_db *db, const char *id, const char *worker, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc =
        yaa_db_exec(db,
                    "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, "
                    "updated_at = ? WHERE id = ? AND locked_by = ? AND status = 'running'",
                    YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(id), yaa_db_text(worker)), &n, err);
    if (rc) return rc;
    if (n == 0) return yaa_err_set(err, YAA_ECONFLICT, "job %s: not held by %s", id, worker);
    return 0;
}

int yaa_db_jobs_fail(yaa_db *db, const char *id, const char *worker, const char *error,
                     int backoff_sec, bool *dead, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1], at[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    time_in(backoff_sec, at);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(
        db,
        "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' "
        "END, run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL, updated_at = ? "
        "WHERE id = ? AND locked_by = ? AND status = 'running' RETURNING status",
        YAA_DB_ARGS(yaa_db_text(at), yaa_db_text(error), yaa_db_text(now), yaa_db_text(id),
                    yaa_db_text(worker)),
        &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ECONFLICT, "job %s: not held by %s", id, worker);
    }
    if (dead) *dead = strcmp(yaa_db_get_text(r, 0, 0), "dead") == 0;
    yaa_db_rows_free(r);
    return 0;
}

int yaa_db_jobs_release(yaa_db *db, const char *id, const char *worker, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(
        db,
        "UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 "
        "THEN attempts - 1 ELSE 0 END, run_at = ?, locked_by = NULL, "
        "locked_until = NULL, updated_at = ? WHERE id = ? AND locked_by = ? AND "
        "status = 'running'",
        YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(now), yaa_db_text(id), yaa_db_text(worker)), &n,
        err);
    if (rc) return rc;
    if (n == 0) return yaa_err_set(err, YAA_ECONFLICT, "job %s: not held by %s", id, worker);
    return 0;
}

int yaa_db_jobs_cancel(yaa_db *db, const char *id, bool *was_queued, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE id = ? AND "
                         "status = 'queued'",
                         YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(id)), &n, err);
    if (was_queued) *was_queued = rc == 0 && n > 0;
    return rc;
}

int yaa_db_jobs_stats_get(yaa_db *db, const char *queue, yaa_db_jobs_stats *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT status, CASE WHEN status = 'queued' AND run_at > ? THEN 1 ELSE "
                          "0 END AS later, COUNT(*) FROM jobs WHERE queue = ? GROUP BY 1, 2",
                          YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(queue)), &r, err);
    if (rc) return rc;
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
        const char *s = yaa_db_get_text(r, i, 0);
        long later = (long)yaa_db_get_int(r, i, 1);
        long c = (long)yaa_db_get_int(r, i, 2);
        if (!s) continue;
        if (strcmp(s, "queued") == 0 && later)
            out->delayed += c;
        else if (strcmp(s, "queued") == 0)
            out->queued += c;
        else if (strcmp(s, "running") == 0)
            out->running += c;
        else if (strcmp(s, "done") == 0)
            out->done += c;
        else if (strcmp(s, "dead") == 0)
            out->dead += c;
        else if (strcmp(s, "cancelled") == 0)
            out->cancelled += c;
    }
    yaa_db_rows_free(r);
    return 0;
}

int yaa_db_jobs_dead_list(yaa_db *db, const char *queue, long limit, yaa_db_job_row **out,
                          size_t *n, yaa_err *err) {
    *out = NULL;
    *n = 0;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT " JOB_COLS " FROM jobs WHERE queue = ? AND status = 'dead' "
                          "ORDER BY updated_at DESC LIMIT ?",
                          YAA_DB_ARGS(yaa_db_text(queue), yaa_db_int(limit)), &r, err);
    if (rc) return rc;
    size_t cnt = yaa_db_rows_count(r);
    if (cnt) {
        *out = calloc(cnt, sizeof **out);
        if (!*out) {
            yaa_db_rows_free(r);
            return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < cnt; i++) row_read(r, i, &(*out)[i]);
    }
    *n = cnt;
    yaa_db_rows_free(r);
    return 0;
}

int yaa_db_jobs_requeue(yaa_db *db, const char *id, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, "
                         "last_error = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', "
                         "'cancelled')",
                         YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(now), yaa_db_text(id)), &n, err);
    if (rc) return rc;
    if (n == 0) return yaa_err_set(err, YAA_ENOTFOUND, "no dead job '%s'", id);
    return 0;
}

int yaa_db_jobs_get(yaa_db *db, const char *id, yaa_db_job_row *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT " JOB_COLS " FROM jobs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "no job '%s'", id);
    }
    row_read(r, 0, out);
    yaa_db_rows_free(r);
    return 0;
}
