/* queue.h - the job queue: one interface, two backends (db: the `jobs` table; redis: Redis
 * Streams, from the distributed-workers issue).
 *
 * Delivery is at-least-once: a claimed job carries a lease that the worker renews while it
 * runs; a job whose lease expires is delivered again. fail() retries with exponential backoff
 * (base * 2^(attempt-1)) up to max_attempts, then the job is dead (dead letters, listable and
 * re-queueable) and, with a database, its run is marked failed. Enqueueing is idempotent per
 * run id. */
#ifndef YAA_QUEUE_H
#define YAA_QUEUE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct yaa_db;

#define YAA_QUEUE_PIPELINE "pipeline"
#define YAA_QUEUE_MAX_ATTEMPTS 3
#define YAA_QUEUE_LEASE_SEC 60
#define YAA_QUEUE_BACKOFF_SEC 10

typedef struct yaa_job {
    char id[64];
    char run_id[40];
    char type[32];       /* "pipeline.run" */
    char from_stage[40]; /* "" = resume at the first stage without a checkpoint */
    int attempt;         /* 1 on the first delivery */
    int max_attempts;
    void *backend; /* backend-specific handle (e.g. a stream entry id) */
} yaa_job;

typedef struct yaa_queue_stats {
    long queued, delayed, running, done, dead, cancelled;
} yaa_queue_stats;

typedef struct yaa_dead_job {
    char id[64];
    char run_id[40];
    int attempts;
    char last_error[512];
    char failed_at[32];
} yaa_dead_job;

typedef struct yaa_queue yaa_queue;

/* What a backend implements. Every call is thread-safe. */
typedef struct yaa_queue_vt {
    const char *name; /* "db" | "redis" */
    int (*enqueue)(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                   yaa_err *err);
    /* YAA_ENOTFOUND when no job is due (after waiting at most wait_ms). */
    int (*claim)(yaa_queue *q, const char *worker, int wait_ms, yaa_job *out, yaa_err *err);
    int (*renew)(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
    int (*ack)(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
    int (*fail)(yaa_queue *q, const yaa_job *job, const char *worker, const char *error, bool *dead,
                yaa_err *err);
    int (*cancel)(yaa_queue *q, const char *run_id, yaa_err *err);
    int (*stats)(yaa_queue *q, yaa_queue_stats *out, yaa_err *err);
    int (*dead_list)(yaa_queue *q, long limit, yaa_dead_job **out, size_t *n, yaa_err *err);
    int (*requeue)(yaa_queue *q, const char *id, yaa_err *err);
    int (*ping)(yaa_queue *q, yaa_err *err);
    void (*close)(yaa_queue *q);
    /* Optional (may be NULL): give a claimed job back at once, not counted as an attempt. */
    int (*release)(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
} yaa_queue_vt;

/* The common head of every backend's struct. */
struct yaa_queue {
    const yaa_queue_vt *vt;
    int max_attempts;   /* default YAA_QUEUE_MAX_ATTEMPTS */
    int lease_sec;      /* default YAA_QUEUE_LEASE_SEC */
    int backoff_base_s; /* first retry delay; default YAA_QUEUE_BACKOFF_SEC */
    /* The database of the runs (may be NULL): a job moved to the dead letters marks its run
     * `failed`, a requeued one marks it `pending` again (yaa_queue_run_dead/_requeued). */
    struct yaa_db *db;
};

/* Opens the backend named by url: "db" (needs db) or "redis://..." (the redis backend, if
 * built in: yaa_queue_redis_open). */
int yaa_queue_open(const char *url, struct yaa_db *db, yaa_queue **out, yaa_err *err);
int yaa_queue_db_open(struct yaa_db *db, yaa_queue **out, yaa_err *err);
/* Defined by src/queue/redis_queue.c when that backend exists. */
int yaa_queue_redis_open(const char *url, yaa_queue **out, yaa_err *err);
/* Fills the common head's defaults (the YAA_QUEUE_* constants above). */
void yaa_queue_defaults(yaa_queue *q);
/* Overrides them (the configuration's YAA_QUEUE_MAX_ATTEMPTS, YAA_QUEUE_LEASE_SEC,
 * YAA_QUEUE_BACKOFF_SEC; tests shorten the visibility timeout); a value < 1 (backoff: < 0)
 * keeps the default. */
void yaa_queue_tune(yaa_queue *q, int max_attempts, int lease_sec, int backoff_sec);
void yaa_queue_close(yaa_queue *q);
const char *yaa_queue_name(const yaa_queue *q);

/* Payload {"type":"pipeline.run","run_id","attempt"(,"from_stage")}. */
int yaa_queue_enqueue_run(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                          yaa_err *err);
int yaa_queue_claim(yaa_queue *q, const char *worker, int wait_ms, yaa_job *out, yaa_err *err);
/* Extends the lease. YAA_ECONFLICT: another worker holds the job now (lease lost: the worker
 * drops it without a word); YAA_ECANCELLED: the job was cancelled (the worker stops the run as
 * a cancellation). */
int yaa_queue_renew(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
int yaa_queue_ack(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
int yaa_queue_fail(yaa_queue *q, const yaa_job *job, const char *worker, const char *error,
                   bool *dead, yaa_err *err);
int yaa_queue_cancel(yaa_queue *q, const char *run_id, yaa_err *err);
/* Gives a claimed job back (shutdown); without backend support the lease simply expires. */
int yaa_queue_release(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err);
int yaa_queue_stats_get(yaa_queue *q, yaa_queue_stats *out, yaa_err *err);
/* Caller frees *out with free(). */
int yaa_queue_dead_list(yaa_queue *q, long limit, yaa_dead_job **out, size_t *n, yaa_err *err);
int yaa_queue_requeue(yaa_queue *q, const char *id, yaa_err *err);
int yaa_queue_ping(yaa_queue *q, yaa_err *err);

/* A job of run_id went to the dead letters after attempts deliveries: unless the run is
 * completed or cancelled (or already failed), it becomes `failed` (completed_at now) and an
 * error saying why is appended to its errors_json: lease_expired (its workers kept dying) or
 * the last error of fail(). No-op when db is NULL or the run does not exist. */
int yaa_queue_run_dead(struct yaa_db *db, const char *run_id, int attempts, bool lease_expired,
                       const char *last_error, yaa_err *err);
/* A dead job of run_id was requeued: a failed, pending or running run becomes `pending` with
 * completed_at cleared (completed and cancelled runs are left alone). No-op when db is NULL. */
int yaa_queue_run_requeued(struct yaa_db *db, const char *run_id, yaa_err *err);

/* ---- runs the queue lost (reconcile.c) ----
 * A pending/running run is alive while it has a live job (queued, delayed, leased) or while
 * its executor touches it. Marks run_id alive now (bumps updated_at while pending/running). */
int yaa_queue_run_touch(struct yaa_db *db, const char *run_id, yaa_err *err);
/* Queues run_id again (from from_stage, NULL: where it stopped) if it is pending/running,
 * untouched for grace_sec and has no live job; *requeued tells whether it did. */
int yaa_queue_rescue_run(yaa_queue *q, struct yaa_db *db, const char *run_id,
                         const char *from_stage, int grace_sec, bool *requeued, yaa_err *err);
/* One pass over every pending/running run (yaa_queue_rescue_run each); idempotent, so every
 * worker may run it. *requeued (optional) counts the runs queued again. */
int yaa_queue_reconcile(yaa_queue *q, struct yaa_db *db, int grace_sec, int *requeued,
                        yaa_err *err);

/* Backoff before delivery number attempt+1: base * 2^(attempt-1), capped at one hour. */
int yaa_queue_backoff_sec(const yaa_queue *q, int attempt);
/* Parses a job payload into out (type, run_id, from_stage). */
int yaa_queue_parse_payload(const char *json, yaa_job *out, yaa_err *err);
/* Builds the payload for run_id; caller frees. */
char *yaa_queue_payload(const char *run_id, int attempt, const char *from_stage);

#endif
