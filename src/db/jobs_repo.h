/* jobs_repo.h - the `jobs` table of the db queue: enqueue, atomic claim with a lease, renew,
 * ack, fail (retry with backoff or dead), cancel, stats, dead letters.
 *
 * A pipeline job's id is its run id, so enqueueing is idempotent per run: while a job for the
 * run is queued or running, enqueueing again changes nothing; once it is finished (done, dead,
 * cancelled) enqueueing re-arms the same row. Timestamps are db storage strings. */
#ifndef YAA_DB_JOBS_REPO_H
#define YAA_DB_JOBS_REPO_H

#include "db/db.h"

#include <stdbool.h>

typedef struct yaa_db_job_row {
    char *id;
    char *queue;
    char *payload_json;
    char *status; /* queued | running | done | dead | cancelled */
    int attempts; /* deliveries so far (including the current one when running) */
    int max_attempts;
    char *run_at;
    char *locked_by;
    char *locked_until;
    char *last_error;
    char *created_at;
    char *updated_at;
} yaa_db_job_row;

void yaa_db_job_row_free(yaa_db_job_row *j);
void yaa_db_job_rows_free(yaa_db_job_row *rows, size_t n);

/* Inserts (or re-arms a finished) job; *created tells whether anything changed. */
int yaa_db_jobs_enqueue(yaa_db *db, const char *queue, const char *id, const char *payload_json,
                        int max_attempts, bool *created, yaa_err *err);
/* Claims the next due job (queued and run_at <= now, or running with an expired lease):
 * attempts+1, locked_by = worker, locked_until = now + lease_sec. YAA_ENOTFOUND when none.
 * Jobs whose lease expired on their last attempt are moved to dead first; on_dead (may be
 * NULL) is called for each of them inside the same transaction (a non-zero return rolls the
 * whole claim back). */
typedef int (*yaa_db_jobs_dead_fn)(yaa_db *tx, const char *id, int attempts, void *ud,
                                   yaa_err *err);
int yaa_db_jobs_claim(yaa_db *db, const char *queue, const char *worker, int lease_sec,
                      yaa_db_jobs_dead_fn on_dead, void *ud, yaa_db_job_row *out, yaa_err *err);
/* Extends the lease; YAA_ECANCELLED if the job was cancelled, YAA_ECONFLICT if it is no
 * longer held by worker otherwise. */
int yaa_db_jobs_renew(yaa_db *db, const char *id, const char *worker, int lease_sec, yaa_err *err);
int yaa_db_jobs_ack(yaa_db *db, const char *id, const char *worker, yaa_err *err);
/* Records error; re-queues with run_at = now + backoff_sec, or marks dead when attempts have
 * reached max_attempts (*dead = true). */
int yaa_db_jobs_fail(yaa_db *db, const char *id, const char *worker, const char *error,
                     int backoff_sec, bool *dead, yaa_err *err);
/* Gives a running job back (worker shutting down): queued again at once, the delivery not
 * counted as an attempt. YAA_ECONFLICT if the job is no longer held by worker. */
int yaa_db_jobs_release(yaa_db *db, const char *id, const char *worker, yaa_err *err);
/* Cancels a queued job (a running one stops through its run's status). *was_queued tells. */
int yaa_db_jobs_cancel(yaa_db *db, const char *id, bool *was_queued, yaa_err *err);

typedef struct yaa_db_jobs_stats {
    long queued;  /* due now */
    long delayed; /* queued with run_at in the future (retries) */
    long running;
    long done;
    long dead;
    long cancelled;
} yaa_db_jobs_stats;
int yaa_db_jobs_stats_get(yaa_db *db, const char *queue, yaa_db_jobs_stats *out, yaa_err *err);

/* Dead letters, newest first. */
int yaa_db_jobs_dead_list(yaa_db *db, const char *queue, long limit, yaa_db_job_row **out,
                          size_t *n, yaa_err *err);
/* Moves a dead (or cancelled) job back to queued with attempts reset. ENOTFOUND otherwise. */
int yaa_db_jobs_requeue(yaa_db *db, const char *id, yaa_err *err);
int yaa_db_jobs_get(yaa_db *db, const char *id, yaa_db_job_row *out, yaa_err *err);

#endif
