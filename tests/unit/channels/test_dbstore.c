/* test_dbstore.c - CHANNELS_STORE=db on SQLite with the file artifact store: import (small
 * files inline, a large one in the store), unchanged re-import, open (materialise + load),
 * an edit reaching the cache, refusal of a folder with problems, export of an old revision,
 * deletion, two hosts editing one revision (the second refused), and an unsafe stored path
 * refused. */
#include "test_util.h"

#include "channels/channels.h"
#include "core/buf.h"
#include "core/config.h"
#include "db/channel_files_repo.h"
#include "db/migrate.h"
#include "store/store.h"

#include <sys/stat.h>
#include <time.h>
#include <utime.h>

typedef struct fx {
    char dir[512];
    char src[600];
    yaa_config cfg;
    yaa_db *db;
} fx;

static void put(const char *root, const char *rel, const char *text) {
    yaa_err err = {0};
    assert_int_equal(yaa_channels_write_file(root, rel, text, strlen(text), &err), 0);
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->src, sizeof f->src, "%s/src", f->dir);
    char out[PATH_MAX + 16], url[PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/output", f->dir);
    snprintf(url, sizeof url, "sqlite:///%s/yaa.db", f->dir);
    setenv("OUTPUT_DIR", out, 1);
    setenv("CHANNELS_DIR", f->src, 1);
    setenv("CHANNELS_STORE", "db", 1);
    setenv("ARTIFACT_STORE", "file", 1);
    setenv("DATABASE_URL", url, 1);
    yaa_err err = {0};
    assert_int_equal(yaa_config_load(&f->cfg, "/nonexistent/.env", &err), 0);
    assert_true(yaa_channels_in_db(&f->cfg));
    assert_string_equal(f->cfg.channels_import_dir, f->src);
    assert_non_null(strstr(f->cfg.channels_dir, "/output/.channels"));
    assert_int_equal(yaa_db_open(url, &f->db, &err), 0);
    char mig[PATH_MAX];
    snprintf(mig, sizeof mig, "%s/migrations", yaa_test_source_dir());
    assert_int_equal(yaa_db_upgrade(f->db, mig, -1, NULL, &err), 0);
    char ch[PATH_MAX + 32];
    snprintf(ch, sizeof ch, "%s/kitchen", f->src);
    put(ch, "config.yaml", "channel:\n  name: \"Kitchen\"\n  language: \"en\"\n");
    put(ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"first\"\n");
    put(ch, "knowledge/notes.md", "# Notes\nSalt early.\n");
    /* 1.5 MB: over the inline limit, so it goes to the artifact store */
    char *big = malloc(1536 * 1024);
    for (size_t i = 0; i < 1536 * 1024; i++) big[i] = (char)(i * 31 + 7);
    assert_int_equal(yaa_channels_write_file(ch, "music/bgm.wav", big, 1536 * 1024, &err), 0);
    free(big);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    yaa_db_close(f->db);
    yaa_config_free(&f->cfg);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static bool same_file(const char *a, const char *b) {
    char ha[65], hb[65];
    return yaa_store_sha256_file(a, ha, NULL, NULL) == 0 &&
           yaa_store_sha256_file(b, hb, NULL, NULL) == 0 && strcmp(ha, hb) == 0;
}

static void test_import_open_edit_export_delete(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    yaa_channels_import_stats st = {0};
    assert_int_equal(yaa_channels_db_import(&f->cfg, f->db, f->src, &st, &err), 0);
    assert_int_equal(st.found, 1);
    assert_int_equal(st.stored, 1);
    memset(&st, 0, sizeof st);
    assert_int_equal(yaa_channels_db_import(&f->cfg, f->db, f->src, &st, &err), 0);
    assert_int_equal(st.stored, 0); /* unchanged: no new revision */

    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_chfile *files;
    size_t n;
    assert_int_equal(yaa_db_chfiles_list(f->db, "kitchen", 1, true, &a, &files, &n, &err), 0);
    assert_int_equal(n, 4);
    const yaa_db_chfile *bgm = &files[3];
    assert_string_equal(bgm->path, "music/bgm.wav");
    assert_null(bgm->content);
    assert_non_null(bgm->object_key);
    char stored[PATH_MAX * 2];
    snprintf(stored, sizeof stored, "%s/output/%s", f->dir, bgm->object_key);
    char orig[PATH_MAX * 2];
    snprintf(orig, sizeof orig, "%s/kitchen/music/bgm.wav", f->src);
    assert_true(same_file(stored, orig));

    /* a worker: no channels folder of its own, the cache is built from the database */
    yaa_channel *ch = NULL;
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &ch, &err), 0);
    assert_string_equal(ch->brand.tagline, "first");
    char cached[PATH_MAX * 2];
    snprintf(cached, sizeof cached, "%s/kitchen/music/bgm.wav", f->cfg.channels_dir);
    assert_true(same_file(cached, orig));
    yaa_channels_free(ch);

    /* an edit becomes revision 2 and reaches the cache at the next open */
    char src_ch[700];
    snprintf(src_ch, sizeof src_ch, "%s/kitchen", f->src);
    put(src_ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"second\"\n");
    bool changed = false;
    int64_t rev = 0;
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, f->src, "kitchen", "edit", &rev, &changed, &err), 0);
    assert_true(changed);
    assert_int_equal(rev, 2);
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &ch, &err), 0);
    assert_string_equal(ch->brand.tagline, "second");
    yaa_channels_free(ch);

    /* a folder with problems is refused and changes nothing */
    put(src_ch, "brand_guide.yaml", "brand: [unclosed\n");
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, f->src, "kitchen", "bad", &rev, &changed, &err),
        YAA_EINVAL);
    yaa_db_chrev cur;
    assert_int_equal(yaa_db_chfiles_current(f->db, "kitchen", &cur, &a, &err), 0);
    assert_int_equal(cur.revision, 2);

    /* export of revision 1 gives the first folder back */
    char exp[PATH_MAX + 16];
    snprintf(exp, sizeof exp, "%s/export", f->dir);
    assert_int_equal(yaa_channels_db_export(&f->cfg, f->db, "kitchen", 1, exp, &err), 0);
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/kitchen/brand_guide.yaml", exp);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yaa_read_file(p, 4096, &text, &len), 0);
    assert_non_null(strstr(text, "first"));
    free(text);
    snprintf(p, sizeof p, "%s/kitchen/music/bgm.wav", exp);
    assert_true(same_file(p, orig));
    snprintf(p, sizeof p, "%s/kitchen/.revision", exp);
    assert_int_equal(access(p, F_OK), -1); /* exports are plain folders */

    /* the folder gone: the channel is marked deleted, and leaves the cache */
    yaa_test_rmrf(src_ch);
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, f->src, "kitchen", "gone", &rev, &changed, &err), 0);
    assert_true(changed);
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &ch, &err), YAA_ENOTFOUND);
    assert_null(ch);
    assert_non_null(strstr(err.msg, "yaa channels import"));
    snprintf(p, sizeof p, "%s/kitchen", f->cfg.channels_dir);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(yaa_channels_db_export(&f->cfg, f->db, "kitchen", 0, exp, &err),
                     YAA_ENOTFOUND);
    yaa_arena_free(&a);
}

static char *read_text(const char *root, const char *rel) {
    char p[PATH_MAX * 4];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yaa_read_file(p, 4096, &text, &len), 0);
    return text;
}

/* Two API hosts, each with its own cache of one database (what the API edits): both read
 * revision 1 and edit it; the second commit is refused (YAA_ECONFLICT: the API answers 409)
 * instead of silently reverting the first; after reading again it goes through. Two hosts
 * creating one new channel: the second is refused too. */
static void test_two_hosts_edit_conflict(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    yaa_channels_import_stats st = {0};
    assert_int_equal(yaa_channels_db_import(&f->cfg, f->db, f->src, &st, &err), 0);
    yaa_config host_b = f->cfg; /* shallow: only channels_dir differs, never freed here */
    char cache_b[PATH_MAX + 16];
    snprintf(cache_b, sizeof cache_b, "%s/host-b/.channels", f->dir);
    host_b.channels_dir = cache_b;
    const char *cache_a = f->cfg.channels_dir;
    assert_int_equal(yaa_channels_db_pull(&f->cfg, f->db, NULL, &err), 0);
    assert_int_equal(yaa_channels_db_pull(&host_b, f->db, NULL, &err), 0);
    char a_ch[PATH_MAX * 2], b_ch[PATH_MAX * 2];
    snprintf(a_ch, sizeof a_ch, "%s/kitchen", cache_a);
    snprintf(b_ch, sizeof b_ch, "%s/kitchen", cache_b);
    put(a_ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"from A\"\n");
    put(b_ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"from B\"\n");
    bool changed = false;
    int64_t rev = 0;
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, cache_a, "kitchen", "a", &rev, &changed, &err), 0);
    assert_int_equal(rev, 2);
    assert_int_equal(
        yaa_channels_db_push(&host_b, f->db, cache_b, "kitchen", "b", &rev, &changed, &err),
        YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "read the channel again"));
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_chrev cur;
    assert_int_equal(yaa_db_chfiles_current(f->db, "kitchen", &cur, &a, &err), 0);
    assert_int_equal(cur.revision, 2); /* A's edit stands */
    /* B reads again (the API does on every request), sees A's edit, repeats its own */
    assert_int_equal(yaa_channels_db_pull(&host_b, f->db, NULL, &err), 0);
    char *text = read_text(b_ch, "brand_guide.yaml");
    assert_non_null(strstr(text, "from A"));
    free(text);
    put(b_ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"from B\"\n");
    assert_int_equal(
        yaa_channels_db_push(&host_b, f->db, cache_b, "kitchen", "b", &rev, &changed, &err), 0);
    assert_int_equal(rev, 3);
    /* both create one new channel: the second finds it exists */
    char a_new[PATH_MAX * 2], b_new[PATH_MAX * 2];
    snprintf(a_new, sizeof a_new, "%s/fresh", cache_a);
    snprintf(b_new, sizeof b_new, "%s/fresh", cache_b);
    put(a_new, "config.yaml", "channel:\n  name: \"A\"\n  language: \"en\"\n");
    put(b_new, "config.yaml", "channel:\n  name: \"B\"\n  language: \"en\"\n");
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, cache_a, "fresh", "new", &rev, &changed, &err), 0);
    assert_int_equal(
        yaa_channels_db_push(&host_b, f->db, cache_b, "fresh", "new", &rev, &changed, &err),
        YAA_ECONFLICT);
    yaa_arena_free(&a);
}

/* A run keeps the revision it opened: an edit that replaces the brand guide and removes the
 * music lands while it runs, and the run's folder still holds its own revision's files; the
 * next run gets the new revision. Pins of old revisions unused for a day are removed, the
 * current one never. */
static void test_run_keeps_its_revision(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    yaa_channels_import_stats st = {0};
    assert_int_equal(yaa_channels_db_import(&f->cfg, f->db, f->src, &st, &err), 0);
    yaa_channel *run1 = NULL, *run2 = NULL;
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &run1, &err), 0);
    char src_ch[700];
    snprintf(src_ch, sizeof src_ch, "%s/kitchen", f->src);
    put(src_ch, "brand_guide.yaml", "brand:\n  name: \"Weeknight\"\n  tagline: \"second\"\n");
    char music[PATH_MAX * 2];
    snprintf(music, sizeof music, "%s/music/bgm.wav", src_ch);
    assert_int_equal(unlink(music), 0);
    int64_t rev = 0;
    bool changed = false;
    assert_int_equal(
        yaa_channels_db_push(&f->cfg, f->db, f->src, "kitchen", "edit", &rev, &changed, &err), 0);
    assert_int_equal(rev, 2);
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &run2, &err), 0);
    assert_string_equal(run2->brand.tagline, "second");
    assert_string_not_equal(run1->dir, run2->dir);
    /* run 1's folder is untouched: its music and its brand guide */
    char p[PATH_MAX * 4];
    snprintf(p, sizeof p, "%s/music/bgm.wav", run1->dir);
    assert_int_equal(access(p, R_OK), 0);
    char *text = read_text(run1->dir, "brand_guide.yaml");
    assert_non_null(strstr(text, "first"));
    free(text);
    snprintf(p, sizeof p, "%s/music/bgm.wav", run2->dir);
    assert_int_equal(access(p, F_OK), -1);
    /* a day later, unused: revision 1's pin goes at the next open, revision 2's stays */
    struct utimbuf old = {.actime = time(NULL) - 2 * 86400, .modtime = time(NULL) - 2 * 86400};
    assert_int_equal(utime(run1->dir, &old), 0);
    assert_int_equal(utime(run2->dir, &old), 0);
    yaa_channel *run3 = NULL;
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "kitchen", &run3, &err), 0);
    assert_int_equal(access(run1->dir, F_OK), -1);
    assert_int_equal(access(run2->dir, F_OK), 0);
    assert_string_equal(run3->dir, run2->dir);
    yaa_channels_free(run1);
    yaa_channels_free(run2);
    yaa_channels_free(run3);
}

static void test_unsafe_stored_path_refused(void **state) {
    fx *f = *state;
    yaa_err err = {0};
    yaa_db_chfile evil[] = {
        {.path = "config.yaml", .size = 1, .sha256 = "x", .content = "x", .content_len = 1},
        {.path = "../../escape.txt", .size = 1, .sha256 = "y", .content = "y", .content_len = 1}};
    assert_int_equal(yaa_db_chfiles_commit(f->db, "evil", "forged", 0, evil, 2, NULL, &err), 0);
    char exp[PATH_MAX + 16];
    snprintf(exp, sizeof exp, "%s/export", f->dir);
    assert_int_equal(yaa_channels_db_export(&f->cfg, f->db, "evil", 0, exp, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "unsafe path"));
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/escape.txt", f->dir);
    assert_int_equal(access(p, F_OK), -1);
    yaa_channel *ch = NULL;
    assert_int_equal(yaa_channels_open(&f->cfg, f->db, "../x", &ch, &err), YAA_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_open_edit_export_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_hosts_edit_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_keeps_its_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_stored_path_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
