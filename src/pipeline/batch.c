/* batch.c - a batch: one run per topic for one channel, created together under one batch_id
 * and queued, so the API (POST /pipeline/batch) and `yaa run --topics` make the same runs.
 *
 * All or nothing: every topic is checked first, then all runs are created in one database
 * transaction, so a failure midway leaves no part of the batch behind. With the db queue
 * (the jobs table of the same database) the jobs are created in that transaction too. With
 * another backend (Redis) the jobs are queued after the commit; a run whose enqueue fails
 * there stays `pending` without a job, and the reconciler (queue/reconcile.c) queues it once
 * YAA_RECONCILE_GRACE_SEC has passed: a batch is never half created, only late. */
#include "pipeline/pipeline.h"
#include "pipeline/review.h"

#include "core/log.h"
#include "db/db.h"
#include "db/run_store.h"
#include "metrics/metrics.h"
#include "queue/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every topic cleaned like a single run's (pipeline/topic.c) before any run is made: a batch
 * with one bad line creates nothing, and the error names the line. */
static int clean_topics(const yaa_batch_item *items, size_t n, char **clean, yaa_err *err) {
    for (size_t i = 0; i < n; i++) {
        int rc = yaa_pipeline_topic_clean(items[i].topic, &clean[i], err);
        if (rc) {
            char why[YAA_ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err->msg);
            return yaa_err_set(err, rc, "topics.%zu.topic: %.400s", i, why);
        }
    }
    return 0;
}

typedef struct batch_arg {
    const yaa_db_runstore_spec *base;
    yaa_batch_item *items;
    size_t n;
    char **clean;
    const char *batch_id;
    const yaa_queue *q; /* the db queue on this database (its jobs go in the transaction), or
                           NULL: queued after the commit */
} batch_arg;

/* The runs (and, with the db queue, their jobs) inside one transaction. */
static int create_all(yaa_db *tx, void *p, yaa_err *err) {
    batch_arg *b = p;
    yaa_queue *txq = NULL;
    int rc = 0;
    if (b->q && (rc = yaa_queue_db_open(tx, &txq, err))) return rc;
    if (txq) yaa_queue_tune(txq, b->q->max_attempts, b->q->lease_sec, b->q->backoff_base_s);
    for (size_t i = 0; !rc && i < b->n; i++) {
        yaa_db_runstore_spec spec = *b->base;
        spec.id = NULL;
        spec.topic = b->clean[i];
        spec.batch_id = b->batch_id;
        if (b->items[i].publish_at) spec.publish_at = b->items[i].publish_at;
        if (b->items[i].review) spec.review = b->items[i].review;
        rc = yaa_db_runstore_run_create_spec(tx, &spec, b->items[i].run_id, err);
        if (!rc && txq) rc = yaa_queue_enqueue_run(txq, b->items[i].run_id, NULL, NULL, err);
        b->items[i].queued = !rc && txq;
    }
    yaa_queue_close(txq);
    return rc;
}

/* Queues the committed runs on a backend outside the database. A refusal leaves the run
 * pending for the reconciler; the batch goes on. */
static void enqueue_after_commit(yaa_queue *q, yaa_batch_item *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        yaa_err qerr = {0};
        items[i].queued = yaa_queue_enqueue_run(q, items[i].run_id, NULL, NULL, &qerr) == 0;
        if (!items[i].queued)
            yaa_log_ev(YAA_LOG_WARN, "pipeline",
                       "batch run not queued now; the reconciler queues it after "
                       "YAA_RECONCILE_GRACE_SEC",
                       YAA_F_STR("run_id", items[i].run_id), YAA_F_STR("error", qerr.msg),
                       YAA_F_END);
    }
}

int yaa_pipeline_batch_start(struct yaa_db *db, struct yaa_queue *q,
                             const yaa_db_runstore_spec *base, yaa_batch_item *items, size_t n,
                             char batch_id[37], yaa_err *err) {
    char **clean = calloc(n ? n : 1, sizeof *clean);
    if (!clean) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = clean_topics(items, n, clean, err);
    if (!rc && yaa_uuid4(batch_id) != 0)
        rc = yaa_err_set(err, YAA_EIO, "cannot generate a batch id");
    bool same_db = q && q->db == db && strcmp(yaa_queue_name(q), "db") == 0;
    batch_arg b = {base, items, n, clean, batch_id, same_db ? q : NULL};
    if (!rc) rc = yaa_db_tx(db, create_all, &b, err);
    for (size_t i = 0; i < n; i++) {
        free(clean[i]);
        if (rc) { /* rolled back: nothing of the batch exists */
            items[i].run_id[0] = '\0';
            items[i].queued = false;
        }
    }
    free(clean);
    if (rc) return rc;
    if (q && !same_db) enqueue_after_commit(q, items, n);
    for (size_t i = 0; i < n; i++) yaa_metrics_run_created();
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "batch queued", YAA_F_STR("batch_id", batch_id),
               YAA_F_STR("channel_id", base->channel_id), YAA_F_INT("runs", (long)n), YAA_F_END);
    return 0;
}
