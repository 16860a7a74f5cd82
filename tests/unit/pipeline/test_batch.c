/* test_batch.c - yaa_pipeline_batch_start is all or nothing, on SQLite with the db queue: a
 * database error midway (a run, or a job, refused by a trigger) leaves no run and no job of
 * the batch behind; with a queue outside the database (here a db queue behind a wrapper that
 * refuses one enqueue, as Redis could) the runs are committed first, the refused one stays
 * pending without a job, and the reconciler queues it. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/run_store.h"
#include "pipeline/review.h"
#include "queue/queue.h"

#include <stdio.h>
#include <string.h>

typedef struct fx {
    char dir[PATH_MAX];
    yaa_db *db;
    yaa_queue *q; /* the db queue on db */
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    if (!(f->db = yaa_dbtest_sqlite(f->dir))) return -1;
    yaa_err err = {0};
    if (yaa_queue_db_open(f->db, &f->q, &err)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_queue_close(f->q);
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static long count(fx *f, const char *sql) {
    yaa_db_rows *r = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_db_query(f->db, sql, NULL, 0, &r, &err), 0);
    long n = (long)yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    return n;
}

static void script(fx *f, const char *sql) {
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec_script(f->db, sql, &err), 0);
}

static int start(fx *f, yaa_queue *q, yaa_batch_item *items, size_t n, char batch_id[37],
                 yaa_err *err) {
    yaa_db_runstore_spec base = {.channel_id = "demo", .dry_run = true, .review = "video"};
    return yaa_pipeline_batch_start(f->db, q, &base, items, n, batch_id, err);
}

static void test_all_created_and_queued(void **state) {
    fx *f = *state;
    yaa_batch_item items[3] = {{.topic = "a"}, {.topic = "b", .review = "none"}, {.topic = "c"}};
    char batch[37];
    yaa_err err = {0};
    assert_int_equal(start(f, f->q, items, 3, batch, &err), 0);
    for (int i = 0; i < 3; i++) assert_true(items[i].queued);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'pending'"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'"), 3);
    /* every run has its job and the batch id */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs r JOIN jobs j ON j.id = r.id"),
                     3);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pipeline_runs WHERE batch_id = '%s'", batch);
    assert_int_equal(count(f, sql), 3);
}

/* A run refused midway (the second of three): nothing of the batch exists afterwards. */
static void test_run_refused_midway(void **state) {
    fx *f = *state;
    script(f, "CREATE TRIGGER refuse_run BEFORE INSERT ON pipeline_runs WHEN NEW.topic = 'boom' "
              "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    yaa_batch_item items[3] = {{.topic = "first"}, {.topic = "boom"}, {.topic = "third"}};
    char batch[37];
    yaa_err err = {0};
    assert_int_not_equal(start(f, f->q, items, 3, batch, &err), 0);
    assert_non_null(strstr(err.msg, "injected failure"));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs"), 0);
    for (int i = 0; i < 3; i++) {
        assert_false(items[i].queued);
        assert_string_equal(items[i].run_id, "");
    }
    /* the same batch goes through once the cause is gone */
    script(f, "DROP TRIGGER refuse_run;");
    items[1].topic = "second";
    assert_int_equal(start(f, f->q, items, 3, batch, &err), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs"), 3);
}

/* The second job refused (the jobs table is part of the transaction with the db queue). */
static void test_job_refused_midway(void **state) {
    fx *f = *state;
    script(f, "CREATE TRIGGER refuse_job BEFORE INSERT ON jobs WHEN (SELECT COUNT(*) FROM jobs) "
              ">= 1 BEGIN SELECT RAISE(ABORT, 'jobs table full'); END;");
    yaa_batch_item items[3] = {{.topic = "x"}, {.topic = "y"}, {.topic = "z"}};
    char batch[37];
    yaa_err err = {0};
    assert_int_not_equal(start(f, f->q, items, 3, batch, &err), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs"), 0);
}

/* A bad topic anywhere: nothing is created and the error names the item. */
static void test_bad_topic(void **state) {
    fx *f = *state;
    yaa_batch_item items[2] = {{.topic = "fine"}, {.topic = "   "}};
    char batch[37];
    yaa_err err = {0};
    assert_int_not_equal(start(f, f->q, items, 2, batch, &err), 0);
    assert_non_null(strstr(err.msg, "topics.1.topic"));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs"), 0);
}

/* ---- a queue outside the database that refuses one enqueue ---- */
typedef struct flaky {
    yaa_queue base;
    yaa_queue *inner;
    int calls, refuse; /* the refuse-th enqueue (1-based) fails */
} flaky;

static int flaky_enqueue(yaa_queue *q, const char *run_id, const char *from_stage, bool *created,
                         yaa_err *err) {
    flaky *fq = (flaky *)q;
    if (++fq->calls == fq->refuse)
        return yaa_err_set(err, YAA_EUNAVAILABLE, "queue: connection refused (injected)");
    return yaa_queue_enqueue_run(fq->inner, run_id, from_stage, created, err);
}

static void test_outside_queue_refusal_reconciled(void **state) {
    fx *f = *state;
    static yaa_queue_vt vt = {.name = "flaky", .enqueue = flaky_enqueue};
    flaky fq = {.base = {.vt = &vt}, .inner = f->q, .refuse = 2};
    yaa_queue_defaults(&fq.base);
    yaa_batch_item items[3] = {{.topic = "one"}, {.topic = "two"}, {.topic = "three"}};
    char batch[37];
    yaa_err err = {0};
    assert_int_equal(start(f, &fq.base, items, 3, batch, &err), 0);
    assert_true(items[0].queued);
    assert_false(items[1].queued);
    assert_true(items[2].queued);
    /* all three runs committed and pending; the second has no job yet */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM pipeline_runs WHERE status = 'pending'"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs"), 2);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM jobs WHERE id = '%s'", items[1].run_id);
    assert_int_equal(count(f, sql), 0);
    /* a reconciler pass (grace 0: it is stale at once) queues it, and only it */
    int requeued = -1;
    assert_int_equal(yaa_queue_reconcile(f->q, f->db, 0, &requeued, &err), 0);
    assert_int_equal(requeued, 1);
    assert_int_equal(count(f, sql), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM jobs"), 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_created_and_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_refused_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_refused_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_topic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outside_queue_refusal_reconciled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
