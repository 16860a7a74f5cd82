/* test_reconcile.c - runs the queue lost are queued again after the grace period, once, by
 * whichever reconciler gets there first; live jobs and touched runs are left alone. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/migrate.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "queue/queue.h"

static char dir[PATH_MAX];

static yaa_db *open_db(void) {
    yaa_db *db = yaa_dbtest_sqlite(dir);
    if (!db) fail_msg("cannot open the test database");
    return db;
}

static void backdate(yaa_db *db, const char *id) {
    yaa_err err = {0};
    assert_int_equal(yaa_db_exec(db, "UPDATE pipeline_runs SET updated_at = ? WHERE id = ?",
                                 YAA_DB_ARGS(yaa_db_text("2020-01-01T00:00:00Z"), yaa_db_text(id)),
                                 NULL, &err),
                     0);
}

static void test_lost_run_is_queued_again_once(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = open_db();
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    char lost[37], live[37], fresh[37], done[37];
    assert_int_equal(yaa_db_runstore_run_create(db, "ch", "lost", "", true, false, lost, &err), 0);
    assert_int_equal(yaa_db_runstore_run_create(db, "ch", "live", "", true, false, live, &err), 0);
    assert_int_equal(yaa_db_runstore_run_create(db, "ch", "fresh", "", true, false, fresh, &err),
                     0);
    assert_int_equal(yaa_db_runstore_run_create(db, "ch", "done", "", true, false, done, &err), 0);
    assert_int_equal(yaa_queue_enqueue_run(q, live, NULL, NULL, &err), 0);
    assert_int_equal(yaa_db_runstore_run_set_status(db, lost, "running", "script_writer", &err), 0);
    assert_int_equal(yaa_db_runstore_run_set_status(db, done, "completed", NULL, &err), 0);
    backdate(db, lost);
    backdate(db, live);
    backdate(db, done);

    /* the retry path: a run touched recently is not stuck */
    bool requeued = true;
    assert_int_equal(yaa_queue_rescue_run(q, db, fresh, NULL, 60, &requeued, &err), 0);
    assert_false(requeued);

    int n = -1;
    assert_int_equal(yaa_queue_reconcile(q, db, 60, &n, &err), 0);
    assert_int_equal(n, 1); /* only the lost one: live has its job, fresh is young, done is done */
    char st[16];
    assert_int_equal(yaa_db_runstore_run_status(db, lost, st, sizeof st, &err), 0);
    assert_string_equal(st, "pending");
    yaa_job job;
    assert_int_equal(yaa_queue_claim(q, "w", 0, &job, &err), 0);
    assert_true(strcmp(job.run_id, lost) == 0 || strcmp(job.run_id, live) == 0);

    /* a second reconciler (another worker) finds nothing more to do */
    backdate(db, lost);
    assert_int_equal(yaa_queue_reconcile(q, db, 60, &n, &err), 0);
    assert_int_equal(n, 0);

    /* a touched run is alive */
    assert_int_equal(yaa_queue_run_touch(db, fresh, &err), 0);
    assert_int_equal(yaa_queue_rescue_run(q, db, fresh, NULL, 60, &requeued, &err), 0);
    assert_false(requeued);
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

/* The retry of a stuck run resumes where the client asked, as any other retry does. */
static void test_rescue_keeps_from_stage(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = open_db();
    yaa_queue *q = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_queue_open("db", db, &q, &err), 0);
    char stuck[37];
    assert_int_equal(yaa_db_runstore_run_create(db, "ch", "stuck", "", true, false, stuck, &err),
                     0);
    backdate(db, stuck);
    bool requeued = false;
    assert_int_equal(yaa_queue_rescue_run(q, db, stuck, "seo_optimizer", 60, &requeued, &err), 0);
    assert_true(requeued);
    yaa_job job;
    assert_int_equal(yaa_queue_claim(q, "w", 0, &job, &err), 0);
    assert_string_equal(job.run_id, stuck);
    assert_string_equal(job.from_stage, "seo_optimizer");
    yaa_queue_close(q);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lost_run_is_queued_again_once),
        cmocka_unit_test(test_rescue_keeps_from_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
