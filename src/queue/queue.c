/* queue.c - backend selection and the backend-neutral wrappers and helpers, including what a
 * dead-lettered or requeued job does to its run's row. */
#include "queue/queue.h"

#include "db/db.h"
#include "db/repo.h"
#include "db/run_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yaa_queue_open(const char *url, struct yaa_db *db, yaa_queue **out, yaa_err *err) {
    *out = NULL;
    if (!url || !*url || strcmp(url, "db") == 0) {
        if (!db) return yaa_err_set(err, YAA_ECONFIG, "QUEUE_URL=db needs a database");
        return yaa_queue_db_open(db, out, err);
    }
    if (strncmp(url, "redis://", 8) == 0 || strncmp(url, "rediss://", 9) == 0) {
        int rc = yaa_queue_redis_open(url, out, err);
        if (rc == 0) (*out)->db = db;
        return rc;
    }
    return yaa_err_set(err, YAA_ECONFIG, "QUEUE_URL: expected 'db' or 'redis://host:port/n'");
}

void yaa_queue_defaults(yaa_queue *q) {
    q->max_attempts = YAA_QUEUE_MAX_ATTEMPTS;
    q->lease_sec = YAA_QUEUE_LEASE_SEC;
    q->backoff_base_s = YAA_QUEUE_BACKOFF_SEC;
}

void yaa_queue_tune(yaa_queue *q, int max_attempts, int lease_sec, int backoff_sec) {
    if (max_attempts > 0) q->max_attempts = max_attempts;
    if (lease_sec > 0) q->lease_sec = lease_sec;
    if (backoff_sec >= 0) q->backoff_base_s = backoff_sec;
}

void yaa_queue_close(yaa_queue *q) {
    if (q) q->vt->close(q);
}

const char *yaa_queue_name(const yaa_queue *q) { return q ? q->vt->name : "none"; }

int yaa_queue_enqueue_run(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                          yaa_err *err) {
    return q->vt->enqueue(q, run_id, from_stage, created, err);
}
int yaa_queue_claim(yaa_queue *q, const char *worker, int wait_ms, yaa_job *out, yaa_err *err) {
    return q->vt->claim(q, worker, wait_ms, out, err);
}
int yaa_queue_renew(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return q->vt->renew(q, job, worker, err);
}
int yaa_queue_ack(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return q->vt->ack(q, job, worker, err);
}
int yaa_queue_fail(yaa_queue *q, const yaa_job *job, const char *worker, const char *error,
                   bool *dead, yaa_err *err) {
    return q->vt->fail(q, job, worker, error, dead, err);
}
int yaa_queue_cancel(yaa_queue *q, const char *run_id, yaa_err *err) {
    return q->vt->cancel(q, run_id, err);
}
int yaa_queue_release(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    return q->vt->release ? q->vt->release(q, job, worker, err) : 0;
}
int yaa_queue_stats_get(yaa_queue *q, yaa_queue_stats *out, yaa_err *err) {
    return q->vt->stats(q, out, err);
}
int yaa_queue_dead_list(yaa_queue *q, long limit, yaa_dead_job **out, size_t *n, yaa_err *err) {
    return q->vt->dead_list(q, limit, out, n, err);
}
int yaa_queue_requeue(yaa_queue *q, const char *id, yaa_err *err) {
    return q->vt->requeue(q, id, err);
}
int yaa_queue_ping(yaa_queue *q, yaa_err *err) { return q->vt->ping(q, err); }

typedef struct dead_arg {
    const char *run_id;
    const char *message;
} dead_arg;

/* failed + the error, in one transaction, unless the run is past pending/running. */
static int run_dead_tx(yaa_db *tx, void *arg, yaa_err *err) {
    const dead_arg *d = arg;
    yaa_db_run_update u = {0};
    u.status = "failed";
    u.set_completed_at = true;
    u.if_status_in = "pending,running";
    yaa_err e = {0};
    int rc = yaa_db_runs_update(tx, d->run_id, &u, &e);
    if (rc == YAA_ECONFLICT || rc == YAA_ENOTFOUND) return 0; /* completed, cancelled, failed */
    if (rc) {
        if (err) *err = e;
        return rc;
    }
    return yaa_db_runstore_run_add_error(tx, d->run_id, d->message, err);
}

int yaa_queue_run_dead(struct yaa_db *db, const char *run_id, int attempts, bool lease_expired,
                       const char *last_error, yaa_err *err) {
    if (!db || !run_id || !*run_id) return 0;
    char msg[1024];
    if (lease_expired)
        snprintf(msg, sizeof msg,
                 "queue: the job's worker stopped responding %d times (lease expired); "
                 "re-queue it with `yaa queue dead requeue %s`",
                 attempts, run_id);
    else
        snprintf(msg, sizeof msg,
                 "queue: the job failed %d times (last error: %.600s); re-queue it with "
                 "`yaa queue dead requeue %s` once the cause is fixed",
                 attempts, last_error && *last_error ? last_error : "unknown", run_id);
    dead_arg d = {run_id, msg};
    return yaa_db_tx(db, run_dead_tx, &d, err);
}

int yaa_queue_run_requeued(struct yaa_db *db, const char *run_id, yaa_err *err) {
    if (!db || !run_id || !*run_id) return 0;
    yaa_db_run_update u = {0};
    u.status = "pending";
    u.clear_completed_at = true;
    u.if_status_in = "pending,running,failed";
    yaa_err e = {0};
    int rc = yaa_db_runs_update(db, run_id, &u, &e);
    if (rc == YAA_ECONFLICT || rc == YAA_ENOTFOUND) return 0; /* completed or cancelled */
    if (rc && err) *err = e;
    return rc;
}

int yaa_queue_backoff_sec(const yaa_queue *q, int attempt) {
    long s = q->backoff_base_s;
    if (s <= 0) return 0;
    for (int i = 1; i < attempt && s < 3600; i++) s *= 2;
    return (int)(s > 3600 ? 3600 : s);
}

int yaa_queue_parse_payload(const char *json, yaa_job *out, yaa_err *err) {
    json_error_t je;
    json_t *j = json_loads(json ? json : "", 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return yaa_err_set(err, YAA_EPARSE, "job payload is not a JSON object");
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *run_id = json_string_value(json_object_get(j, "run_id"));
    const char *from = json_string_value(json_object_get(j, "from_stage"));
    if (!type || !run_id) {
        json_decref(j);
        return yaa_err_set(err, YAA_EPARSE, "job payload lacks type or run_id");
    }
    snprintf(out->type, sizeof out->type, "%s", type);
    snprintf(out->run_id, sizeof out->run_id, "%s", run_id);
    snprintf(out->from_stage, sizeof out->from_stage, "%s", from ? from : "");
    json_decref(j);
    return 0;
}

char *yaa_queue_payload(const char *run_id, int attempt, const char *from_stage) {
    json_t *j =
        json_pack("{s:s, s:s, s:i}", "type", "pipeline.run", "run_id", run_id, "attempt", attempt);
    if (!j) return NULL;
    if (from_stage && *from_stage) json_object_set_new(j, "from_stage", json_string(from_stage));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}
