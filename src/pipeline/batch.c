/* batch.c - a batch: one run per topic for one channel, created together under one batch_id
 * and queued, so the API (POST /pipeline/batch) and `yaa run --topics` make the same runs. */
#include "pipeline/pipeline.h"
#include "pipeline/review.h"

#include "core/log.h"
#include "db/run_store.h"
#include "metrics/metrics.h"
#include "queue/queue.h"

#include <stdio.h>
#include <stdlib.h>

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

int yaa_pipeline_batch_start(struct yaa_db *db, struct yaa_queue *q,
                             const yaa_db_runstore_spec *base, yaa_batch_item *items, size_t n,
                             char batch_id[37], yaa_err *err) {
    char **clean = calloc(n ? n : 1, sizeof *clean);
    if (!clean) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = clean_topics(items, n, clean, err);
    if (!rc && yaa_uuid4(batch_id) != 0)
        rc = yaa_err_set(err, YAA_EIO, "cannot generate a batch id");
    for (size_t i = 0; !rc && i < n; i++) {
        yaa_db_runstore_spec spec = *base;
        spec.id = NULL;
        spec.topic = clean[i];
        spec.batch_id = batch_id;
        if (items[i].publish_at) spec.publish_at = items[i].publish_at;
        if (items[i].review) spec.review = items[i].review;
        rc = yaa_db_runstore_run_create_spec(db, &spec, items[i].run_id, err);
        if (rc) break;
        yaa_err qerr = {0};
        items[i].queued = yaa_queue_enqueue_run(q, items[i].run_id, NULL, NULL, &qerr) == 0;
        if (items[i].queued) {
            yaa_metrics_run_created();
            continue;
        }
        char line[YAA_ERR_MSG_MAX + 32];
        snprintf(line, sizeof line, "could not be queued: %s", qerr.msg);
        yaa_err ignore = {0};
        yaa_db_runstore_run_add_error(db, items[i].run_id, line, &ignore);
        yaa_db_runstore_run_set_status(db, items[i].run_id, "failed", NULL, &ignore);
    }
    for (size_t i = 0; i < n; i++) free(clean[i]);
    free(clean);
    if (rc) return rc;
    yaa_log_ev(YAA_LOG_INFO, "pipeline", "batch queued", YAA_F_STR("batch_id", batch_id),
               YAA_F_STR("channel_id", base->channel_id), YAA_F_INT("runs", (long)n), YAA_F_END);
    return 0;
}
