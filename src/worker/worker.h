/* worker.h - the worker loop: N threads that claim pipeline jobs from the queue and execute
 * them with yaa_pipeline_execute(), renewing each job's lease while it runs. Used by
 * `yaa serve --workers N` (in-process) and by `yaa worker`. */
#ifndef YAA_WORKER_H
#define YAA_WORKER_H

#include "core/config.h"
#include "core/err.h"
#include "pipeline/pipeline.h"
#include "queue/queue.h"

struct yaa_db;

typedef struct yaa_worker_pool yaa_worker_pool;

typedef struct yaa_worker_opts {
    const yaa_config *cfg;
    struct yaa_db *db;
    yaa_queue *queue;
    int concurrency;  /* threads; <= 0 starts none */
    const char *name; /* worker id prefix (default "<hostname>:<pid>") */
    int poll_ms;      /* claim wait per poll, default 1000 */
    /* Per-job timeout in seconds (0 = none): a job running longer is interrupted at the next
     * checkpoint of its pipeline and failed (retried with backoff, then dead). */
    int job_timeout_sec;
    /* Reconciler: runs pending/running with no live job for this long are queued again
     * (0 = off). Every pool runs it (it is idempotent) and keeps its own runs touched. */
    int reconcile_grace_sec;
    /* Test seam passed to yaa_pipeline_env.stages (NULL: the agents). */
    const yaa_pipeline_stage_fn *stages;
} yaa_worker_opts;

int yaa_worker_pool_start(const yaa_worker_opts *opts, yaa_worker_pool **out, yaa_err *err);
/* Asks every worker to stop: running pipelines stop at their next checkpoint and their jobs
 * are left for re-delivery. Returns at once; yaa_worker_pool_free joins. */
void yaa_worker_pool_stop(yaa_worker_pool *p);
void yaa_worker_pool_free(yaa_worker_pool *p);
/* Jobs currently executing. */
int yaa_worker_pool_busy(yaa_worker_pool *p);

#endif
