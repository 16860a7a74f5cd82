/* test_fixtures.c - the broken channel fixtures (tests/data/channels-broken) give exactly the
 * expected file:line lines; a 10 MB file is refused before it is read; the example channels
 * and the template load as documented. */
#include "test_util.h"

#include "channels/channels.h"
#include "core/buf.h"

#include <jansson.h>
#include <sys/stat.h>

static char root[PATH_MAX];

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "%s/tests/data/channels-broken", yaa_test_source_dir());
    return 0;
}

/* Problems of channel id under root, one "file:line: msg" per line with root/ removed. */
static char *validate(const char *dir, const char *id, int want_rc) {
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    int rc = yaa_channels_validate(dir, id, &ch, &err);
    assert_int_equal(rc, want_rc);
    assert_non_null(ch);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    size_t skip = strlen(dir) + 1;
    char line[800];
    for (size_t i = 0; i < ch->n_problems; i++)
        yaa_buf_printf(&b, "%s\n", yaa_channels_problem_str(ch, i, line, sizeof line) + skip);
    yaa_channels_free(ch);
    return yaa_buf_steal(&b);
}

static void check(const char *id, const char *want) {
    char *got = validate(root, id, YAA_EINVAL);
    assert_string_equal(got, want);
    free(got);
}

static void test_wrong_type(void **state) {
    (void)state;
    check("wrong_type",
          "wrong_type/config.yaml:2: channel.name: expected a string, got a list\n"
          "wrong_type/config.yaml:5: seo.primary_keywords: expected a list of strings, got a "
          "string (write one '- item' per line, or [a, b])\n"
          "wrong_type/config.yaml:8: seo.secondary_keywords[1]: expected a string, got a map\n"
          "wrong_type/config.yaml:9: editing: expected a map, got a string\n"
          "wrong_type/brand_guide.yaml:4: brand.values: expected a list of strings, got a map "
          "(write one '- item' per line, or [a, b])\n"
          "wrong_type/brand_guide.yaml:5: tone_and_manner: expected a map, got a list\n"
          "wrong_type/brand_guide.yaml:7: competitors: expected a list of maps (channel, "
          "strengths, differentiation), got a map\n");
}

static void test_unknown_key(void **state) {
    (void)state;
    check("unknown_key",
          "unknown_key/config.yaml:3: unknown key 'chanel_id' in channel; expected one of: name, "
          "youtube_channel_id, category, language, description\n"
          "unknown_key/config.yaml:5: unknown key 'keywords' in seo; expected one of: "
          "primary_keywords, secondary_keywords\n"
          "unknown_key/config.yaml:6: unknown key 'thumbnails' at the top level; expected one "
          "of: channel, seo, editing, budget, publishing\n"
          "unknown_key/brand_guide.yaml:4: unknown key 'colour_palette' in visual_identity; did "
          "you mean 'color_palette'?\n"
          "unknown_key/brand_guide.yaml:7: unknown key 'sentence_lenght' in "
          "tone_and_manner.writing_style; did you mean 'sentence_length'?\n");
}

static void test_bad_colour(void **state) {
    (void)state;
    check("bad_colour",
          "bad_colour/brand_guide.yaml:6: visual_identity.color_palette[1]: 'blue-ish' is not a "
          "colour; expected #rrggbb, e.g. \"#1A73E8\"\n"
          "bad_colour/brand_guide.yaml:7: visual_identity.color_palette[2]: '#12345G' is not a "
          "colour; expected #rrggbb, e.g. \"#1A73E8\"\n"
          "bad_colour/brand_guide.yaml:8: visual_identity.color_palette[3] is empty; write "
          "colours quoted, e.g. \"#1A73E8\" (an unquoted # starts a comment)\n"
          "bad_colour/brand_guide.yaml:9: visual_identity.color_palette[4]: '#FFF' is not a "
          "colour; expected #rrggbb, e.g. \"#1A73E8\"\n");
}

static void test_missing_required(void **state) {
    (void)state;
    check("missing_required",
          "missing_required/config.yaml:2: missing required key 'channel.name'; expected the "
          "channel's display name\n"
          "missing_required/brand_guide.yaml:1: missing required key 'brand'; expected a map "
          "with at least brand.name\n"
          "missing_required/brand_guide.yaml:4: missing required key 'competitors[0].channel'; "
          "expected the competing channel's name\n");
}

static void test_invalid_utf8(void **state) {
    (void)state;
    check("invalid_utf8",
          "invalid_utf8/config.yaml:3: invalid UTF-8 (byte 0xe9 at column 16); save the file as "
          "UTF-8\n"
          "invalid_utf8/config.yaml:6: invalid UTF-8 (byte 0xff at column 23); save the file as "
          "UTF-8\n");
}

static void test_bad_values(void **state) {
    (void)state;
    check("bad_values",
          "bad_values/config.yaml:3: channel.youtube_channel_id: 'my-channel' is not a YouTube "
          "channel id; expected UC followed by 22 letters, digits, '-' or '_' (or leave it "
          "empty)\n"
          "bad_values/config.yaml:4: channel.language: 'Korean' is not a language tag; expected "
          "a code like ko, en or en-US\n"
          "bad_values/config.yaml:6: editing.subtitle_style: 'fancy' is not allowed; expected "
          "one of: default, soft, bold\n"
          "bad_values/config.yaml:7: editing.bgm_volume: 1.5 is out of range; expected a number "
          "from 0 to 1 (default 0.15)\n"
          "bad_values/config.yaml:9: budget.monthly_usd: -5 is out of range; expected a number "
          "from 0 to 1000000 (US dollars per calendar month)\n"
          "bad_values/config.yaml:10: budget.per_run_usd: 'cheap' is not a number; expected a "
          "number from 0 to 1000000 (US dollars per pipeline run)\n"
          "bad_values/brand_guide.yaml:4: tone_and_manner.formality: 'informal' is not allowed; "
          "expected one of: formal, semi-formal, casual\n"
          "bad_values/brand_guide.yaml:5: tone_and_manner.emotion: 'angry' is not allowed; "
          "expected one of: warm, neutral, energetic\n"
          "bad_values/brand_guide.yaml:6: tone_and_manner.humor_level: 'extreme' is not "
          "allowed; expected one of: none, light, moderate, heavy\n"
          "bad_values/brand_guide.yaml:8: tone_and_manner.writing_style.sentence_length: 'tiny' "
          "is not allowed; expected one of: short, medium, long\n"
          "bad_values/brand_guide.yaml:10: voice_design.speech_rate: 'very fast' is not "
          "allowed; expected slow, moderate, fast or a factor from 0.5 to 2.0\n"
          "bad_values/brand_guide.yaml:11: voice_design.pitch: 40 is out of range; expected "
          "low, medium, high or semitones from -12 to 12\n");
}

static void test_syntax_error(void **state) {
    (void)state;
    check("syntax_error",
          "syntax_error/config.yaml:4: YAML syntax error: found unexpected end of stream (while "
          "scanning a quoted scalar at line 2); check indentation, quotes and brackets\n"
          "syntax_error/brand_guide.yaml:3: YAML syntax error: a tab character here; indent "
          "with spaces, not tabs\n");
}

/* A 10 MB file is refused from its size alone (it is a sparse file: nothing is read). */
static void test_huge_file(void **state) {
    (void)state;
    char tmp[PATH_MAX], dir[PATH_MAX + 8], path[PATH_MAX + 32];
    yaa_test_tmpdir(tmp, sizeof tmp);
    snprintf(dir, sizeof dir, "%s/huge", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("channel:\n  name: big\n", f);
    assert_int_equal(fseek(f, 10 * 1024 * 1024 - 1, SEEK_SET), 0);
    fputc('\n', f);
    fclose(f);
    snprintf(path, sizeof path, "%s/brand_guide.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    /* a real (not sparse) file just over the cap */
    for (int i = 0; i < 1024 * 1024 / 16 + 1; i++) fputs("# padding line.\n", f);
    fclose(f);
    char *got = validate(tmp, "huge", YAA_EINVAL);
    assert_string_equal(got, "huge/config.yaml: the file is 10485760 bytes; a channel file may "
                             "be at most 1048576 bytes (1 MiB)\n"
                             "huge/brand_guide.yaml: the file is 1048592 bytes; a channel file "
                             "may be at most 1048576 bytes (1 MiB)\n");
    free(got);
    yaa_test_rmrf(tmp);
}

static yaa_channel *example(const char *id) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/channels", yaa_test_source_dir());
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    int rc = yaa_channels_load(dir, id, &ch, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return ch;
}

static void check_rich(const yaa_channel *ch) {
    assert_true(ch->has_brand_guide);
    assert_true(ch->seo.primary_keywords.n >= 5);
    assert_true(ch->seo.secondary_keywords.n >= 5);
    assert_true(ch->brand.values.n >= 3);
    assert_true(ch->target_audience.pain_points.n >= 6);
    assert_true(ch->target_audience.pain_points.n <= 8);
    assert_true(ch->target_audience.content_needs.n >= 6);
    assert_true(ch->tone_and_manner.do_rules.n >= 5);
    assert_true(ch->tone_and_manner.dont_rules.n >= 5);
    assert_true(ch->visual_identity.color_palette.n >= 3);
    assert_true(ch->n_competitors >= 2);
    assert_true(*ch->brand.tagline && *ch->brand.positioning && *ch->target_audience.primary);
    assert_true(*ch->tone_and_manner.writing_style.call_to_action);
    assert_true(*ch->voice_design.narration_style && *ch->visual_identity.thumbnail_style);
    for (size_t i = 0; i < ch->n_competitors; i++) {
        assert_true(*ch->competitors[i].channel && *ch->competitors[i].differentiation);
        assert_true(ch->competitors[i].strengths.n >= 1);
    }
}

static void test_example_ko(void **state) {
    (void)state;
    yaa_channel *ch = example("tech_review_ko");
    assert_string_equal(ch->id, "tech_review_ko");
    assert_string_equal(ch->channel.name, "솔직테크");
    assert_string_equal(ch->channel.language, "ko");
    assert_string_equal(ch->channel.category, "tech");
    assert_string_equal(ch->voice_design.language, "ko");
    assert_string_equal(ch->tone_and_manner.formality, "semi-formal");
    assert_true(ch->voice_design.speech_rate_factor > 1.0);
    assert_true(ch->budget.has_monthly_usd && ch->budget.has_per_run_usd);
    check_rich(ch);
    yaa_channels_free(ch);
}

static void test_example_en(void **state) {
    (void)state;
    yaa_channel *ch = example("home_cooking_en");
    assert_string_equal(ch->channel.name, "Weeknight Table");
    assert_string_equal(ch->channel.language, "en");
    assert_string_equal(ch->voice_design.language, "en");
    assert_string_equal(ch->tone_and_manner.formality, "casual");
    assert_string_equal(ch->editing.subtitle_style, "soft");
    check_rich(ch);
    /* the JSON view carries every section */
    json_t *j = yaa_channels_to_json(ch);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "config"), "channel"), "name")),
                        "Weeknight Table");
    json_t *tone = json_object_get(json_object_get(j, "brand_guide"), "tone_and_manner");
    assert_int_equal(json_array_size(json_object_get(tone, "do")), ch->tone_and_manner.do_rules.n);
    assert_int_equal(json_array_size(json_object_get(j, "problems")), 0);
    json_decref(j);
    j = yaa_channels_info_json(ch);
    assert_string_equal(json_string_value(json_object_get(j, "channel_id")), "home_cooking_en");
    assert_true(json_is_true(json_object_get(j, "has_brand_guide")));
    assert_string_equal(json_string_value(json_object_get(j, "language")), "en");
    json_decref(j);
    yaa_channels_free(ch);
}

/* The template is every key with empty values: its only problems are the empty names. */
static void test_template(void **state) {
    (void)state;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/channels", yaa_test_source_dir());
    char *got = validate(dir, "_template", YAA_EINVAL);
    assert_string_equal(got, "_template/config.yaml:5: channel.name is empty; expected the "
                             "channel's display name\n"
                             "_template/brand_guide.yaml:5: brand.name is empty; expected the "
                             "brand's name\n");
    free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_type),   cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_bad_colour),   cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_invalid_utf8), cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_syntax_error), cmocka_unit_test(test_huge_file),
        cmocka_unit_test(test_example_ko),   cmocka_unit_test(test_example_en),
        cmocka_unit_test(test_template),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
