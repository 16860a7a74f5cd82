/* redis_queue.c - the redis backend of the queue (QUEUE_URL=redis://host:port/db): Redis
 * Streams with the consumer group `workers`. XADD enqueues, XREADGROUP claims (one Lua script
 * when a job is ready, else a blocking XREADGROUP up to wait_ms), XACK acknowledges; entries of
 * dead consumers are reclaimed with XAUTOCLAIM once idle longer than the lease; a lease is renewed
 * with XCLAIM JUSTID (resets the idle time). Retries wait in the sorted set `:delayed`, dead
 * letters live in the hash `:dead`; every state change is one Lua script (redis_scripts.h), so a
 * crash or a Redis restart between two calls neither loses nor duplicates a job. With a
 * database (yaa_queue_open's db), a job that goes dead marks its run failed and a requeued one
 * marks it pending, right after the script (Redis and the database share no transaction). */
#include "queue/queue.h"

#include "core/log.h"
#include "core/util.h"
#include "redis/redis_conn.h"
#include "queue/redis_scripts.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RQ_STREAM "yaa:queue:pipeline"
#define RQ_GROUP "workers"

static const char *const RQ_KEYS[5] = {RQ_STREAM, RQ_STREAM ":delayed", RQ_STREAM ":dead",
                                       RQ_STREAM ":run:", RQ_STREAM ":counts"};

typedef struct redis_queue {
    yaa_queue base;
    yaa_redis *r;
    pthread_mutex_t mu;
    char cursor[64]; /* XAUTOCLAIM scan position */
} redis_queue;

static redis_queue *rq(yaa_queue *q) { return (redis_queue *)q; }

/* The run of a job that just went dead; a database error is logged (the run keeps its
 * status; the dead letter still shows the job). */
static void run_dead(redis_queue *q, const char *run, int attempts, bool lease_expired,
                     const char *error) {
    yaa_err err = {0};
    if (yaa_queue_run_dead(q->base.db, run, attempts, lease_expired, error, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "queue", "cannot mark the dead-lettered run failed",
                   YAA_F_STR("run_id", run), YAA_F_STR("error", err.msg), YAA_F_END);
}

static int create_group(redisContext *c, void *ud) {
    (void)ud;
    redisReply *rep = redisCommand(c, "XGROUP CREATE %s %s 0 MKSTREAM", RQ_STREAM, RQ_GROUP);
    if (!rep) return -1;
    int ok = rep->type != REDIS_REPLY_ERROR || strncmp(rep->str, "BUSYGROUP", 9) == 0;
    freeReplyObject(rep);
    return ok ? 0 : -1;
}

/* EVAL script with the five keys and argc string args; an error reply becomes err. */
static redisReply *eval(redis_queue *q, const char *script, int argc, const char **args,
                        yaa_err *err) {
    const char *argv[16];
    int n = 0;
    argv[n++] = "EVAL";
    argv[n++] = script;
    argv[n++] = "5";
    for (int i = 0; i < 5; i++) argv[n++] = RQ_KEYS[i];
    for (int i = 0; i < argc && n < 16; i++) argv[n++] = args[i];
    redisReply *rep = yaa_redis_cmd(q->r, 0, n, argv, NULL, err);
    if (rep && rep->type == REDIS_REPLY_ERROR && strstr(rep->str, "NOGROUP")) {
        /* The stream vanished (Redis restarted without its data): recreate the group. */
        freeReplyObject(rep);
        const char *g[] = {"XGROUP", "CREATE", RQ_STREAM, RQ_GROUP, "0", "MKSTREAM"};
        rep = yaa_redis_cmd(q->r, 0, 6, g, NULL, err);
        if (rep) freeReplyObject(rep);
        rep = yaa_redis_cmd(q->r, 0, n, argv, NULL, err);
    }
    if (rep && rep->type == REDIS_REPLY_ERROR) {
        yaa_err_set(err, YAA_EIO, "Redis at %s: %s", yaa_redis_where(q->r), rep->str);
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

static int eval_int(redis_queue *q, const char *script, int argc, const char **args, long long *out,
                    yaa_err *err) {
    redisReply *rep = eval(q, script, argc, args, err);
    if (!rep) return err && err->code ? err->code : YAA_EIO;
    *out = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
    freeReplyObject(rep);
    return 0;
}

static int q_enqueue(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                     yaa_err *err) {
    char *payload = yaa_queue_payload(run_id, 1, from_stage);
    if (!payload) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    char max[16];
    snprintf(max, sizeof max, "%d", q->max_attempts);
    const char *args[] = {run_id, from_stage ? from_stage : "", payload, max};
    long long n = 0;
    int rc = eval_int(rq(q), RQ_ENQUEUE, 4, args, &n, err);
    free(payload);
    if (rc == 0 && created) *created = n == 1;
    return rc;
}

/* The entry id and run id of a stream entry reply [id, [field, value, ...]]. */
static bool entry_of(const redisReply *e, const char **id, const char **run) {
    if (!e || e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
        e->element[0]->type != REDIS_REPLY_STRING)
        return false;
    *id = e->element[0]->str;
    *run = NULL;
    const redisReply *f = e->element[1];
    if (f->type != REDIS_REPLY_ARRAY) return true; /* content deleted */
    for (size_t i = 0; i + 1 < f->elements; i += 2)
        if (f->element[i]->type == REDIS_REPLY_STRING && strcmp(f->element[i]->str, "run") == 0)
            *run = f->element[i + 1]->str;
    return true;
}

/* Starts the job of a delivered entry; 0 with out filled, YAA_ENOTFOUND when it was skipped. */
static int start(redis_queue *q, const char *id, const char *run, yaa_job *out, yaa_err *err) {
    if (!run) { /* deleted content (cancelled while queued): just acknowledge it */
        const char *argv[] = {"XACK", RQ_STREAM, RQ_GROUP, id};
        redisReply *rep = yaa_redis_cmd(q->r, 0, 4, argv, NULL, err);
        if (rep) freeReplyObject(rep);
        return YAA_ENOTFOUND;
    }
    char now[YAA_TIME_LEN + 1];
    yaa_time_format(yaa_now(), now);
    const char *args[] = {id, run, now};
    redisReply *rep = eval(q, RQ_START, 3, args, err);
    if (!rep) return err && err->code ? err->code : YAA_EIO;
    int rc = YAA_ENOTFOUND;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 4 && rep->element[0]->integer > 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->id, sizeof out->id, "%s", id);
        out->attempt = (int)rep->element[0]->integer;
        out->max_attempts = (int)rep->element[1]->integer;
        /* The payload was built by enqueue; its type is kept, the rest comes from the hash. */
        if (yaa_queue_parse_payload(rep->element[3]->str, out, NULL) != 0)
            snprintf(out->type, sizeof out->type, "pipeline.run");
        snprintf(out->run_id, sizeof out->run_id, "%s", run);
        snprintf(out->from_stage, sizeof out->from_stage, "%s", rep->element[2]->str);
        rc = 0;
    } else if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 &&
               rep->element[0]->integer < 0) {
        yaa_log_ev(YAA_LOG_WARN, "queue",
                   "job moved to dead letters: lease expired on its last "
                   "attempt",
                   YAA_F_STR("run_id", run), YAA_F_END);
        int attempts = (int)rep->element[1]->integer;
        freeReplyObject(rep);
        run_dead(q, run, attempts, true, NULL);
        return rc;
    }
    freeReplyObject(rep);
    return rc;
}

/* Starts the first entry of an XREADGROUP reply; 1 when a job started, 0 none, < 0 error. */
static int start_first(redis_queue *q, const redisReply *rep, yaa_job *out, yaa_err *err) {
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) return 0;
    const redisReply *s = rep->element[0]; /* [stream, [entries]] */
    const redisReply *list = s->elements >= 2 ? s->element[1] : NULL;
    for (size_t i = 0; list && i < list->elements; i++) {
        const char *id = NULL, *run = NULL;
        if (!entry_of(list->element[i], &id, &run)) continue;
        int rc = start(q, id, run, out, err);
        if (rc == 0) return 1;
        if (rc != YAA_ENOTFOUND) return rc;
    }
    return 0;
}

/* The one-round-trip claim (RQ_CLAIM): 1 when a job started, 0 when none is due, < 0 error. */
static int fast_claim(redis_queue *q, const char *worker, yaa_job *out, yaa_err *err) {
    char lease[24], cursor[64], now[YAA_TIME_LEN + 1];
    snprintf(lease, sizeof lease, "%ld",
             (long)(q->base.lease_sec > 0 ? q->base.lease_sec : 0) * 1000);
    pthread_mutex_lock(&q->mu);
    snprintf(cursor, sizeof cursor, "%s", q->cursor[0] ? q->cursor : "0-0");
    pthread_mutex_unlock(&q->mu);
    yaa_time_format(yaa_now(), now);
    const char *args[] = {worker, lease, cursor, now};
    redisReply *rep = eval(q, RQ_CLAIM, 4, args, err);
    if (!rep) return err && err->code ? err->code : YAA_EIO;
    int got = 0;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1) {
        pthread_mutex_lock(&q->mu);
        snprintf(q->cursor, sizeof q->cursor, "%s",
                 rep->element[0]->type == REDIS_REPLY_STRING ? rep->element[0]->str : "0-0");
        pthread_mutex_unlock(&q->mu);
    }
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 8) {
        memset(out, 0, sizeof *out);
        snprintf(out->id, sizeof out->id, "%s", rep->element[2]->str);
        out->attempt = (int)rep->element[4]->integer;
        out->max_attempts = (int)rep->element[5]->integer;
        if (yaa_queue_parse_payload(rep->element[7]->str, out, NULL) != 0)
            snprintf(out->type, sizeof out->type, "pipeline.run");
        snprintf(out->run_id, sizeof out->run_id, "%s", rep->element[3]->str);
        snprintf(out->from_stage, sizeof out->from_stage, "%s", rep->element[6]->str);
        got = 1;
    }
    /* Jobs that went dead on the way (lease expired on their last attempt): {run, attempts}. */
    const redisReply *dead =
        rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 ? rep->element[1] : NULL;
    for (size_t i = 0; dead && dead->type == REDIS_REPLY_ARRAY && i + 1 < dead->elements; i += 2)
        if (dead->element[i]->type == REDIS_REPLY_STRING)
            run_dead(q, dead->element[i]->str, (int)dead->element[i + 1]->integer, true, NULL);
    freeReplyObject(rep);
    return got;
}

static int q_claim(yaa_queue *qq, const char *worker, int wait_ms, yaa_job *out, yaa_err *err) {
    redis_queue *q = rq(qq);
    uint64_t deadline = yaa_mono_ns() + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000ull;
    for (;;) {
        int rc = fast_claim(q, worker, out, err);
        if (rc < 0) return rc;
        if (rc == 1) return 0;
        uint64_t now = yaa_mono_ns();
        long left = now < deadline ? (long)((deadline - now) / 1000000ull) : 0;
        if (left <= 0) return YAA_ENOTFOUND;
        /* Wait for a new entry, waking at least once a second for due retries and orphans. */
        char bl[24];
        snprintf(bl, sizeof bl, "%ld", left > 1000 ? 1000 : left);
        const char *argv[] = {"XREADGROUP", "GROUP", RQ_GROUP,  worker,    "COUNT", "1",
                              "BLOCK",      bl,      "STREAMS", RQ_STREAM, ">"};
        redisReply *rep = yaa_redis_cmd(q->r, left > 1000 ? 1000 : (int)left, 11, argv, NULL, err);
        if (!rep) return err && err->code ? err->code : YAA_EIO;
        int got = rep->type == REDIS_REPLY_ERROR ? 0 : start_first(q, rep, out, err);
        freeReplyObject(rep);
        if (got < 0) return got;
        if (got) return 0;
    }
}

static int q_renew(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    const char *args[] = {job->id, worker, job->run_id};
    long long n = 0;
    int rc = eval_int(rq(q), RQ_RENEW, 3, args, &n, err);
    if (rc) return rc;
    if (n == 2) return yaa_err_set(err, YAA_ECANCELLED, "job %s was cancelled", job->id);
    if (n != 1) return yaa_err_set(err, YAA_ECONFLICT, "job %s: lease lost", job->id);
    return 0;
}

static int q_ack(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    const char *args[] = {job->id, worker, job->run_id};
    long long n = 0;
    int rc = eval_int(rq(q), RQ_ACK, 3, args, &n, err);
    if (rc) return rc;
    if (n != 1)
        return yaa_err_set(err, YAA_ECONFLICT, "job %s: lease lost to another worker", job->id);
    return 0;
}

static int q_fail(yaa_queue *q, const yaa_job *job, const char *worker, const char *error,
                  bool *dead, yaa_err *err) {
    char backoff[24], now[YAA_TIME_LEN + 1];
    snprintf(backoff, sizeof backoff, "%ld", (long)yaa_queue_backoff_sec(q, job->attempt) * 1000);
    yaa_time_format(yaa_now(), now);
    const char *args[] = {job->id, worker, job->run_id, error ? error : "", backoff, now};
    long long n = 0;
    if (dead) *dead = false;
    int rc = eval_int(rq(q), RQ_FAIL, 6, args, &n, err);
    if (rc) return rc;
    if (n == -2)
        return yaa_err_set(err, YAA_ECONFLICT, "job %s: lease lost to another worker", job->id);
    if (n == -3) return yaa_err_set(err, YAA_ECONFLICT, "job %s is not running", job->id);
    if (dead) *dead = n == 1;
    if (n == 1) run_dead(rq(q), job->run_id, job->attempt, false, error);
    return 0;
}

static int q_cancel(yaa_queue *q, const char *run_id, yaa_err *err) {
    const char *args[] = {run_id};
    long long n = 0;
    return eval_int(rq(q), RQ_CANCEL, 1, args, &n, err);
}

static int q_release(yaa_queue *q, const yaa_job *job, const char *worker, yaa_err *err) {
    const char *args[] = {job->id, worker, job->run_id};
    long long n = 0;
    int rc = eval_int(rq(q), RQ_RELEASE, 3, args, &n, err);
    if (rc) return rc;
    if (n != 1)
        return yaa_err_set(err, YAA_ECONFLICT, "job %s: lease lost to another worker", job->id);
    return 0;
}

static int q_stats(yaa_queue *q, yaa_queue_stats *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    redisReply *rep = eval(rq(q), RQ_STATS, 0, NULL, err);
    if (!rep) return err && err->code ? err->code : YAA_EIO;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 6) {
        long v[6];
        for (int i = 0; i < 6; i++) v[i] = (long)rep->element[i]->integer;
        out->running = v[1];
        out->queued = v[0] > v[1] ? v[0] - v[1] : 0;
        out->delayed = v[2];
        out->dead = v[3];
        out->done = v[4];
        out->cancelled = v[5];
    }
    freeReplyObject(rep);
    return 0;
}

static int cmp_dead(const void *a, const void *b) {
    return -strcmp(((const yaa_dead_job *)a)->failed_at, ((const yaa_dead_job *)b)->failed_at);
}

static int q_dead_list(yaa_queue *q, long limit, yaa_dead_job **out, size_t *n, yaa_err *err) {
    *out = NULL;
    *n = 0;
    const char *argv[] = {"HGETALL", RQ_KEYS[2]};
    redisReply *rep = yaa_redis_cmd(rq(q)->r, 0, 2, argv, NULL, err);
    if (!rep) return err && err->code ? err->code : YAA_EIO;
    if (rep->type != REDIS_REPLY_ARRAY) {
        int rc = yaa_err_set(err, YAA_EIO, "Redis at %s: HGETALL: %s", yaa_redis_where(rq(q)->r),
                             rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
        freeReplyObject(rep);
        return rc;
    }
    size_t cnt = rep->elements / 2;
    if (cnt) {
        *out = calloc(cnt, sizeof **out);
        if (!*out) {
            freeReplyObject(rep);
            return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < cnt; i++) {
        yaa_dead_job *d = &(*out)[i];
        snprintf(d->id, sizeof d->id, "%s", rep->element[2 * i]->str);
        snprintf(d->run_id, sizeof d->run_id, "%s", rep->element[2 * i]->str);
        json_t *j = json_loads(rep->element[2 * i + 1]->str, 0, NULL);
        if (j) {
            const char *e = json_string_value(json_object_get(j, "last_error"));
            const char *f = json_string_value(json_object_get(j, "failed_at"));
            d->attempts = (int)json_integer_value(json_object_get(j, "attempts"));
            snprintf(d->last_error, sizeof d->last_error, "%s", e ? e : "");
            snprintf(d->failed_at, sizeof d->failed_at, "%s", f ? f : "");
            json_decref(j);
        }
    }
    freeReplyObject(rep);
    if (cnt > 1) qsort(*out, cnt, sizeof **out, cmp_dead);
    if (limit > 0 && (size_t)limit < cnt) cnt = (size_t)limit;
    *n = cnt;
    if (!cnt) {
        free(*out);
        *out = NULL;
    }
    return 0;
}

static int q_requeue(yaa_queue *q, const char *id, yaa_err *err) {
    const char *args[] = {id};
    long long n = 0;
    int rc = eval_int(rq(q), RQ_REQUEUE, 1, args, &n, err);
    if (rc) return rc;
    if (n != 1) return yaa_err_set(err, YAA_ENOTFOUND, "no dead job '%s'", id);
    yaa_err e = {0};
    if (yaa_queue_run_requeued(q->db, id, &e) != 0) /* a dead job's id is its run id */
        yaa_log_ev(YAA_LOG_WARN, "queue", "cannot mark the requeued run pending",
                   YAA_F_STR("run_id", id), YAA_F_STR("error", e.msg), YAA_F_END);
    return 0;
}

static int q_ping(yaa_queue *q, yaa_err *err) {
    const char *argv[] = {"PING"};
    redisReply *rep = yaa_redis_cmd(rq(q)->r, 0, 1, argv, NULL, err);
    if (!rep) return err && err->code ? err->code : YAA_EUNAVAILABLE;
    int rc = rep->type == REDIS_REPLY_ERROR ? yaa_err_set(err, YAA_EUNAVAILABLE, "Redis at %s: %s",
                                                          yaa_redis_where(rq(q)->r), rep->str)
                                            : 0;
    freeReplyObject(rep);
    return rc;
}

static void q_close(yaa_queue *q) {
    redis_queue *r = rq(q);
    yaa_redis_free(r->r);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static const yaa_queue_vt redis_vt = {
    .name = "redis",
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

int yaa_queue_redis_open(const char *url, yaa_queue **out, yaa_err *err) {
    *out = NULL;
    redis_queue *q = calloc(1, sizeof *q);
    if (!q) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (yaa_redis_new(url, &q->r, err) != 0) {
        free(q);
        return err && err->code ? err->code : YAA_ECONFIG;
    }
    yaa_redis_set_on_connect(q->r, create_group, q);
    pthread_mutex_init(&q->mu, NULL);
    q->base.vt = &redis_vt;
    yaa_queue_defaults(&q->base);
    *out = &q->base;
    return 0;
}
