/* reconcile.c - runs that the queue lost (Redis restarted without persistence or flushed, a
 * jobs row deleted by hand) are found and queued again.
 *
 * A run that is `pending` or `running` is alive while its job is queued, delayed or leased,
 * or while whoever executes it keeps its updated_at fresh (workers and `yaa run` touch it a
 * few times per grace period: yaa_queue_run_touch). Past the grace period with neither, the
 * run is enqueued again; enqueueing is idempotent per run (a live job makes it a no-op), so
 * every worker can run this without electing a leader: of two that race, one creates the job. */
#include "queue/queue.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/util.h"
#include "db/repo.h"

#include <string.h>

#define PAGE 500
#define MAX_PAGES 20

int yaa_queue_run_touch(struct yaa_db *db, const char *run_id, yaa_err *err) {
    if (!db || !run_id) return 0;
    yaa_db_run_update u = {.if_status_in = "pending,running"};
    int rc = yaa_db_runs_update(db, run_id, &u, err);
    return rc == YAA_ECONFLICT ? 0 : rc; /* finished meanwhile: nothing to keep alive */
}

/* Whether a pending/running run has shown no sign of life for grace_sec. */
static bool run_stale(const yaa_db_run *r, int grace_sec, time_t now) {
    if (strcmp(r->status, "pending") != 0 && strcmp(r->status, "running") != 0) return false;
    time_t t = 0;
    if (!r->updated_at || yaa_time_parse(r->updated_at, &t) != 0) return false;
    return now - t >= grace_sec;
}

/* Enqueues a stale run (from from_stage when not NULL: a retry that names one); *requeued
 * when a job was created (none was live). */
static int rescue(yaa_queue *q, struct yaa_db *db, const yaa_db_run *r, const char *from_stage,
                  bool *requeued, yaa_err *err) {
    bool created = false;
    int rc = yaa_queue_enqueue_run(q, r->id, from_stage, &created, err);
    if (rc) return rc;
    *requeued = created;
    if (!created) return 0;
    /* Back to pending with a fresh updated_at, so the next pass leaves it to its new job. */
    yaa_db_run_update u = {.status = "pending", .if_status_in = "pending,running"};
    yaa_err ignore = {0};
    yaa_db_runs_update(db, r->id, &u, &ignore);
    yaa_log_ev(YAA_LOG_WARN, "queue", "run had no live job; queued again",
               YAA_F_STR("run_id", r->id), YAA_F_STR("status", r->status),
               YAA_F_STR("updated_at", r->updated_at), YAA_F_END);
    return 0;
}

int yaa_queue_rescue_run(yaa_queue *q, struct yaa_db *db, const char *run_id,
                         const char *from_stage, int grace_sec, bool *requeued, yaa_err *err) {
    *requeued = false;
    if (!q || !db) return 0;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    int rc = yaa_db_runs_get(db, run_id, &a, &r, err);
    if (rc == 0 && run_stale(&r, grace_sec, yaa_now()))
        rc = rescue(q, db, &r, from_stage, requeued, err);
    yaa_arena_free(&a);
    return rc;
}

int yaa_queue_reconcile(yaa_queue *q, struct yaa_db *db, int grace_sec, int *requeued,
                        yaa_err *err) {
    if (requeued) *requeued = 0;
    if (!q || !db) return 0;
    static const char *const statuses[] = {"pending", "running"};
    int rc = 0;
    time_t now = yaa_now();
    for (size_t s = 0; s < 2 && !rc; s++) {
        for (int page = 0; page < MAX_PAGES && !rc; page++) {
            yaa_arena a;
            yaa_arena_init(&a, 64 * 1024);
            yaa_db_run_filter f = {NULL, statuses[s], PAGE, (int64_t)page * PAGE};
            yaa_db_run *items = NULL;
            size_t n = 0;
            int64_t total = 0;
            rc = yaa_db_runs_list(db, &f, &a, &items, &n, &total, err);
            for (size_t i = 0; !rc && i < n; i++) {
                if (!run_stale(&items[i], grace_sec, now)) continue;
                bool got = false;
                rc = rescue(q, db, &items[i], NULL, &got, err);
                if (got && requeued) (*requeued)++;
            }
            yaa_arena_free(&a);
            if (n < PAGE) break;
        }
    }
    return rc;
}
