/* test_run_store.c - the orchestrator's queries: runs, checkpoints with attempts, errors,
 * cancellation that sticks, and usage rows written once per call. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "db/db.h"
#include "db/migrate.h"
#include "db/run_store.h"

typedef struct fx {
    char dir[PATH_MAX];
    yaa_db *db;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    if (!(f->db = yaa_dbtest_sqlite(f->dir))) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_db_close(f->db);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static void test_run_lifecycle(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    char id[37], found[37];
    assert_int_equal(
        yaa_db_runstore_run_create(f->db, "tech_review_ko", "주제", "", true, true, id, &err), 0);
    assert_int_equal(
        yaa_db_runstore_run_find_unfinished(f->db, "tech_review_ko", "주제", found, &err), 0);
    assert_string_equal(found, id);
    assert_int_equal(
        yaa_db_runstore_run_find_unfinished(f->db, "tech_review_ko", "other", found, &err), 0);
    assert_string_equal(found, "");

    /* A completed run is not resumed, but `yaa run --from-stage` redoes it. */
    char done_id[37];
    assert_int_equal(yaa_db_runstore_run_create(f->db, "tech_review_ko", "끝난 주제", "", true,
                                                false, done_id, &err),
                     0);
    assert_int_equal(yaa_db_runstore_run_set_status(f->db, done_id, "completed", NULL, &err), 0);
    assert_int_equal(
        yaa_db_runstore_run_find_unfinished(f->db, "tech_review_ko", "끝난 주제", found, &err), 0);
    assert_string_equal(found, "");
    assert_int_equal(
        yaa_db_runstore_run_find_latest(f->db, "tech_review_ko", "끝난 주제", true, found, &err),
        0);
    assert_string_equal(found, done_id);

    yaa_db_runstore_run run;
    assert_int_equal(yaa_db_runstore_run_get(f->db, id, &run, &err), 0);
    assert_string_equal(run.status, "pending");
    assert_true(run.dry_run);
    assert_true(run.short_video);
    yaa_db_runstore_run_free(&run);
    assert_int_equal(yaa_db_runstore_run_get(f->db, "missing", &run, &err), YAA_ENOTFOUND);

    assert_int_equal(yaa_db_runstore_run_set_status(f->db, id, "running", "script_writer", &err),
                     0);
    assert_int_equal(yaa_db_runstore_run_add_error(f->db, id, "script_writer: boom", &err), 0);
    assert_int_equal(yaa_db_runstore_run_add_error(f->db, id, "second", &err), 0);
    yaa_db_rows *r;
    assert_int_equal(
        yaa_db_query(
            f->db,
            "SELECT errors_json, current_agent, completed_at FROM pipeline_runs WHERE id = ?",
            YAA_DB_ARGS(yaa_db_text(id)), &r, &err),
        0);
    assert_string_equal(yaa_db_get_text(r, 0, 0), "[\"script_writer: boom\",\"second\"]");
    assert_string_equal(yaa_db_get_text(r, 0, 1), "script_writer");
    assert_true(yaa_db_is_null(r, 0, 2));
    yaa_db_rows_free(r);

    /* Cancelled sticks: a worker finishing later cannot revive the run. */
    assert_int_equal(yaa_db_runstore_run_set_status(f->db, id, "cancelled", NULL, &err), 0);
    assert_int_equal(yaa_db_runstore_run_set_status(f->db, id, "running", "media_editor", &err),
                     YAA_ECANCELLED);
    char status[32];
    assert_int_equal(yaa_db_runstore_run_status(f->db, id, status, sizeof status, &err), 0);
    assert_string_equal(status, "cancelled");
    assert_int_equal(
        yaa_db_runstore_run_find_unfinished(f->db, "tech_review_ko", "주제", found, &err), 0);
    assert_string_equal(found, "");
}

static void test_checkpoints_and_usage(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    char id[37];
    assert_int_equal(yaa_db_runstore_run_create(f->db, "c", "t", NULL, false, false, id, &err), 0);
    int attempt = 0;
    assert_int_equal(yaa_db_runstore_stage_start(f->db, id, "brand_researcher", &attempt, &err), 0);
    assert_int_equal(attempt, 1);
    json_t *out = json_pack("{s:s}", "brand_summary", "요약");
    assert_int_equal(
        yaa_db_runstore_stage_finish(f->db, id, "brand_researcher", "done", out, NULL, &err), 0);
    json_decref(out);
    assert_int_equal(yaa_db_runstore_stage_start(f->db, id, "script_writer", &attempt, &err), 0);
    assert_int_equal(yaa_db_runstore_stage_start(f->db, id, "script_writer", &attempt, &err), 0);
    assert_int_equal(attempt, 2);
    assert_int_equal(
        yaa_db_runstore_stage_finish(f->db, id, "script_writer", "failed", NULL, "bad", &err), 0);

    /* The db library knows no stage names: the caller (the orchestrator) passes them. */
    static const char *const names[] = {"brand_researcher", "script_writer", "seo_optimizer"};
    yaa_db_runstore_stage st[3];
    assert_int_equal(yaa_db_runstore_stages_get(f->db, id, names, st, 3, &err), 0);
    assert_true(st[0].present);
    assert_string_equal(st[0].status, "done");
    assert_string_equal(json_string_value(json_object_get(st[0].output, "brand_summary")), "요약");
    assert_string_equal(st[1].status, "failed");
    assert_int_equal(st[1].attempt, 2);
    assert_false(st[2].present);
    yaa_db_runstore_stages_free(st, 3);

    yaa_db_runstore_usage u = {
        id, "script_writer", "anthropic", "claude-sonnet-4-20250514", "chat", 1, 1, 1200, 300,
        0,  0.0081};
    assert_int_equal(yaa_db_runstore_usage_add(f->db, &u, &err), 0);
    assert_int_equal(yaa_db_runstore_usage_add(f->db, &u, &err), 0); /* the same call again */
    u.seq = 2;
    assert_int_equal(yaa_db_runstore_usage_add(f->db, &u, &err), 0);
    yaa_db_rows *r;
    assert_int_equal(
        yaa_db_query(
            f->db,
            "SELECT COUNT(*), SUM(total_tokens), SUM(cost_usd) FROM usage_events WHERE run_id = ?",
            YAA_DB_ARGS(yaa_db_text(id)), &r, &err),
        0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 2);
    assert_int_equal(yaa_db_get_int(r, 0, 1), 3000);
    assert_true(yaa_db_get_real(r, 0, 2) > 0.0161 && yaa_db_get_real(r, 0, 2) < 0.0163);
    yaa_db_rows_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_and_usage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
