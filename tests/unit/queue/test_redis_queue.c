/* test_redis_queue.c - the redis queue backend against a real redis-server (started on a free
 * loopback port): the shared queue cases (queue_cases.h), what only this backend has (a lost
 * claim reply, a running job's cancellation, the delayed set), concurrent workers each job
 * once and a Redis restart mid-load losing and duplicating nothing. */
#include "test_util.h"

#include "lib/dbtest.h"
#include "lib/redistest.h"
#include "unit/queue/queue_cases.h"

#include <pthread.h>
#include <stdatomic.h>

static yaa_redistest rt;
static const char *RUN = "11111111-1111-4111-8111-111111111111";

static yaa_queue *open_q(void) {
    queue_backend b = {.url = rt.url};
    return qc_open(&b);
}

static void test_lifecycle(void **state) {
    (void)state;
    queue_backend b = {.url = rt.url, .expired_lease = 0, .claim_wait_ms = 200};
    queue_case_lifecycle(&b);
}

/* What only this backend has: a claim whose reply was lost comes back with the same attempt,
 * a running job's cancellation reaches its worker at the next renewal and its ack counts it
 * cancelled, and a delayed retry waits in the delayed set for its due time. */
static void test_redis_only(void **state) {
    (void)state;
    yaa_queue *q = open_q();
    yaa_err err = {0};
    assert_string_equal(yaa_queue_name(q), "redis");
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    long cancelled = st.cancelled;
    bool created = false;
    yaa_job job, other;
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_true(created);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    /* w1 claiming again while its job runs means the first claim's reply was lost (a worker
     * claims only when idle): the same delivery comes back, the attempt not counted twice. */
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &other, &err), 0);
    assert_string_equal(other.id, job.id);
    assert_int_equal(other.attempt, 1);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    /* its worker hears of it at the next renewal (cancelled, not a lease lost) */
    assert_int_equal(yaa_queue_renew(q, &job, "w1", &err), YAA_ECANCELLED);
    assert_int_equal(yaa_queue_renew(q, &job, "w2", &err), YAA_ECONFLICT);
    assert_int_equal(yaa_queue_ack(q, &job, "w1", &err), 0);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.cancelled, cancelled + 1);
    assert_int_equal(st.running, 0);
    assert_int_equal(st.queued, 0);

    /* A delayed retry waits for its due time. */
    q->backoff_base_s = 30;
    bool dead = false;
    assert_int_equal(yaa_queue_enqueue_run(q, RUN, NULL, &created, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), 0);
    assert_int_equal(yaa_queue_fail(q, &job, "w1", "later", &dead, &err), 0);
    assert_int_equal(yaa_queue_claim(q, "w1", 0, &job, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.delayed, 1);
    assert_int_equal(yaa_queue_cancel(q, RUN, &err), 0);
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.delayed, 0);
    yaa_queue_close(q);
}

static void test_dead_marks_run(void **state) {
    (void)state;
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    queue_backend b = {.url = rt.url, .expired_lease = 0, .claim_wait_ms = 200};
    assert_non_null(b.db = yaa_dbtest_sqlite(dir));
    queue_case_dead_marks_run(&b);
    yaa_db_close(b.db);
    yaa_test_rmrf(dir);
}

#define NJOBS 200
#define NTHREADS 4
static int seen[NJOBS];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;

static void *consumer(void *arg) {
    yaa_queue *q = arg;
    static atomic_int next;
    char name[32];
    snprintf(name, sizeof name, "c%d", atomic_fetch_add(&next, 1));
    int idle = 0;
    while (idle < 30) {
        yaa_job job;
        yaa_err err = {0};
        int rc = yaa_queue_claim(q, name, 100, &job, &err);
        if (rc == YAA_ENOTFOUND) {
            idle++;
            continue;
        }
        if (rc) { /* Redis restarting: try again */
            idle++;
            continue;
        }
        idle = 0;
        int i = atoi(job.run_id + 4);
        yaa_err aerr = {0};
        while (yaa_queue_ack(q, &job, name, &aerr) == YAA_EUNAVAILABLE) {
        }
        pthread_mutex_lock(&seen_mu);
        if (i >= 0 && i < NJOBS) seen[i]++;
        pthread_mutex_unlock(&seen_mu);
    }
    return NULL;
}

/* Four threads share one queue object (a connection each); Redis restarts mid-load. */
static void test_concurrent_restart(void **state) {
    (void)state;
    yaa_queue *q = open_q();
    yaa_err err = {0};
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < NJOBS / 2; i++) {
        char run[40];
        snprintf(run, sizeof run, "job-%d", i);
        assert_int_equal(yaa_queue_enqueue_run(q, run, NULL, NULL, &err), 0);
    }
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, consumer, q);
    assert_int_equal(yaa_redistest_restart(&rt), 0);
    for (int i = NJOBS / 2; i < NJOBS; i++) {
        char run[40];
        snprintf(run, sizeof run, "job-%d", i);
        assert_int_equal(yaa_queue_enqueue_run(q, run, NULL, NULL, &err), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NJOBS; i++)
        if (seen[i] != 1) fail_msg("job-%d handled %d times", i, seen[i]);
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(q, &st, &err), 0);
    assert_int_equal(st.queued + st.running + st.delayed, 0);
    yaa_queue_close(q);
}

static void test_bad_urls(void **state) {
    (void)state;
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("redis://", NULL, &q, &err), YAA_ECONFIG);
    assert_int_equal(yaa_queue_open("redis://h:99999/0", NULL, &q, &err), YAA_ECONFIG);
    /* Nothing listens on port 1: every call reports Redis unreachable, no crash. */
    assert_int_equal(yaa_queue_open("redis://127.0.0.1:1/0", NULL, &q, &err), 0);
    assert_int_equal(q->lease_sec, YAA_QUEUE_LEASE_SEC);
    yaa_queue_tune(q, 0, 5, -1);
    assert_int_equal(q->lease_sec, 5);
    assert_int_equal(q->max_attempts, YAA_QUEUE_MAX_ATTEMPTS);
    assert_int_equal(q->backoff_base_s, YAA_QUEUE_BACKOFF_SEC);
    assert_int_equal(yaa_queue_ping(q, &err), YAA_EUNAVAILABLE);
    assert_non_null(strstr(err.msg, "127.0.0.1:1"));
    yaa_queue_close(q);
}

int main(void) {
    int rc = yaa_redistest_start(&rt);
    if (rc != 0) return rc == YAA_REDISTEST_SKIP ? 77 : 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle), cmocka_unit_test(test_redis_only),
        cmocka_unit_test(test_dead_marks_run), cmocka_unit_test(test_concurrent_restart),
        cmocka_unit_test(test_bad_urls)};
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_redistest_stop(&rt);
    return rc;
}
