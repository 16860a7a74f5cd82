/* worker.c - claim / execute / ack loop with a heartbeat thread renewing leases. */
#include "worker/worker.h"

#include "core/log.h"
#include "core/util.h"
#include "media/media.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct slot {
    struct yaa_worker_pool *pool;
    pthread_t thread;
    char name[128];
    pthread_mutex_t mu;
    bool has_job;
    yaa_job job;
    uint64_t deadline_ns; /* per-job timeout; 0 = none */
    bool timed_out;
    atomic_bool lease_lost; /* renewal said another worker owns the job: stop, write nothing */
    atomic_bool cancelled;  /* renewal said the job was cancelled: stop as a cancellation */
} slot;

struct yaa_worker_pool {
    yaa_worker_opts opts;
    atomic_bool stopping;
    atomic_int busy;
    int n;
    slot *slots;
    pthread_t heartbeat;
    bool heartbeat_started;
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
};

static bool should_cancel(void *ud, const char *run_id) {
    (void)run_id;
    slot *s = ud;
    if (s->deadline_ns && yaa_mono_ns() >= s->deadline_ns) s->timed_out = true;
    return s->timed_out || atomic_load(&s->lease_lost) || atomic_load(&s->cancelled) ||
           atomic_load(&s->pool->stopping);
}

static bool lease_lost(void *ud, const char *run_id) {
    (void)run_id;
    return atomic_load(&((slot *)ud)->lease_lost);
}

static void run_job(slot *s, const yaa_job *job) {
    yaa_worker_pool *p = s->pool;
    yaa_log_ctx ctx = {.run_id = job->run_id, .job_id = job->id};
    yaa_log_ctx_set(&ctx);
    yaa_log_ev(YAA_LOG_INFO, "worker", "job claimed", YAA_F_STR("worker", s->name),
               YAA_F_INT("attempt", job->attempt), YAA_F_END);
    yaa_pipeline_env env = {.cfg = p->opts.cfg,
                            .db = p->opts.db,
                            .should_cancel = should_cancel,
                            .lease_lost = lease_lost,
                            .cancel_ud = s,
                            .stages = p->opts.stages};
    s->timed_out = false;
    s->deadline_ns = p->opts.job_timeout_sec > 0
                         ? yaa_mono_ns() + (uint64_t)p->opts.job_timeout_sec * 1000000000ull
                         : 0;
    yaa_run_options ro = {.from_stage = job->from_stage[0] ? job->from_stage : NULL};
    yaa_err err = {0};
    int rc = yaa_pipeline_execute(&env, job->run_id, &ro, &err);
    yaa_err qerr = {0};
    if (atomic_load(&s->lease_lost)) {
        /* The job is another worker's now: acking, failing or releasing it would undo theirs. */
        yaa_log_ev(YAA_LOG_WARN, "worker", "job abandoned: lease lost to another worker",
                   YAA_F_STR("worker", s->name), YAA_F_INT("attempt", job->attempt), YAA_F_END);
        yaa_log_ctx_set(NULL);
        return;
    }
    if (rc == YAA_ECANCELLED && s->timed_out) {
        rc = yaa_err_set(&err, YAA_ETIMEOUT, "job timed out after %d s (YAA_JOB_TIMEOUT_SEC)",
                         p->opts.job_timeout_sec);
    }
    if (rc == 0 || (rc == YAA_ECANCELLED && !atomic_load(&p->stopping))) {
        /* A job cancelled in the queue may be final there already (ack answers conflict). */
        if (yaa_queue_ack(p->opts.queue, job, s->name, &qerr) && !atomic_load(&s->cancelled))
            yaa_log_ev(YAA_LOG_WARN, "worker", "ack failed", YAA_F_STR("error", qerr.msg),
                       YAA_F_END);
        yaa_log_ev(YAA_LOG_INFO, "worker", rc == 0 ? "job done" : "job cancelled", YAA_F_END);
    } else if (rc == YAA_ECANCELLED) {
        /* Shutting down: the run went back to pending at its checkpoint; give the job back
         * so the next worker resumes it at once (else it returns when the lease expires). */
        if (yaa_queue_release(p->opts.queue, job, s->name, &qerr))
            yaa_log_ev(YAA_LOG_WARN, "worker", "release failed", YAA_F_STR("error", qerr.msg),
                       YAA_F_END);
        yaa_log_ev(YAA_LOG_INFO, "worker", "job interrupted by shutdown; will be re-delivered",
                   YAA_F_END);
    } else {
        bool dead = false;
        if (yaa_queue_fail(p->opts.queue, job, s->name, err.msg, &dead, &qerr))
            yaa_log_ev(YAA_LOG_WARN, "worker", "fail failed", YAA_F_STR("error", qerr.msg),
                       YAA_F_END);
        /* A dead job's run (e.g. a timed-out one, left pending at its checkpoint) was marked
         * failed by the queue (yaa_queue_run_dead). */
        if (dead) yaa_metrics_run_finished("failed");
        yaa_log_ev(dead ? YAA_LOG_ERROR : YAA_LOG_WARN, "worker",
                   dead ? "job failed; moved to dead letters" : "job failed; will retry",
                   YAA_F_STR("error", err.msg), YAA_F_INT("attempt", job->attempt), YAA_F_END);
    }
    yaa_log_ctx_set(NULL);
}

/* Waits up to ms or until the pool stops; returns true when it is stopping. */
static bool wait_or_stop(yaa_worker_pool *p, int ms) {
    pthread_mutex_lock(&p->stop_mu);
    if (!atomic_load(&p->stopping)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&p->stop_cv, &p->stop_mu, &ts);
    }
    pthread_mutex_unlock(&p->stop_mu);
    return atomic_load(&p->stopping);
}

/* One claim. After stop, no claim is made: the database queue is asked without waiting (the
 * wait happens here, on the stop signal); a backend that blocks (Redis) waits in slices of at
 * most 200 ms, and a job that arrives as the stop does is given back unrun. */
static int claim_once(slot *s, int poll, yaa_job *job, yaa_err *err) {
    yaa_worker_pool *p = s->pool;
    bool blocking = strcmp(yaa_queue_name(p->opts.queue), "db") != 0;
    int rc =
        yaa_queue_claim(p->opts.queue, s->name, blocking ? (poll < 200 ? poll : 200) : 0, job, err);
    if (rc == 0 && atomic_load(&p->stopping)) {
        yaa_err rerr = {0};
        yaa_queue_release(p->opts.queue, job, s->name, &rerr);
        return YAA_ENOTFOUND;
    }
    if (rc == YAA_ENOTFOUND && !blocking) wait_or_stop(p, poll < 200 ? poll : 200);
    return rc;
}

static void *worker_main(void *arg) {
    slot *s = arg;
    yaa_worker_pool *p = s->pool;
    int poll = p->opts.poll_ms > 0 ? p->opts.poll_ms : 1000;
    while (!atomic_load(&p->stopping)) {
        yaa_job job;
        yaa_err err = {0};
        int rc = claim_once(s, poll, &job, &err);
        if (rc == YAA_ENOTFOUND) continue;
        if (rc) {
            yaa_log_ev(YAA_LOG_WARN, "worker", "claim failed", YAA_F_STR("error", err.msg),
                       YAA_F_END);
            wait_or_stop(p, poll);
            continue;
        }
        pthread_mutex_lock(&s->mu);
        s->job = job;
        s->has_job = true;
        atomic_store(&s->lease_lost, false);
        atomic_store(&s->cancelled, false);
        pthread_mutex_unlock(&s->mu);
        atomic_fetch_add(&p->busy, 1);
        run_job(s, &job);
        atomic_fetch_sub(&p->busy, 1);
        pthread_mutex_lock(&s->mu);
        s->has_job = false;
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* The reconciler's pass, every half grace period (at most once a minute). */
static void reconcile_tick(yaa_worker_pool *p, double *next) {
    int grace = p->opts.reconcile_grace_sec;
    if (grace <= 0 || !p->opts.db || yaa_mono_sec() < *next) return;
    double every = grace / 2.0 > 60 ? 60 : grace / 2.0;
    *next = yaa_mono_sec() + (every < 1 ? 1 : every);
    int n = 0;
    yaa_err err = {0};
    if (yaa_queue_reconcile(p->opts.queue, p->opts.db, grace, &n, &err))
        yaa_log_ev(YAA_LOG_WARN, "worker", "reconcile failed", YAA_F_STR("error", err.msg),
                   YAA_F_END);
    else if (n)
        yaa_log_ev(YAA_LOG_WARN, "worker", "runs without a live job queued again",
                   YAA_F_INT("runs", n), YAA_F_END);
}

/* Renews the lease of every running job (and touches its run, the reconciler's sign of
 * life) a third of the lease time (or grace period) apart; runs the reconciler. */
static void *heartbeat_main(void *arg) {
    yaa_worker_pool *p = arg;
    int every = p->opts.queue->lease_sec / 3;
    if (p->opts.reconcile_grace_sec > 0 && p->opts.reconcile_grace_sec / 3 < every)
        every = p->opts.reconcile_grace_sec / 3;
    if (every < 1) every = 1;
    double next_reconcile = yaa_mono_sec() + every;
    pthread_mutex_lock(&p->stop_mu);
    while (!atomic_load(&p->stopping)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += every;
        pthread_cond_timedwait(&p->stop_cv, &p->stop_mu, &ts);
        if (atomic_load(&p->stopping)) break;
        for (int i = 0; i < p->n; i++) {
            slot *s = &p->slots[i];
            pthread_mutex_lock(&s->mu);
            if (s->has_job && !atomic_load(&s->lease_lost)) {
                yaa_err err = {0};
                int rc = yaa_queue_renew(p->opts.queue, &s->job, s->name, &err);
                if (rc == YAA_ECANCELLED && !atomic_exchange(&s->cancelled, true))
                    yaa_log_ev(YAA_LOG_INFO, "worker", "job cancelled; stopping the run",
                               YAA_F_STR("job_id", s->job.id), YAA_F_END);
                if (rc == YAA_ECONFLICT) {
                    /* e.g. after a long stall: the run stops at once, like a cancellation */
                    atomic_store(&s->lease_lost, true);
                    yaa_log_ev(YAA_LOG_WARN, "worker", "lease lost; stopping the run",
                               YAA_F_STR("job_id", s->job.id), YAA_F_STR("error", err.msg),
                               YAA_F_END);
                    pthread_mutex_unlock(&s->mu);
                    continue;
                }
                if (rc && rc != YAA_ECANCELLED)
                    yaa_log_ev(YAA_LOG_WARN, "worker", "lease renewal failed",
                               YAA_F_STR("job_id", s->job.id), YAA_F_STR("error", err.msg),
                               YAA_F_END);
                yaa_err terr = {0};
                yaa_queue_run_touch(p->opts.db, s->job.run_id, &terr);
            }
            pthread_mutex_unlock(&s->mu);
        }
        pthread_mutex_unlock(&p->stop_mu);
        reconcile_tick(p, &next_reconcile);
        pthread_mutex_lock(&p->stop_mu);
    }
    pthread_mutex_unlock(&p->stop_mu);
    return NULL;
}

int yaa_worker_pool_start(const yaa_worker_opts *opts, yaa_worker_pool **out, yaa_err *err) {
    *out = NULL;
    yaa_worker_pool *p = calloc(1, sizeof *p);
    if (!p) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    p->opts = *opts;
    pthread_mutex_init(&p->stop_mu, NULL);
    pthread_cond_init(&p->stop_cv, NULL);
    *out = p;
    if (opts->concurrency <= 0) return 0;
    p->slots = calloc((size_t)opts->concurrency, sizeof *p->slots);
    if (!p->slots) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    for (int i = 0; i < opts->concurrency; i++) {
        slot *s = &p->slots[i];
        s->pool = p;
        pthread_mutex_init(&s->mu, NULL);
        if (opts->name)
            snprintf(s->name, sizeof s->name, "%s-%d", opts->name, i + 1);
        else
            snprintf(s->name, sizeof s->name, "%s:%d-%d", host, (int)getpid(), i + 1);
        if (pthread_create(&s->thread, NULL, worker_main, s) != 0) {
            yaa_worker_pool_stop(p);
            return yaa_err_set(err, YAA_EIO, "cannot start worker thread %d", i + 1);
        }
        p->n++;
    }
    if (opts->cfg) yaa_media_sweep_temp(opts->cfg->output_dir);
    if (pthread_create(&p->heartbeat, NULL, heartbeat_main, p) == 0) p->heartbeat_started = true;
    return 0;
}

void yaa_worker_pool_stop(yaa_worker_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->stop_mu);
    atomic_store(&p->stopping, true);
    pthread_cond_broadcast(&p->stop_cv);
    pthread_mutex_unlock(&p->stop_mu);
}

void yaa_worker_pool_free(yaa_worker_pool *p) {
    if (!p) return;
    yaa_worker_pool_stop(p);
    for (int i = 0; i < p->n; i++) {
        pthread_join(p->slots[i].thread, NULL);
        pthread_mutex_destroy(&p->slots[i].mu);
    }
    if (p->heartbeat_started) pthread_join(p->heartbeat, NULL);
    pthread_mutex_destroy(&p->stop_mu);
    pthread_cond_destroy(&p->stop_cv);
    free(p->slots);
    free(p);
}

int yaa_worker_pool_busy(yaa_worker_pool *p) { return p ? atomic_load(&p->busy) : 0; }
