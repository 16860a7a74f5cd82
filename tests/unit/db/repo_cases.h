/* repo_cases.h - every repository operation, written once and run against SQLite by
 * tests/unit/db/test_repos.c and against SQLite + PostgreSQL by
 * tests/integration/db/test_repos_pg.c. Each case receives the database URL as its state
 * and starts from freshly migrated, empty tables. */
#ifndef YAA_TEST_REPO_CASES_H
#define YAA_TEST_REPO_CASES_H

#include "test_util.h"

#include "core/arena.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/artifacts_repo.h"
#include "db/channel_files_repo.h"
#include "db/repo.h"

static yaa_db *rc_open(void **state, yaa_arena *a) {
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open((const char *)*state, &db, &err) != 0) fail_msg("open: %s", err.msg);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/migrations", yaa_test_source_dir());
    if (yaa_db_downgrade(db, dir, 0, NULL, &err) || yaa_db_upgrade(db, dir, -1, NULL, &err))
        fail_msg("migrate: %s", err.msg);
    yaa_arena_init(a, 4096);
    return db;
}

static void rc_close(yaa_db *db, yaa_arena *a) {
    yaa_arena_free(a);
    yaa_db_close(db);
}

static const char *rc_mkrun(yaa_db *db, yaa_arena *a, const char *channel, const char *topic) {
    yaa_err err = {0};
    yaa_db_run run = {.channel_id = channel, .topic = topic};
    assert_int_equal(yaa_db_runs_create(db, &run, a, &err), 0);
    return run.id;
}

static void case_runs(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    yaa_db_run run = {.channel_id = "ko_channel", .topic = "김치 담그기", .dry_run = true};
    assert_int_equal(yaa_db_runs_create(db, &run, &a, &err), 0);
    assert_true(yaa_uuid_valid(run.id));
    assert_string_equal(run.status, "pending");
    yaa_db_run got;
    assert_int_equal(yaa_db_runs_get(db, run.id, &a, &got, &err), 0);
    assert_string_equal(got.topic, "김치 담그기");
    assert_true(got.dry_run);
    assert_string_equal(got.errors_json, "[]");
    assert_string_equal(got.brand_name, "");
    assert_null(got.completed_at);
    assert_null(got.result_json);
    assert_int_equal(yaa_db_runs_get(db, "nope", &a, &got, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_runs_create(db, &run, &a, &err), YAA_EEXIST);
    yaa_db_run bad = {.channel_id = "c", .topic = "t", .status = "weird"};
    assert_int_equal(yaa_db_runs_create(db, &bad, &a, &err), YAA_EINVAL);

    const char *r2 = rc_mkrun(db, &a, "en_channel", "t2");
    const char *r3 = rc_mkrun(db, &a, "en_channel", "t3");

    /* lists: newest first, filters, pagination, total */
    yaa_db_run *items;
    size_t n;
    int64_t total;
    assert_int_equal(yaa_db_runs_list(db, NULL, &a, &items, &n, &total, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_string_equal(items[0].id, r3);
    assert_string_equal(items[2].id, run.id);
    yaa_db_run_filter f = {.channel_id = "en_channel", .limit = 1, .offset = 1};
    assert_int_equal(yaa_db_runs_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_string_equal(items[0].id, r2);

    /* updates */
    yaa_db_run_update u = {.status = "running", .current_agent = "script_writer"};
    assert_int_equal(yaa_db_runs_update(db, r2, &u, &err), 0);
    yaa_db_run_update done = {.status = "completed",
                              .clear_current_agent = true,
                              .result_json = "{\"video\":\"v.mp4\"}",
                              .set_completed_at = true};
    assert_int_equal(yaa_db_runs_update(db, r2, &done, &err), 0);
    assert_int_equal(yaa_db_runs_get(db, r2, &a, &got, &err), 0);
    assert_string_equal(got.status, "completed");
    assert_null(got.current_agent);
    assert_non_null(got.completed_at);
    assert_string_equal(got.result_json, "{\"video\":\"v.mp4\"}");
    yaa_db_run_update failed = {
        .status = "failed", .errors_json = "[\"boom\"]", .set_completed_at = true};
    assert_int_equal(yaa_db_runs_update(db, r3, &failed, &err), 0);
    f = (yaa_db_run_filter){.status = "failed"};
    assert_int_equal(yaa_db_runs_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 1);
    assert_string_equal(items[0].errors_json, "[\"boom\"]");

    /* conditional update: cancel only while pending/running */
    yaa_db_run_update cancel = {.status = "cancelled", .if_status_in = "pending,running"};
    assert_int_equal(yaa_db_runs_update(db, r2, &cancel, &err), YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "completed"));
    assert_int_equal(yaa_db_runs_update(db, run.id, &cancel, &err), 0);
    assert_int_equal(yaa_db_runs_update(db, "nope", &cancel, &err), YAA_ENOTFOUND);
    yaa_db_run_update badu = {.status = "done"};
    assert_int_equal(yaa_db_runs_update(db, r2, &badu, &err), YAA_EINVAL);

    /* dashboard aggregates */
    rc_mkrun(db, &a, "en_channel", "t4");
    yaa_db_run_stats st;
    assert_int_equal(yaa_db_runs_stats(db, NULL, &st, &err), 0);
    assert_int_equal(st.total, 4);
    assert_int_equal(st.active, 1);
    assert_int_equal(st.completed, 1);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.cancelled, 1);
    assert_true(st.has_avg_duration);
    assert_true(st.avg_duration_sec >= 0 && st.avg_duration_sec < 60);
    assert_int_equal(yaa_db_runs_stats(db, "ko_channel", &st, &err), 0);
    assert_int_equal(st.total, 1);
    assert_false(st.has_avg_duration);

    assert_int_equal(yaa_db_runs_delete(db, r3, &err), 0);
    assert_int_equal(yaa_db_runs_delete(db, r3, &err), YAA_ENOTFOUND);
    /* the counts kept on write follow inserts, status changes and deletes */
    assert_int_equal(yaa_db_runs_stats(db, NULL, &st, &err), 0);
    assert_int_equal(st.total, 3);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.completed, 1);
    yaa_db_rows *cnt = NULL;
    assert_int_equal(yaa_db_query(db,
                                  "SELECT (SELECT COUNT(*) FROM pipeline_runs WHERE status = "
                                  "'cancelled'), (SELECT SUM(runs) FROM run_counts WHERE "
                                  "status = 'cancelled')",
                                  NULL, 0, &cnt, &err),
                     0);
    assert_int_equal(yaa_db_get_int(cnt, 0, 0), yaa_db_get_int(cnt, 0, 1));
    yaa_db_rows_free(cnt);
    yaa_db_run_filter lf = {.status = "completed"};
    yaa_db_run *page = NULL;
    size_t np = 0;
    int64_t ltotal = 0;
    assert_int_equal(yaa_db_runs_list(db, &lf, &a, &page, &np, &ltotal, &err), 0);
    assert_int_equal(ltotal, 1);
    assert_int_equal(np, 1);
    rc_close(db, &a);
}

static void case_stages(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    const char *run = rc_mkrun(db, &a, "c", "t");
    int64_t attempt = 0;
    assert_int_equal(yaa_db_stages_start(db, run, "brand_researcher", &attempt, &err), 0);
    assert_int_equal(attempt, 1);
    assert_int_equal(
        yaa_db_stages_finish(db, run, "brand_researcher", "failed", NULL, "timeout", &err), 0);
    assert_int_equal(yaa_db_stages_start(db, run, "brand_researcher", &attempt, &err), 0);
    assert_int_equal(attempt, 2);
    yaa_db_stage s;
    assert_int_equal(yaa_db_stages_get(db, run, "brand_researcher", &a, &s, &err), 0);
    assert_string_equal(s.status, "running");
    assert_null(s.error);
    assert_null(s.finished_at);
    assert_int_equal(
        yaa_db_stages_finish(db, run, "brand_researcher", "done", "{\"notes\":1}", NULL, &err), 0);
    assert_int_equal(yaa_db_stages_get(db, run, "brand_researcher", &a, &s, &err), 0);
    assert_string_equal(s.status, "done");
    assert_int_equal(s.attempt, 2);
    assert_string_equal(s.output_json, "{\"notes\":1}");
    assert_non_null(s.started_at);
    assert_non_null(s.finished_at);
    /* finish without start inserts */
    assert_int_equal(yaa_db_stages_finish(db, run, "script_writer", "skipped", NULL, NULL, &err),
                     0);
    yaa_db_stage put = {.run_id = run, .stage = "publisher", .status = "pending"};
    assert_int_equal(yaa_db_stages_put(db, &put, &err), 0);
    put.status = "bogus";
    assert_int_equal(yaa_db_stages_put(db, &put, &err), YAA_EINVAL);
    yaa_db_stage *items;
    size_t n;
    assert_int_equal(yaa_db_stages_list(db, run, &a, &items, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].stage, "brand_researcher");
    assert_string_equal(items[2].stage, "publisher");
    assert_int_equal(yaa_db_stages_get(db, run, "media_editor", &a, &s, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_stages_start(db, "no-such-run", "x", NULL, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(yaa_db_stages_delete(db, run, "publisher", &err), 0);
    assert_int_equal(yaa_db_stages_list(db, run, &a, &items, &n, &err), 0);
    assert_int_equal(n, 2);
    /* deleting the run removes its checkpoints */
    assert_int_equal(yaa_db_runs_delete(db, run, &err), 0);
    assert_int_equal(yaa_db_stages_list(db, run, &a, &items, &n, &err), 0);
    assert_int_equal(n, 0);
    rc_close(db, &a);
}

static void case_channels(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    yaa_db_channel c = {.id = "ko_food", .name = "한식 채널", .language = "ko"};
    assert_int_equal(yaa_db_channels_upsert(db, &c, &err), 0);
    yaa_db_channel c2 = {
        .id = "en_tech", .name = "Tech", .category = "tech", .description = "gadgets"};
    assert_int_equal(yaa_db_channels_upsert(db, &c2, &err), 0);
    yaa_db_channel got;
    assert_int_equal(yaa_db_channels_get(db, "ko_food", false, &a, &got, &err), 0);
    assert_string_equal(got.name, "한식 채널");
    assert_string_equal(got.category, "general");
    assert_string_equal(got.language, "ko");
    assert_string_equal(got.description, "");
    const char *created = got.created_at;
    c.name = "한식";
    assert_int_equal(yaa_db_channels_upsert(db, &c, &err), 0);
    assert_int_equal(yaa_db_channels_get(db, "ko_food", false, &a, &got, &err), 0);
    assert_string_equal(got.name, "한식");
    assert_string_equal(got.created_at, created);

    assert_int_equal(yaa_db_channels_update(db, "en_tech", NULL, "science", NULL, &err), 0);
    assert_int_equal(yaa_db_channels_get(db, "en_tech", false, &a, &got, &err), 0);
    assert_string_equal(got.category, "science");
    assert_string_equal(got.name, "Tech");
    assert_string_equal(got.description, "gadgets");
    assert_int_equal(yaa_db_channels_update(db, "zz", "n", NULL, NULL, &err), YAA_ENOTFOUND);

    yaa_db_channel *items;
    size_t n;
    assert_int_equal(yaa_db_channels_list(db, &a, &items, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].id, "en_tech");
    assert_int_equal(yaa_db_channels_delete(db, "en_tech", &err), 0);
    assert_int_equal(yaa_db_channels_delete(db, "en_tech", &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_channels_list(db, &a, &items, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(yaa_db_channels_get(db, "en_tech", false, &a, &got, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_channels_get(db, "en_tech", true, &a, &got, &err), 0);
    assert_non_null(got.deleted_at);
    assert_int_equal(yaa_db_channels_update(db, "en_tech", "x", NULL, NULL, &err), YAA_ENOTFOUND);
    /* a channel back on disk is undeleted by the sync */
    assert_int_equal(yaa_db_channels_upsert(db, &c2, &err), 0);
    assert_int_equal(yaa_db_channels_get(db, "en_tech", false, &a, &got, &err), 0);
    assert_null(got.deleted_at);
    rc_close(db, &a);
}

static void case_keys(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    char key[YAA_APIKEY_LEN + 1], key2[YAA_APIKEY_LEN + 1], hash[65];
    assert_int_equal(yaa_db_apikey_generate(key, hash, &err), 0);
    assert_int_equal(strlen(key), 47);
    assert_true(yaa_db_apikey_wellformed(key));
    assert_int_equal(yaa_db_apikey_generate(key2, hash, &err), 0);
    assert_string_not_equal(key, key2);
    assert_false(yaa_db_apikey_wellformed("yaa_short"));

    const char *js;
    assert_int_equal(yaa_db_scopes_json("admin, read", &a, &js, &err), 0);
    assert_string_equal(js, "[\"read\",\"admin\"]");
    assert_int_equal(yaa_db_scopes_json(NULL, &a, &js, &err), 0);
    assert_string_equal(js, "[\"read\",\"write\"]");
    assert_int_equal(yaa_db_scopes_json("read,root", &a, &js, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "root"));

    yaa_db_apikey k;
    assert_int_equal(yaa_db_keys_issue(db, "ci", "read", 30, key, &a, &k, &err), 0);
    assert_true(yaa_db_apikey_wellformed(key));
    char h[65];
    yaa_sha256_hex(key, strlen(key), h);
    assert_string_equal(k.key_hash, h);
    assert_non_null(k.expires_at);
    yaa_db_apikey found;
    assert_int_equal(yaa_db_keys_find_by_hash(db, h, &a, &found, &err), 0);
    assert_string_equal(found.id, k.id);
    assert_string_equal(found.name, "ci");
    /* the shown prefix: "yaa_" and 8 characters of the key, never more */
    assert_int_equal(strlen(found.key_prefix), YAA_APIKEY_PREFIX_LEN);
    assert_int_equal(strncmp(found.key_prefix, key, YAA_APIKEY_PREFIX_LEN), 0);
    assert_true(found.is_active);
    assert_true(yaa_db_apikey_has_scope(&found, "read"));
    assert_false(yaa_db_apikey_has_scope(&found, "write"));
    assert_true(yaa_db_apikey_usable(&found, yaa_now()));
    assert_false(yaa_db_apikey_usable(&found, yaa_now() + 31 * 86400));
    assert_null(found.last_used_at);
    assert_int_equal(yaa_db_keys_touch(db, k.id, &err), 0);
    assert_int_equal(yaa_db_keys_get(db, k.id, &a, &found, &err), 0);
    assert_non_null(found.last_used_at);
    /* the plaintext is never stored */
    yaa_db_rows *r;
    assert_int_equal(yaa_db_query(db,
                                  "SELECT COUNT(*) FROM api_keys WHERE key_hash = ? OR "
                                  "name = ? OR scopes_json = ?",
                                  YAA_DB_ARGS(yaa_db_text(key), yaa_db_text(key), yaa_db_text(key)),
                                  &r, &err),
                     0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 0);
    yaa_db_rows_free(r);

    assert_int_equal(yaa_db_keys_issue(db, "x", "sudo", 0, key2, &a, &k, &err), YAA_EINVAL);
    assert_int_equal(yaa_db_keys_issue(db, "x", NULL, -1, key2, &a, &k, &err), YAA_EINVAL);
    assert_int_equal(yaa_db_keys_issue(db, "forever", NULL, 0, key2, &a, &k, &err), 0);
    assert_null(k.expires_at);
    assert_int_equal(yaa_db_keys_ensure(db, "bootstrap-secret", NULL, NULL, &err), 0);
    assert_int_equal(yaa_db_keys_ensure(db, "bootstrap-secret", NULL, NULL, &err), 0);

    yaa_db_apikey *items;
    size_t n;
    assert_int_equal(yaa_db_keys_list(db, false, &a, &items, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].name, "admin"); /* newest first */
    assert_null(items[0].key_prefix); /* a hand-made bootstrap key shows no part of itself */
    assert_true(yaa_db_apikey_has_scope(&items[0], "admin"));
    assert_int_equal(yaa_db_keys_revoke(db, k.id, &err), 0);
    assert_int_equal(yaa_db_keys_revoke(db, "nope", &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_keys_list(db, false, &a, &items, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(yaa_db_keys_list(db, true, &a, &items, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(yaa_db_keys_get(db, k.id, &a, &found, &err), 0);
    assert_false(found.is_active);
    assert_false(yaa_db_apikey_usable(&found, yaa_now()));
    assert_int_equal(yaa_db_keys_find_by_hash(db, "00", &a, &found, &err), YAA_ENOTFOUND);
    rc_close(db, &a);
}

static void case_audit(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    yaa_db_audit rows[4] = {
        {.timestamp = "2026-02-06T10:00:00.000000Z",
         .method = "GET",
         .path = "/api/v1/pipeline/runs",
         .status_code = 200,
         .api_key_id = "k1",
         .ip_address = "127.0.0.1",
         .duration_ms = 1.5,
         .request_id = "r1"},
        {.timestamp = "2026-02-06T11:00:00.000000Z",
         .method = "POST",
         .path = "/api/v1/pipeline/run",
         .status_code = 202,
         .api_key_id = "k1"},
        {.timestamp = "2026-02-07T10:00:00.000000Z",
         .method = "GET",
         .path = "/api/v1/channels",
         .status_code = 401,
         .user_agent = "curl/8"},
        {.method = "DELETE",
         .path = "/api/v1/admin/api-keys/x",
         .status_code = 400,
         .api_key_id = "k2"},
    };
    assert_int_equal(yaa_db_audit_insert_many(db, rows, 4, &err), 0);
    assert_int_equal(yaa_db_audit_insert_many(db, rows, 0, &err), 0);
    yaa_db_audit *items;
    size_t n;
    int64_t total;
    assert_int_equal(yaa_db_audit_list(db, NULL, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 4);
    assert_string_equal(items[0].method, "DELETE"); /* now: newest */
    assert_string_equal(items[3].request_id, "r1");
    assert_true(items[3].duration_ms == 1.5);
    assert_true(items[3].id > 0);
    yaa_db_audit_filter f = {.method = "get"};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 2);
    f = (yaa_db_audit_filter){.path = "/api/v1/pipeline"};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 2);
    f = (yaa_db_audit_filter){.status_code = 401};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 1);
    assert_string_equal(items[0].user_agent, "curl/8");
    f = (yaa_db_audit_filter){.api_key_id = "k1", .limit = 1, .offset = 1};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].method, "GET");
    f = (yaa_db_audit_filter){.since = "2026-02-06T19:30:00+09:00", .until = "2026-02-07"};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 1);
    assert_string_equal(items[0].method, "POST");
    int64_t deleted = -1;
    assert_int_equal(yaa_db_audit_delete_before(db, "2026-02-07", &deleted, &err), 0);
    assert_int_equal(deleted, 2);
    assert_int_equal(yaa_db_audit_list(db, NULL, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 2);
    assert_int_equal(yaa_db_audit_delete_before(db, "soon", &deleted, &err), YAA_EINVAL);
    f = (yaa_db_audit_filter){.since = "last week"};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "since"));
    /* a large batch (written 32 rows per statement, the rest one by one): every row, each
     * with its own values */
    yaa_db_audit many[70];
    char ids[70][16];
    for (int i = 0; i < 70; i++) {
        snprintf(ids[i], sizeof ids[i], "bulk-%02d", i);
        many[i] = (yaa_db_audit){.timestamp = "2026-03-01T00:00:00.000000Z",
                                 .method = "GET",
                                 .path = "/bulk",
                                 .status_code = 200 + i,
                                 .request_id = ids[i],
                                 .duration_ms = i};
    }
    assert_int_equal(yaa_db_audit_insert_many(db, many, 70, &err), 0);
    f = (yaa_db_audit_filter){.path = "/bulk", .limit = 100};
    assert_int_equal(yaa_db_audit_list(db, &f, &a, &items, &n, &total, &err), 0);
    assert_int_equal(total, 70);
    bool seen[70] = {false};
    for (size_t i = 0; i < n; i++) {
        int k = items[i].status_code - 200;
        assert_true(k >= 0 && k < 70 && !seen[k]);
        seen[k] = true;
        assert_string_equal(items[i].request_id, ids[k]);
        assert_true(items[i].duration_ms == k);
    }
    rc_close(db, &a);
}

static void case_usage(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    const char *r1 = rc_mkrun(db, &a, "ko", "t");
    const char *r2 = rc_mkrun(db, &a, "en", "t");
    yaa_db_usage u = {.id = "ev-1",
                      .run_id = r1,
                      .agent = "script_writer",
                      .provider = "anthropic",
                      .model = "claude-sonnet-4-20250514",
                      .prompt_tokens = 1000,
                      .completion_tokens = 500,
                      .cost_usd = 0.0105,
                      .created_at = "2026-02-06T10:00:00.000000Z"};
    bool ins = false;
    assert_int_equal(yaa_db_usage_insert(db, &u, &ins, &err), 0);
    assert_true(ins);
    assert_int_equal(yaa_db_usage_insert(db, &u, &ins, &err), 0); /* replay */
    assert_false(ins);
    yaa_db_usage u2 = {.id = "ev-2",
                       .run_id = r2,
                       .agent = "media_generator",
                       .provider = "espeak",
                       .kind = "tts",
                       .units = 1234,
                       .created_at = "2026-02-07T10:00:00.000000Z"};
    assert_int_equal(yaa_db_usage_insert(db, &u2, &ins, &err), 0);
    yaa_db_usage u3 = {.provider = "hash", .kind = "embedding", .prompt_tokens = 10};
    assert_int_equal(yaa_db_usage_insert(db, &u3, &ins, &err), 0);
    assert_true(ins);
    yaa_db_usage bad = {.provider = "x", .kind = "video"};
    assert_int_equal(yaa_db_usage_insert(db, &bad, NULL, &err), YAA_EINVAL);
    yaa_db_usage orphan = {.provider = "x", .run_id = "no-such-run"};
    assert_int_equal(yaa_db_usage_insert(db, &orphan, NULL, &err), YAA_EINVAL);

    yaa_db_usage *items;
    size_t n;
    int64_t total;
    yaa_db_usage_totals t;
    assert_int_equal(yaa_db_usage_list(db, NULL, &a, &items, &n, &total, &t, &err), 0);
    assert_int_equal(total, 3);
    assert_int_equal(t.events, 3);
    assert_int_equal(t.prompt_tokens, 1010);
    assert_int_equal(t.completion_tokens, 500);
    assert_int_equal(t.total_tokens, 1510);
    assert_true(t.cost_usd > 0.0104 && t.cost_usd < 0.0106);
    assert_null(items[0].run_id); /* u3: now, newest */
    assert_string_equal(items[0].kind, "embedding");
    assert_string_equal(items[2].id, "ev-1");
    assert_int_equal(items[2].total_tokens, 1500);
    yaa_db_usage_filter f = {.channel_id = "en"};
    assert_int_equal(yaa_db_usage_list(db, &f, &a, &items, &n, &total, &t, &err), 0);
    assert_int_equal(total, 1);
    assert_true(items[0].units == 1234);
    assert_string_equal(items[0].kind, "tts");
    f = (yaa_db_usage_filter){.run_id = r1,
                              .agent = "script_writer",
                              .provider = "anthropic",
                              .model = "claude-sonnet-4-20250514"};
    assert_int_equal(yaa_db_usage_list(db, &f, &a, &items, &n, &total, &t, &err), 0);
    assert_int_equal(total, 1);
    f = (yaa_db_usage_filter){.from = "2026-02-06", .to = "2026-02-06T23:59:59Z"};
    assert_int_equal(yaa_db_usage_list(db, &f, &a, &items, &n, &total, NULL, &err), 0);
    assert_int_equal(total, 1);
    assert_string_equal(items[0].id, "ev-1");
    f = (yaa_db_usage_filter){.limit = 1, .offset = 2};
    assert_int_equal(yaa_db_usage_list(db, &f, &a, &items, &n, &total, &t, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 3);
    f = (yaa_db_usage_filter){.to = "tomorrow"};
    assert_int_equal(yaa_db_usage_list(db, &f, &a, &items, &n, &total, &t, &err), YAA_EINVAL);
    rc_close(db, &a);
}

/* run_artifacts: a later attempt of a stage replaces an earlier one's files, never the other
 * way round; another stage may always replace; gc finds finished runs. */
static void case_artifacts(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    const char *run = rc_mkrun(db, &a, "c", "t");
    yaa_db_artifact v1[] = {{.name = "video.mp4",
                             .stage = "media_editor",
                             .attempt = 1,
                             .object_key = "runs/x/media_editor.1.aa/video.mp4",
                             .size = 10,
                             .sha256 = "s1"},
                            {.name = "images/01.png",
                             .stage = "media_generator",
                             .attempt = 1,
                             .object_key = "runs/x/media_generator.1.bb/images/01.png",
                             .size = 5,
                             .sha256 = "p1"}};
    const char *replaced[2];
    bool kept[2];
    assert_int_equal(yaa_db_artifacts_publish(db, run, v1, 2, &a, replaced, kept, &err), 0);
    assert_null(replaced[0]);
    assert_false(kept[0]);
    /* attempt 3 lands first, then the stale attempt 2 finishes late */
    yaa_db_artifact v3 = {.name = "video.mp4",
                          .stage = "media_editor",
                          .attempt = 3,
                          .object_key = "runs/x/media_editor.3.cc/video.mp4",
                          .size = 30,
                          .sha256 = "s3"};
    yaa_db_artifact v2 = {.name = "video.mp4",
                          .stage = "media_editor",
                          .attempt = 2,
                          .object_key = "runs/x/media_editor.2.dd/video.mp4",
                          .size = 20,
                          .sha256 = "s2"};
    assert_int_equal(yaa_db_artifacts_publish(db, run, &v3, 1, &a, replaced, kept, &err), 0);
    assert_string_equal(replaced[0], "runs/x/media_editor.1.aa/video.mp4");
    assert_false(kept[0]);
    assert_int_equal(yaa_db_artifacts_publish(db, run, &v2, 1, &a, replaced, kept, &err), 0);
    assert_true(kept[0]);
    assert_null(replaced[0]);
    yaa_db_artifact got;
    assert_int_equal(yaa_db_artifacts_get(db, run, "video.mp4", &a, &got, &err), 0);
    assert_string_equal(got.object_key, "runs/x/media_editor.3.cc/video.mp4");
    assert_int_equal(got.attempt, 3);
    assert_int_equal(got.size, 30);
    /* another stage rewriting a file takes it over whatever the attempt */
    yaa_db_artifact other = {.name = "images/01.png",
                             .stage = "media_editor",
                             .attempt = 1,
                             .object_key = "runs/x/media_editor.1.ee/images/01.png",
                             .size = 6,
                             .sha256 = "p2"};
    assert_int_equal(yaa_db_artifacts_publish(db, run, &other, 1, &a, replaced, kept, &err), 0);
    assert_false(kept[0]);
    yaa_db_artifact *items;
    size_t n;
    assert_int_equal(yaa_db_artifacts_list(db, run, &a, &items, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].name, "images/01.png");
    assert_string_equal(items[0].stage, "media_editor");
    assert_int_equal(yaa_db_artifacts_get(db, run, "nope", &a, &got, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_artifacts_publish(db, "no-such-run", v1, 1, &a, NULL, NULL, &err),
                     YAA_EINVAL);
    /* gc: only finished runs before the cutoff, only those still holding files if asked */
    yaa_db_expired_run *ids;
    assert_int_equal(
        yaa_db_artifacts_expired_runs(db, "9999-01-01", true, NULL, 10, &a, &ids, &n, &err), 0);
    assert_int_equal(n, 0); /* still pending */
    assert_int_equal(
        yaa_db_exec(db, "UPDATE pipeline_runs SET status = 'completed'", NULL, 0, NULL, &err), 0);
    assert_int_equal(
        yaa_db_artifacts_expired_runs(db, "9999-01-01", true, NULL, 10, &a, &ids, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0].id, run);
    assert_int_equal(
        yaa_db_artifacts_expired_runs(db, "2000-01-01", false, NULL, 10, &a, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(yaa_db_artifacts_delete_run(db, run, &err), 0);
    assert_int_equal(
        yaa_db_artifacts_expired_runs(db, "9999-01-01", true, NULL, 10, &a, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    rc_close(db, &a);
}

/* A stale attempt (a later attempt of its stage has started since) publishes nothing: not
 * over a later stage's rewrite of a file of the same name, not the files only it made, not
 * over its own stage's newer files; the current attempt still does. */
static void case_artifacts_stale_attempt(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    const char *run = rc_mkrun(db, &a, "c", "t");
    int64_t att = 0;
    const char *replaced[2];
    bool kept[2];
    /* media_editor attempt 1 is presumed dead; attempt 2 starts, finishes, publishes */
    assert_int_equal(yaa_db_stages_start(db, run, "media_editor", &att, &err), 0);
    assert_int_equal(yaa_db_stages_start(db, run, "media_editor", &att, &err), 0);
    assert_int_equal(att, 2);
    yaa_db_artifact ed2 = {.name = "video.mp4",
                           .stage = "media_editor",
                           .attempt = 2,
                           .object_key = "runs/x/media_editor.2.aa/video.mp4",
                           .size = 2,
                           .sha256 = "e2"};
    assert_int_equal(yaa_db_artifacts_publish(db, run, &ed2, 1, &a, replaced, kept, &err), 0);
    assert_false(kept[0]);
    /* the next stage rewrites video.mp4 (say, with a burned-in watermark) */
    assert_int_equal(yaa_db_stages_start(db, run, "publisher", &att, &err), 0);
    yaa_db_artifact pub = {.name = "video.mp4",
                           .stage = "publisher",
                           .attempt = 1,
                           .object_key = "runs/x/publisher.1.bb/video.mp4",
                           .size = 3,
                           .sha256 = "p1"};
    assert_int_equal(yaa_db_artifacts_publish(db, run, &pub, 1, &a, replaced, kept, &err), 0);
    assert_false(kept[0]);
    assert_string_equal(replaced[0], "runs/x/media_editor.2.aa/video.mp4");
    /* now the stale attempt 1 finishes: a video.mp4 and a file only it produced */
    yaa_db_artifact ed1[] = {{.name = "video.mp4",
                              .stage = "media_editor",
                              .attempt = 1,
                              .object_key = "runs/x/media_editor.1.cc/video.mp4",
                              .size = 1,
                              .sha256 = "e1"},
                             {.name = "draft.mp4",
                              .stage = "media_editor",
                              .attempt = 1,
                              .object_key = "runs/x/media_editor.1.cc/draft.mp4",
                              .size = 1,
                              .sha256 = "d1"}};
    assert_int_equal(yaa_db_artifacts_publish(db, run, ed1, 2, &a, replaced, kept, &err), 0);
    assert_true(kept[0]);
    assert_true(kept[1]);
    assert_null(replaced[0]);
    assert_null(replaced[1]);
    yaa_db_artifact *items;
    size_t n;
    assert_int_equal(yaa_db_artifacts_list(db, run, &a, &items, &n, &err), 0);
    assert_int_equal(n, 1); /* no draft.mp4 */
    assert_string_equal(items[0].object_key, "runs/x/publisher.1.bb/video.mp4");
    /* a new attempt of media_editor (a redo from that stage) is current: it takes over */
    assert_int_equal(yaa_db_stages_start(db, run, "media_editor", &att, &err), 0);
    ed1[0].attempt = 3;
    ed1[0].object_key = "runs/x/media_editor.3.dd/video.mp4";
    assert_int_equal(yaa_db_artifacts_publish(db, run, ed1, 1, &a, replaced, kept, &err), 0);
    assert_false(kept[0]);
    assert_string_equal(replaced[0], "runs/x/publisher.1.bb/video.mp4");
    rc_close(db, &a);
}

/* gc pages through expired runs by (updated_at, id): runs sharing one updated_at, pages of
 * 2, every run seen exactly once, even when nothing is deleted between pages (dry run, or
 * file-store runs that keep their rows). */
static void case_artifacts_gc_pages(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    enum { RUNS = 7 };
    const char *made[RUNS];
    for (int i = 0; i < RUNS; i++) made[i] = rc_mkrun(db, &a, "c", "t");
    /* three share one time (the id breaks the tie), the rest are later; one is too new */
    assert_int_equal(yaa_db_exec(db,
                                 "UPDATE pipeline_runs SET status = 'completed', updated_at = "
                                 "'2020-01-01T00:00:00.000000Z'",
                                 NULL, 0, NULL, &err),
                     0);
    for (int i = 3; i < RUNS; i++) {
        char at[64];
        snprintf(at, sizeof at, "2020-01-0%dT00:00:00.000000Z", i == RUNS - 1 ? 9 : i);
        assert_int_equal(yaa_db_exec(db, "UPDATE pipeline_runs SET updated_at = ? WHERE id = ?",
                                     YAA_DB_ARGS(yaa_db_text(at), yaa_db_text(made[i])), NULL,
                                     &err),
                         0);
    }
    size_t seen = 0;
    yaa_db_expired_run last = {0}, *page;
    size_t n;
    char prev[128] = "";
    for (int pages = 0; pages < 10; pages++) {
        assert_int_equal(yaa_db_artifacts_expired_runs(db, "2020-01-08", false,
                                                       last.id ? &last : NULL, 2, &a, &page, &n,
                                                       &err),
                         0);
        for (size_t i = 0; i < n; i++) {
            char key[128];
            snprintf(key, sizeof key, "%s|%s", page[i].updated_at, page[i].id);
            assert_true(strcmp(key, prev) > 0); /* strictly increasing: no repeat */
            snprintf(prev, sizeof prev, "%s", key);
            assert_string_not_equal(page[i].id, made[RUNS - 1]);
            seen++;
        }
        if (n < 2) break;
        last = page[n - 1];
    }
    assert_int_equal(seen, RUNS - 1);
    rc_close(db, &a);
}

/* channel revisions: each commit is the next revision; contents (with NUL bytes) and store
 * keys come back; a commit without files marks the channel deleted. */
static void case_channel_files(void **state) {
    yaa_arena a;
    yaa_db *db = rc_open(state, &a);
    yaa_err err = {0};
    yaa_db_chrev cur;
    assert_int_equal(yaa_db_chfiles_current(db, "k", &cur, &a, &err), YAA_ENOTFOUND);
    static const char bin[] = {'a', 0, 'b', (char)0xff};
    yaa_db_chfile f1[] = {
        {.path = "config.yaml", .size = 5, .sha256 = "c1", .content = "x: 1\n", .content_len = 5},
        {.path = "music/bgm.wav", .size = 2000000, .sha256 = "m1", .object_key = "channels/k/m1"},
        {.path = "knowledge/b.bin", .size = 4, .sha256 = "b1", .content = bin, .content_len = 4}};
    int64_t rev = 0;
    assert_int_equal(yaa_db_chfiles_commit(db, "k", "import", 0, f1, 3, &rev, &err), 0);
    assert_int_equal(rev, 1);
    /* a second "new" channel of that id, and an edit made on a revision no longer current
     * (another API host stored one since): refused, nothing stored */
    assert_int_equal(yaa_db_chfiles_commit(db, "k", "create", 0, f1, 1, &rev, &err), YAA_ECONFLICT);
    assert_int_equal(yaa_db_chfiles_commit(db, "k", "edit", 1, f1, 1, &rev, &err), 0);
    assert_int_equal(rev, 2);
    rev = 0;
    assert_int_equal(yaa_db_chfiles_commit(db, "k", "stale edit", 1, f1, 2, &rev, &err),
                     YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "revision 2 is current"));
    assert_non_null(strstr(err.msg, "revision 1"));
    assert_int_equal(rev, 0);
    assert_int_equal(yaa_db_chfiles_current(db, "k", &cur, &a, &err), 0);
    assert_int_equal(cur.revision, 2);
    assert_int_equal(cur.files, 1);
    assert_string_equal(cur.note, "edit");
    yaa_db_chfile *items;
    size_t n;
    assert_int_equal(yaa_db_chfiles_list(db, "k", 1, true, &a, &items, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].path, "config.yaml");
    assert_string_equal(items[1].path, "knowledge/b.bin");
    assert_int_equal(items[1].content_len, 4);
    assert_memory_equal(items[1].content, bin, 4);
    assert_null(items[2].content);
    assert_string_equal(items[2].object_key, "channels/k/m1");
    assert_int_equal(items[2].size, 2000000);
    assert_int_equal(
        yaa_db_chfiles_commit(db, "k", "deleted", YAA_DB_CHREV_ANY, NULL, 0, &rev, &err), 0);
    assert_int_equal(yaa_db_chfiles_commit(db, "j", "import", YAA_DB_CHREV_ANY, f1, 1, &rev, &err),
                     0);
    yaa_db_chrev *heads;
    assert_int_equal(yaa_db_chfiles_heads(db, &a, &heads, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(heads[0].channel_id, "j");
    assert_int_equal(heads[1].revision, 3);
    assert_int_equal(heads[1].files, 0); /* deleted */
    assert_int_equal(yaa_db_chfiles_revisions(db, "k", 10, &a, &heads, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(heads[0].revision, 3);
    rc_close(db, &a);
}

#define YAA_REPO_CASES(url)                                                                       \
    cmocka_unit_test_prestate(case_runs, url), cmocka_unit_test_prestate(case_stages, url),       \
        cmocka_unit_test_prestate(case_channels, url), cmocka_unit_test_prestate(case_keys, url), \
        cmocka_unit_test_prestate(case_audit, url), cmocka_unit_test_prestate(case_usage, url),   \
        cmocka_unit_test_prestate(case_artifacts, url),                                           \
        cmocka_unit_test_prestate(case_artifacts_stale_attempt, url),                             \
        cmocka_unit_test_prestate(case_artifacts_gc_pages, url),                                  \
        cmocka_unit_test_prestate(case_channel_files, url)

#endif
