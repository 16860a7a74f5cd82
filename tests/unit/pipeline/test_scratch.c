/* test_scratch.c - the scratch folders of runs with the s3 store (pipeline/artifacts.c):
 * eviction past ARTIFACT_CACHE_MB never removes a run this process is working on (a worker
 * runs several at once), removes the oldest idle ones first; a run's folder goes when its
 * last execution ends; the file store's folders are never touched. */
#include "test_util.h"

#include "core/buf.h"
#include "pipeline/pipeline_internal.h"

#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#define RUN_A "0a000000-0000-4000-8000-000000000001"
#define RUN_B "0b000000-0000-4000-8000-000000000002"
#define RUN_C "0c000000-0000-4000-8000-000000000003"
#define RUN_D "0d000000-0000-4000-8000-000000000004"

typedef struct fixture {
    char dir[PATH_MAX];
    yaa_config cfg;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    f->cfg.output_dir = f->dir;
    f->cfg.artifact_store = "s3://bucket/prefix";
    f->cfg.artifact_cache_mb = 1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

/* A run folder holding kb KiB, last modified age seconds ago. */
static void make_run(const fixture *f, const char *id, size_t kb, int age) {
    char p[PATH_MAX + 80];
    snprintf(p, sizeof p, "%s/%s/audio", f->dir, id);
    assert_int_equal(yaa_mkdirs(p, 0755), 0);
    snprintf(p, sizeof p, "%s/%s/audio/01.wav", f->dir, id);
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < kb * 1024; i++) fputc((int)(i & 0xff), fp);
    fclose(fp);
    snprintf(p, sizeof p, "%s/%s", f->dir, id);
    struct utimbuf t = {.actime = time(NULL) - age, .modtime = time(NULL) - age};
    assert_int_equal(utime(p, &t), 0);
}

static bool exists(const fixture *f, const char *id) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", f->dir, id);
    struct stat s;
    return stat(p, &s) == 0;
}

static void test_active_runs_never_evicted(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    /* the two oldest folders are runs in progress; together they are past the cap alone */
    make_run(f, RUN_A, 600, 400);
    make_run(f, RUN_B, 600, 300);
    make_run(f, RUN_C, 300, 200);
    make_run(f, RUN_D, 300, 100);
    assert_int_equal(yaa_pipeline__scratch_begin(RUN_A, &err), 0);
    assert_int_equal(yaa_pipeline__scratch_begin(RUN_B, &err), 0);
    yaa_pipeline__scratch_evict(&f->cfg);
    assert_true(exists(f, RUN_A));
    assert_true(exists(f, RUN_B));
    assert_false(exists(f, RUN_C)); /* idle, oldest first */
    assert_false(exists(f, RUN_D));
    /* B ends: its folder goes at once; A is still held */
    yaa_pipeline__scratch_end(&f->cfg, RUN_B);
    assert_false(exists(f, RUN_B));
    yaa_pipeline__scratch_evict(&f->cfg);
    assert_true(exists(f, RUN_A));
    yaa_pipeline__scratch_end(&f->cfg, RUN_A);
    assert_false(exists(f, RUN_A));
}

static void test_two_executions_of_one_run(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    make_run(f, RUN_A, 10, 10);
    /* a stale execution (lease lost) and the new one in this process at once */
    assert_int_equal(yaa_pipeline__scratch_begin(RUN_A, &err), 0);
    assert_int_equal(yaa_pipeline__scratch_begin(RUN_A, &err), 0);
    yaa_pipeline__scratch_end(&f->cfg, RUN_A);
    assert_true(exists(f, RUN_A)); /* the other still works in it */
    f->cfg.artifact_cache_mb = 0;
    yaa_pipeline__scratch_evict(&f->cfg);
    assert_true(exists(f, RUN_A));
    yaa_pipeline__scratch_end(&f->cfg, RUN_A);
    assert_false(exists(f, RUN_A));
}

static void test_file_store_folders_stay(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    f->cfg.artifact_store = "file";
    f->cfg.artifact_cache_mb = 0;
    make_run(f, RUN_A, 10, 10);
    make_run(f, RUN_B, 10, 10);
    assert_int_equal(yaa_pipeline__scratch_begin(RUN_A, &err), 0);
    yaa_pipeline__scratch_evict(&f->cfg);
    yaa_pipeline__scratch_end(&f->cfg, RUN_A);
    assert_true(exists(f, RUN_A)); /* the file store's run folder is the artifacts */
    assert_true(exists(f, RUN_B));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_active_runs_never_evicted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_executions_of_one_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_store_folders_stay, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
