/* test_registry.c - the registry on a temp CHANNELS_DIR: ids, list (what is skipped), strict
 * load, brand-guide presence, create from the template, update in place (comments kept),
 * delete by moving aside, and the config.yaml editor on awkward layouts. */
#include "test_util.h"

#include "channels/channels.h"
#include "core/buf.h"

#include <dirent.h>
#include <sys/stat.h>

static char root[PATH_MAX];

static void put(const char *rel, const char *text) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    assert_int_equal(yaa_mkdirs(path, 0755), 0);
    *slash = '/';
    assert_int_equal(yaa_write_file(path, text, strlen(text)), 0);
}

static char *get(const char *rel) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *text = NULL;
    if (yaa_read_file(path, 1 << 20, &text, NULL)) return NULL;
    return text;
}

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(root, sizeof root);
    char tpl[PATH_MAX];
    snprintf(tpl, sizeof tpl, "%s/channels/_template/config.yaml", yaa_test_source_dir());
    char *text = NULL;
    assert_int_equal(yaa_read_file(tpl, 1 << 20, &text, NULL), 0);
    put("_template/config.yaml", text);
    free(text);
    put("alpha/config.yaml", "channel:\n  name: Alpha\n  category: a\n  language: en\n");
    put("alpha/brand_guide.yaml", "brand:\n  name: Alpha\n");
    put("beta/config.yaml", "channel:\n  name: Beta\nbogus: 1\n");
    put(".hidden/config.yaml", "channel:\n  name: Hidden\n");
    put("_private/config.yaml", "channel:\n  name: Private\n");
    put("no_config/brand_guide.yaml", "brand:\n  name: x\n");
    put("bad id/config.yaml", "channel:\n  name: Spaces\n");
    put("plainfile", "x");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    yaa_test_rmrf(root);
    return 0;
}

static void test_ids(void **state) {
    (void)state;
    assert_true(yaa_channels_id_valid("tech_review_ko"));
    assert_true(yaa_channels_id_valid("A-1_b"));
    char long_id[102];
    memset(long_id, 'a', 101);
    long_id[101] = 0;
    assert_false(yaa_channels_id_valid(long_id));
    long_id[100] = 0;
    assert_true(yaa_channels_id_valid(long_id));
    const char *bad[] = {"", "..", "../etc", "a/b", "a b", "a.b", "채널", "a\n", NULL};
    for (int i = 0; bad[i]; i++) assert_false(yaa_channels_id_valid(bad[i]));
    assert_false(yaa_channels_id_valid(NULL));
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_channels_load(root, "../alpha", &ch, &err), YAA_EINVAL);
    assert_null(ch);
    assert_string_equal(err.msg,
                        "invalid channel id '../alpha': use 1-100 letters, digits, '_' or '-'");
}

static void test_list(void **state) {
    (void)state;
    yaa_channel_list list;
    yaa_err err = {0};
    assert_int_equal(yaa_channels_list(root, &list, &err), 0);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[0].id, "alpha");
    assert_string_equal(list.items[0].name, "Alpha");
    assert_string_equal(list.items[0].category, "a");
    assert_string_equal(list.items[0].language, "en");
    assert_true(list.items[0].has_brand_guide);
    assert_int_equal(list.items[0].n_problems, 0);
    assert_string_equal(list.items[1].id, "beta");
    assert_false(list.items[1].has_brand_guide);
    assert_int_equal(list.items[1].n_problems, 1);
    assert_true(strstr(list.items[1].first_problem, "beta/config.yaml:3: unknown key 'bogus'"));
    yaa_channels_list_free(&list);
    /* a missing CHANNELS_DIR is an empty list */
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/nope", root);
    assert_int_equal(yaa_channels_list(missing, &list, &err), 0);
    assert_int_equal(list.n, 0);
    yaa_channels_list_free(&list);
}

static void test_load(void **state) {
    (void)state;
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_channels_load(root, "alpha", &ch, &err), 0);
    assert_string_equal(ch->channel.name, "Alpha");
    assert_string_equal(ch->voice_design.language, "en"); /* from channel.language */
    yaa_channels_free(ch);
    assert_int_equal(yaa_channels_load(root, "beta", &ch, &err), YAA_EINVAL);
    assert_null(ch);
    assert_true(strstr(err.msg, "channel 'beta': "));
    assert_true(strstr(err.msg, "(run `yaa channels validate beta`)"));
    assert_int_equal(yaa_channels_load(root, "gamma", &ch, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_channels_load(root, "no_config", &ch, &err), YAA_ENOTFOUND);
    assert_true(yaa_channels_has_brand_guide(root, "alpha"));
    assert_false(yaa_channels_has_brand_guide(root, "beta"));
    assert_false(yaa_channels_has_brand_guide(root, "gamma"));
    assert_false(yaa_channels_has_brand_guide(root, "../alpha"));
}

static void test_create_update(void **state) {
    (void)state;
    yaa_err err = {0};
    assert_int_equal(
        yaa_channels_create(root, "new_one", "새 채널 \"quoted\"", NULL, "line1\nline2", &err), 0);
    yaa_channel *ch = NULL;
    assert_int_equal(yaa_channels_load(root, "new_one", &ch, &err), 0);
    assert_string_equal(ch->channel.name, "새 채널 \"quoted\"");
    assert_string_equal(ch->channel.category, "general");
    assert_string_equal(ch->channel.description, "line1\nline2");
    assert_false(ch->has_brand_guide);
    yaa_channels_free(ch);
    char knowledge[PATH_MAX + 32];
    snprintf(knowledge, sizeof knowledge, "%s/new_one/knowledge", root);
    struct stat st;
    assert_int_equal(stat(knowledge, &st), 0);
    /* the template's comments survive */
    char *text = get("new_one/config.yaml");
    assert_non_null(text);
    assert_non_null(strstr(text, "# display name (required, 1-200 characters)"));
    free(text);

    assert_int_equal(yaa_channels_create(root, "new_one", "x", NULL, NULL, &err), YAA_EEXIST);
    assert_string_equal(err.msg, "channel 'new_one' already exists");
    assert_int_equal(yaa_channels_create(root, "bad/id", "x", NULL, NULL, &err), YAA_EINVAL);
    assert_int_equal(yaa_channels_create(root, "x1", "", NULL, NULL, &err), YAA_EINVAL);
    assert_string_equal(err.msg, "name must be 1 to 200 characters (got 0)");
    char cat[60];
    memset(cat, 'c', 51);
    cat[51] = 0;
    assert_int_equal(yaa_channels_create(root, "x1", "n", cat, NULL, &err), YAA_EINVAL);
    assert_string_equal(err.msg, "category must be 0 to 50 characters (got 51)");

    assert_int_equal(yaa_channels_update(root, "new_one", NULL, "food", NULL, &err), 0);
    assert_int_equal(yaa_channels_load(root, "new_one", &ch, &err), 0);
    assert_string_equal(ch->channel.category, "food");
    assert_string_equal(ch->channel.name, "새 채널 \"quoted\"");
    yaa_channels_free(ch);
    assert_int_equal(yaa_channels_update(root, "new_one", NULL, NULL, NULL, &err), YAA_EINVAL);
    assert_int_equal(yaa_channels_update(root, "gamma", "x", NULL, NULL, &err), YAA_ENOTFOUND);
    /* update adds a key the file does not have */
    assert_int_equal(yaa_channels_update(root, "alpha", "Alpha 2", NULL, "desc", &err), 0);
    text = get("alpha/config.yaml");
    assert_string_equal(text, "channel:\n  name: \"Alpha 2\"\n  category: a\n  language: en\n"
                              "  description: \"desc\"\n");
    free(text);
}

static void test_create_without_template(void **state) {
    (void)state;
    char tmp[PATH_MAX];
    yaa_test_tmpdir(tmp, sizeof tmp);
    yaa_err err = {0};
    assert_int_equal(yaa_channels_create(tmp, "c", "n", NULL, NULL, &err), YAA_ENOTFOUND);
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s/c", tmp);
    struct stat st;
    assert_int_not_equal(stat(dir, &st), 0); /* nothing half-made */
    yaa_test_rmrf(tmp);
}

static void test_delete(void **state) {
    (void)state;
    put("doomed/config.yaml", "channel:\n  name: Doomed\n");
    put("doomed/knowledge/note.md", "keep me");
    yaa_err err = {0};
    char moved[PATH_MAX];
    assert_int_equal(yaa_channels_delete(root, "doomed", moved, sizeof moved, &err), 0);
    char prefix[PATH_MAX + 32];
    snprintf(prefix, sizeof prefix, "%s/.deleted/doomed-", root);
    assert_true(strncmp(moved, prefix, strlen(prefix)) == 0);
    char note[PATH_MAX * 2];
    snprintf(note, sizeof note, "%s/knowledge/note.md", moved);
    struct stat st;
    assert_int_equal(stat(note, &st), 0); /* the files are kept */
    assert_false(yaa_channels_has_brand_guide(root, "doomed"));
    assert_int_equal(yaa_channels_delete(root, "doomed", NULL, 0, &err), YAA_ENOTFOUND);
    /* deleting again in the same second gets its own folder */
    put("doomed/config.yaml", "channel:\n  name: Doomed\n");
    char moved2[PATH_MAX];
    assert_int_equal(yaa_channels_delete(root, "doomed", moved2, sizeof moved2, &err), 0);
    assert_string_not_equal(moved, moved2);
    assert_int_equal(yaa_channels_delete(root, "..", NULL, 0, &err), YAA_EINVAL);
    /* .deleted is not a channel */
    yaa_channel_list list;
    assert_int_equal(yaa_channels_list(root, &list, &err), 0);
    for (size_t i = 0; i < list.n; i++) assert_string_not_equal(list.items[i].id, "doomed");
    yaa_channels_list_free(&list);
}

static void edit_ok(const char *in, const char *name, const char *cat, const char *desc,
                    const char *want) {
    char *out = NULL;
    yaa_err err = {0};
    int rc = yaa_channels_config_edit(in, strlen(in), name, cat, desc, &out, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    free(out);
}

static void test_edit(void **state) {
    (void)state;
    /* values replaced in place, comments kept */
    edit_ok("# head\nchannel:\n  name: old   # the name\n  category: 'x'\nseo: {}\n", "new", "c\"q",
            NULL,
            "# head\nchannel:\n  name: \"new\"   # the name\n  category: \"c\\\"q\"\nseo: {}\n");
    /* an empty value gets one after its colon */
    edit_ok("channel:\n  name:\n  category: x\n", "n", NULL, NULL,
            "channel:\n  name: \"n\"\n  category: x\n");
    /* a missing key goes after the last entry, past its comment */
    edit_ok("channel:\n  name: a  # c\nseo:\n  primary_keywords: []\n", NULL, NULL, "d",
            "channel:\n  name: a  # c\n  description: \"d\"\nseo:\n  primary_keywords: []\n");
    /* a file without a newline at the end */
    edit_ok("channel:\n    name: a", NULL, "b", NULL,
            "channel:\n    name: a\n    category: \"b\"\n");
    /* no channel map at all */
    edit_ok("seo: {}\n", "n", NULL, NULL, "seo: {}\nchannel:\n  name: \"n\"\n");
    edit_ok("", "n", NULL, NULL, "channel:\n  name: \"n\"\n");
    edit_ok("~\n", "n", NULL, NULL, "channel:\n  name: \"n\"\n");
    edit_ok("# c\n  seo: {}\n# end\n", "n", NULL, NULL,
            "# c\n  seo: {}\n  channel:\n    name: \"n\"\n# end\n");
    /* block scalars and flow maps */
    edit_ok("channel:\n  name: |\n    multi\n    line\nseo: {}\n", NULL, NULL, "d",
            "channel:\n  name: |\n    multi\n    line\n  description: \"d\"\nseo: {}\n");
    /* a block list or map value: its span ends at its last item, not at the next key */
    edit_ok("channel:\n  name:\n    - a\n    - b\n# c\nseo: {}\n", "N", "C", NULL,
            "channel:\n  name:\n    \"N\"\n  category: \"C\"\n# c\nseo: {}\n");
    edit_ok("channel:\n  name: >\n    folded\n\n\nseo: {}\n", "N", "C", NULL,
            "channel:\n  name: \"N\"\n  category: \"C\"\n\n\nseo: {}\n");
    edit_ok("channel: {name: a, category: b}\n", "x", NULL, NULL,
            "channel: {name: \"x\", category: b}\n");
    /* Hangul before the value on the same line: columns are characters, not bytes */
    edit_ok("channel:\n  name: 채널  # 이름\n", "새", NULL, NULL,
            "channel:\n  name: \"새\"  # 이름\n");
    char *out = NULL;
    yaa_err err = {0};
    const char *flow = "channel: {name: a}\n";
    assert_int_equal(yaa_channels_config_edit(flow, strlen(flow), NULL, "c", NULL, &out, &err),
                     YAA_EINVAL);
    assert_null(out);
    const char *broken = "channel:\n  name: [a\n";
    assert_int_equal(yaa_channels_config_edit(broken, strlen(broken), "x", NULL, NULL, &out, &err),
                     YAA_EINVAL);
    assert_true(strstr(err.msg, "cannot edit config.yaml: config.yaml:3: YAML syntax error"));
    const char *list = "- a\n";
    assert_int_equal(yaa_channels_config_edit(list, strlen(list), "x", NULL, NULL, &out, &err),
                     YAA_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_create_update),
        cmocka_unit_test(test_create_without_template),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_edit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
