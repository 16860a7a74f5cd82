/* test_queue_concurrency.c - the db queue under concurrent workers, on SQLite and on a real
 * PostgreSQL (tests/lib/pgtest.h): 4 threads claim 120 jobs; every job is claimed exactly once
 * (the atomic UPDATE ... RETURNING, FOR UPDATE SKIP LOCKED on PostgreSQL), acked, and the
 * retry / dead-letter path holds on both drivers. */
#include "test_util.h"

#include "lib/pgtest.h"

#include "db/db.h"
#include "db/migrate.h"
#include "queue/queue.h"

#include <pthread.h>

#define JOBS 120
#define THREADS 4

typedef struct shared {
    yaa_queue *q;
    pthread_mutex_t mu;
    int seen[JOBS];
    int claimed;
    int errors;
} shared;

static void run_id(int i, char out[40]) { snprintf(out, 40, "00000000-0000-4000-8000-%012d", i); }

static void *worker(void *arg) {
    shared *s = arg;
    char name[32];
    snprintf(name, sizeof name, "w%lu", (unsigned long)pthread_self() % 1000);
    for (;;) {
        yaa_job job;
        yaa_err err = {0};
        int rc = yaa_queue_claim(s->q, name, 0, &job, &err);
        if (rc == YAA_ENOTFOUND) break;
        pthread_mutex_lock(&s->mu);
        if (rc) {
            s->errors++;
            fprintf(stderr, "claim: %s\n", err.msg);
            pthread_mutex_unlock(&s->mu);
            continue;
        }
        int idx = atoi(job.run_id + 24);
        if (idx >= 0 && idx < JOBS) s->seen[idx]++;
        s->claimed++;
        pthread_mutex_unlock(&s->mu);
        if (yaa_queue_ack(s->q, &job, name, &err) != 0) {
            pthread_mutex_lock(&s->mu);
            s->errors++;
            pthread_mutex_unlock(&s->mu);
        }
    }
    return NULL;
}

static void exercise(const char *url) {
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) != 0) fail_msg("open %s: %s", url, err.msg);
    char mdir[PATH_MAX];
    snprintf(mdir, sizeof mdir, "%s/migrations", yaa_test_source_dir());
    if (yaa_db_upgrade(db, mdir, -1, NULL, &err) != 0) fail_msg("migrate: %s", err.msg);
    shared s = {0};
    pthread_mutex_init(&s.mu, NULL);
    assert_int_equal(yaa_queue_open("db", db, &s.q, &err), 0);
    s.q->backoff_base_s = 0;
    for (int i = 0; i < JOBS; i++) {
        char id[40];
        run_id(i, id);
        bool created = false;
        assert_int_equal(yaa_queue_enqueue_run(s.q, id, NULL, &created, &err), 0);
        assert_true(created);
    }
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, &s);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    assert_int_equal(s.errors, 0);
    assert_int_equal(s.claimed, JOBS);
    for (int i = 0; i < JOBS; i++) assert_int_equal(s.seen[i], 1);
    yaa_queue_stats st;
    assert_int_equal(yaa_queue_stats_get(s.q, &st, &err), 0);
    assert_int_equal(st.done, JOBS);
    assert_int_equal(st.queued + st.running + st.dead, 0);

    /* Retry then dead letter, then requeue. */
    char id[40];
    run_id(0, id);
    bool created = false, dead = false;
    assert_int_equal(yaa_queue_enqueue_run(s.q, id, "publisher", &created, &err), 0);
    assert_true(created);
    for (int a = 1; a <= 3; a++) {
        yaa_job job;
        assert_int_equal(yaa_queue_claim(s.q, "w", 0, &job, &err), 0);
        assert_int_equal(job.attempt, a);
        assert_string_equal(job.from_stage, "publisher");
        assert_int_equal(yaa_queue_fail(s.q, &job, "w", "boom", &dead, &err), 0);
        assert_int_equal(dead, a == 3);
    }
    yaa_dead_job *d = NULL;
    size_t n = 0;
    assert_int_equal(yaa_queue_dead_list(s.q, 10, &d, &n, &err), 0);
    assert_int_equal(n, 1);
    free(d);
    assert_int_equal(yaa_queue_requeue(s.q, id, &err), 0);
    assert_int_equal(yaa_queue_requeue(s.q, id, &err), YAA_ENOTFOUND);
    yaa_queue_close(s.q);
    pthread_mutex_destroy(&s.mu);
    yaa_db_close(db);
}

static void test_sqlite(void **state) {
    (void)state;
    char dir[PATH_MAX], url[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(url, sizeof url, "sqlite:///%s/q.db", dir);
    exercise(url);
    yaa_test_rmrf(dir);
}

static void test_postgres(void **state) {
    (void)state;
    yaa_pgtest pg;
    if (yaa_pgtest_start(&pg) != 0) fail_msg("PostgreSQL did not start");
    char url[1024];
    assert_int_equal(yaa_pgtest_createdb(&pg, "t_queue", url, sizeof url), 0);
    exercise(url);
    yaa_pgtest_stop(&pg);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sqlite),
                                       cmocka_unit_test(test_postgres)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
