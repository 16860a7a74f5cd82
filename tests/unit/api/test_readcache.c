/* test_readcache.c - the read cache: a value is handed back only for its key at the
 * generation it was kept under; keys sharing a slot, older generations, oversized values
 * and wrongly sized objects miss; a slower request's older value does not replace a newer. */
#include "test_util.h"

#include "api/readcache.h"

#include <pthread.h>

static void test_hits_and_misses(void **state) {
    (void)state;
    yaa_readcache *c = yaa_api_readcache_new(8, 64);
    assert_non_null(c);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    assert_false(yaa_api_readcache_get(c, "a", 1, &b));
    yaa_api_readcache_put(c, "a", 1, "alpha", 5);
    assert_true(yaa_api_readcache_get(c, "a", 1, &b));
    assert_string_equal(yaa_buf_cstr(&b), "alpha");
    /* the database moved on: the entry is of no use any more */
    yaa_buf_reset(&b);
    assert_false(yaa_api_readcache_get(c, "a", 2, &b));
    assert_int_equal(b.len, 0);
    /* another key never sees a's value, whatever slot it maps to */
    char key[16];
    for (int i = 0; i < 64; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_false(yaa_api_readcache_get(c, key, 1, &b));
    }
    /* a value over the cap is not kept */
    char big[65] = {0};
    yaa_api_readcache_put(c, "big", 1, big, sizeof big);
    assert_false(yaa_api_readcache_get(c, "big", 1, &b));
    /* an older generation brought late does not replace the newer value */
    yaa_api_readcache_put(c, "a", 3, "new", 3);
    yaa_api_readcache_put(c, "a", 2, "old", 3);
    assert_true(yaa_api_readcache_get(c, "a", 3, &b));
    assert_string_equal(yaa_buf_cstr(&b), "new");
    /* objects: a hit only at the exact size */
    struct {
        int x;
        long y;
    } o = {7, 9}, back = {0, 0};
    yaa_api_readcache_put(c, "obj", 5, &o, sizeof o);
    assert_false(yaa_api_readcache_get_obj(c, "obj", 5, &back, sizeof back - 1));
    assert_true(yaa_api_readcache_get_obj(c, "obj", 5, &back, sizeof back));
    assert_int_equal(back.x, 7);
    assert_int_equal(back.y, 9);
    /* too long a key is never cached */
    char lk[400];
    memset(lk, 'x', sizeof lk - 1);
    lk[sizeof lk - 1] = '\0';
    yaa_api_readcache_put(c, lk, 1, "v", 1);
    assert_false(yaa_api_readcache_get(c, lk, 1, &b));
    yaa_buf_free(&b);
    yaa_api_readcache_free(c);
    yaa_api_readcache_free(NULL);
}

typedef struct {
    yaa_readcache *c;
    int id;
} worker_arg;

/* Writers and readers on the same few keys: a hit always holds the value of its key. */
static void *worker(void *p) {
    worker_arg *w = p;
    char key[16], val[32];
    yaa_buf b;
    yaa_buf_init(&b, 0);
    for (int i = 0; i < 20000; i++) {
        int k = (i + w->id) % 5;
        snprintf(key, sizeof key, "key%d", k);
        snprintf(val, sizeof val, "value of key%d", k);
        if (i % 3 == 0) yaa_api_readcache_put(w->c, key, (uint64_t)(i % 2), val, strlen(val));
        yaa_buf_reset(&b);
        if (yaa_api_readcache_get(w->c, key, (uint64_t)(i % 2), &b))
            assert_string_equal(yaa_buf_cstr(&b), val);
    }
    yaa_buf_free(&b);
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    yaa_readcache *c = yaa_api_readcache_new(3, 64);
    pthread_t t[4];
    worker_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (worker_arg){c, i};
        pthread_create(&t[i], NULL, worker, &a[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    yaa_api_readcache_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_misses),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
