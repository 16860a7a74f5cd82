/* test_idempotency.c - Idempotency-Key on a real SQLite database: a repeat is answered from the
 * first answer without running the handler; a reservation whose request is still running is
 * 409, but one abandoned (the API died between reserving and answering, so no answer within a
 * minute) is taken over by the next request instead of blocking the key for 24 h; a stale row
 * is deleted only as it was read. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "api/api_internal.h"
#include "core/util.h"
#include "db/repo.h"

#include <strings.h>

#define BODY "{\"topic\":\"t\"}"

static char dir[PATH_MAX];
static char body_hash[65];
static int runs; /* handler calls */
static const char *idem_key;

static const char *headers(void *ud, const char *name) {
    (void)ud;
    return strcasecmp(name, "Idempotency-Key") == 0 ? idem_key : NULL;
}

static int handler(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    runs++;
    return yaa_api_http_json(resp, 202, json_pack("{s:s, s:i}", "run_id", "r", "n", runs));
}

/* One POST through yaa_api__idempotent with key k; returns the status. */
static int post(yaa_api *api, const char *k) {
    idem_key = k;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_http_req req = {.arena = &a,
                        .api = api,
                        .method = "POST",
                        .path = "/api/v1/pipeline/run",
                        .header = headers,
                        .body = BODY,
                        .body_len = strlen(BODY)};
    yaa_http_resp resp;
    yaa_api_http_resp_init(&resp);
    assert_int_equal(yaa_api__idempotent(&req, &resp, handler), 0);
    int status = resp.status;
    yaa_api_http_resp_free(&resp);
    yaa_arena_free(&a);
    return status;
}

/* The row a first request with key k and BODY reserved. */
static yaa_db_idem row_of(const char *k) {
    yaa_sha256_hex(BODY, strlen(BODY), body_hash);
    return (yaa_db_idem){.api_key_id = "",
                         .route = "POST /api/v1/pipeline/run",
                         .idem_key = k,
                         .body_sha256 = body_hash};
}

/* Reserves k as a request that started `age` seconds ago and never answered. */
static void reserve_aged(yaa_db *db, const char *k, long age) {
    yaa_err err = {0};
    yaa_db_idem x = row_of(k);
    bool reserved = false;
    assert_int_equal(yaa_db_idem_reserve(db, &x, &reserved, &err), 0);
    assert_true(reserved);
    char at[YAA_DB_TIME_LEN + 1];
    yaa_db_time(yaa_now() - age, at);
    assert_int_equal(yaa_db_exec(db,
                                 "UPDATE idempotency_keys SET created_at = ? WHERE idem_key = ?",
                                 YAA_DB_ARGS(yaa_db_text(at), yaa_db_text(k)), NULL, &err),
                     0);
}

static void test_reservations(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = yaa_dbtest_sqlite(dir);
    assert_non_null(db);
    yaa_api api = {.db = db};
    runs = 0;

    assert_int_equal(post(&api, "first"), 202);
    assert_int_equal(post(&api, "first"), 202); /* replayed */
    assert_int_equal(runs, 1);

    reserve_aged(db, "busy", 5); /* its request is still running */
    assert_int_equal(post(&api, "busy"), 409);
    assert_int_equal(runs, 1);

    reserve_aged(db, "abandoned", 120); /* its request died with its process */
    assert_int_equal(post(&api, "abandoned"), 202);
    assert_int_equal(runs, 2);
    assert_int_equal(post(&api, "abandoned"), 202); /* and the new answer is kept */
    assert_int_equal(runs, 2);

    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

static void test_delete_only_as_read(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_db *db = yaa_dbtest_sqlite(dir);
    assert_non_null(db);
    reserve_aged(db, "k", 120);
    yaa_err err = {0};
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_idem key = row_of("k"), seen;
    assert_int_equal(yaa_db_idem_get(db, &key, &a, &seen, &err), 0);
    /* another request took the key over meanwhile: its fresh row is not deleted */
    yaa_db_idem old = seen;
    old.created_at = "2000-01-01T00:00:00.000000Z";
    assert_int_equal(yaa_db_idem_delete(db, &old, &err), 0);
    assert_int_equal(yaa_db_idem_get(db, &key, &a, &seen, &err), 0);
    assert_int_equal(yaa_db_idem_delete(db, &seen, &err), 0);
    assert_int_equal(yaa_db_idem_get(db, &key, &a, &seen, &err), YAA_ENOTFOUND);
    yaa_arena_free(&a);
    yaa_db_close(db);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reservations),
        cmocka_unit_test(test_delete_only_as_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
