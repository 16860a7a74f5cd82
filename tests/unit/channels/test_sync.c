/* test_sync.c - the `channels` table follows CHANNELS_DIR (SQLite in a temp dir): new
 * folders are inserted, edits update, vanished folders are soft-deleted and come back, an
 * unchanged row is left alone, and a missing CHANNELS_DIR deletes nothing. */
#include "test_util.h"

#include "lib/dbtest.h"

#include "channels/channels.h"
#include "core/buf.h"
#include "db/migrate.h"
#include "db/repo.h"

#include <stdio.h>

static char tmp[PATH_MAX], root[PATH_MAX + 16];
static yaa_db *db;

static void put(const char *rel, const char *text) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    assert_int_equal(yaa_mkdirs(path, 0755), 0);
    *slash = '/';
    assert_int_equal(yaa_write_file(path, text, strlen(text)), 0);
}

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(tmp, sizeof tmp);
    snprintf(root, sizeof root, "%s/channels", tmp);
    if (!(db = yaa_dbtest_sqlite(tmp))) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    yaa_db_close(db);
    yaa_test_rmrf(tmp);
    return 0;
}

static void sync_expect(size_t on_disk, size_t upserted, size_t unchanged, size_t deleted) {
    yaa_channels_sync_stats st;
    yaa_err err = {0};
    int rc = yaa_channels_sync(db, root, &st, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(st.on_disk, on_disk);
    assert_int_equal(st.upserted, upserted);
    assert_int_equal(st.unchanged, unchanged);
    assert_int_equal(st.deleted, deleted);
}

static void test_sync(void **state) {
    (void)state;
    put("_template/config.yaml", "channel:\n  name: \"\"\n");
    put("alpha/config.yaml", "channel:\n  name: Alpha\n  category: a\n  language: en\n");
    put("beta/config.yaml", "channel:\n  name: 베타\n  description: d\n");
    sync_expect(2, 2, 0, 0);

    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_channel c;
    yaa_err err = {0};
    assert_int_equal(yaa_db_channels_get(db, "beta", false, &a, &c, &err), 0);
    assert_string_equal(c.name, "베타");
    assert_string_equal(c.category, "");
    assert_string_equal(c.description, "d");
    assert_string_equal(c.language, "ko");
    const char *updated = c.updated_at;
    assert_int_equal(yaa_db_channels_get(db, "_template", true, &a, &c, &err), YAA_ENOTFOUND);

    /* nothing changed: nothing written */
    sync_expect(2, 0, 2, 0);
    assert_int_equal(yaa_db_channels_get(db, "beta", false, &a, &c, &err), 0);
    assert_string_equal(c.updated_at, updated);

    /* an edit through the registry, then a sync */
    assert_int_equal(yaa_channels_update(root, "alpha", NULL, "b", NULL, &err), 0);
    sync_expect(2, 1, 1, 0);
    assert_int_equal(yaa_db_channels_get(db, "alpha", false, &a, &c, &err), 0);
    assert_string_equal(c.category, "b");

    /* a deleted folder soft-deletes its row; it comes back with the folder */
    char moved[PATH_MAX];
    assert_int_equal(yaa_channels_delete(root, "beta", moved, sizeof moved, &err), 0);
    sync_expect(1, 0, 1, 1);
    assert_int_equal(yaa_db_channels_get(db, "beta", false, &a, &c, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_db_channels_get(db, "beta", true, &a, &c, &err), 0);
    assert_non_null(c.deleted_at);
    char back[PATH_MAX + 32];
    snprintf(back, sizeof back, "%s/beta", root);
    assert_int_equal(rename(moved, back), 0);
    sync_expect(2, 1, 1, 0);
    assert_int_equal(yaa_db_channels_get(db, "beta", false, &a, &c, &err), 0);
    assert_null(c.deleted_at);
    yaa_arena_free(&a);
}

static void test_missing_root(void **state) {
    (void)state;
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/nope", tmp);
    yaa_channels_sync_stats st;
    yaa_err err = {0};
    assert_int_equal(yaa_channels_sync(db, missing, &st, &err), YAA_ENOTFOUND);
    assert_int_equal(st.deleted, 0);
    assert_true(strstr(err.msg, "is not a directory; channels not synced"));
    /* the rows are untouched */
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_channel *rows;
    size_t n;
    assert_int_equal(yaa_db_channels_list(db, &a, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    yaa_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync),
        cmocka_unit_test(test_missing_root),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
