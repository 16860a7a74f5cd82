/* test_ratelimit_redis.c - the API rate limiter's Redis backend against a real redis-server:
 * two limiters (two API processes) share one bucket per key; when Redis goes away each falls
 * back to its own in-process bucket. */
#include "test_util.h"

#include "api/ratelimit.h"
#include "api/ratelimit_redis.h"
#include "lib/redistest.h"

static yaa_redistest rt;

static void test_shared_bucket(void **state) {
    (void)state;
    yaa_ratelimit *a = yaa_api_ratelimit_new(5), *b = yaa_api_ratelimit_new(5);
    assert_int_equal(yaa_api_ratelimit_redis_attach(a, rt.url), 0);
    assert_int_equal(yaa_api_ratelimit_redis_attach(b, rt.url), 0);
    assert_int_equal(yaa_api_ratelimit_redis_attach(a, NULL), 0); /* unset: nothing to do */
    yaa_rl_result r;
    for (int i = 0; i < 3; i++) {
        yaa_api_ratelimit_take(a, "key-1", true, &r);
        assert_true(r.allowed);
    }
    yaa_api_ratelimit_take(b, "key-1", true, &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 1);
    yaa_api_ratelimit_take(b, "key-1", true, &r);
    assert_true(r.allowed);
    yaa_api_ratelimit_take(a, "key-1", true, &r); /* 6th across both: refused */
    assert_false(r.allowed);
    assert_true(r.retry_after >= 1);
    assert_int_equal(r.limit, 5);
    yaa_api_ratelimit_take(b, "key-2", false, &r); /* another key, peek only */
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 5);

    /* Redis gone: each limiter falls back to its own bucket (requests still limited). */
    yaa_redistest_kill(&rt);
    for (int i = 0; i < 5; i++) {
        yaa_api_ratelimit_take(a, "key-1", true, &r);
        assert_true(r.allowed);
    }
    yaa_api_ratelimit_take(a, "key-1", true, &r);
    assert_false(r.allowed);
    yaa_api_ratelimit_free(a);
    yaa_api_ratelimit_free(b);
}

int main(void) {
    int rc = yaa_redistest_start(&rt);
    if (rc != 0) return rc == YAA_REDISTEST_SKIP ? 77 : 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shared_bucket)};
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_redistest_stop(&rt);
    return rc;
}
