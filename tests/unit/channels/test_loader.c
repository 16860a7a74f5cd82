/* test_loader.c - the channel file loader on in-memory text: every field lands in the struct,
 * defaults, and each kind of problem with its exact line and message. */
#include "test_util.h"

#include "channels/channels.h"
#include "core/buf.h"

/* Every problem of ch as "line: msg" lines (file names left out). */
static char *problems(const yaa_channel *ch) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    for (size_t i = 0; i < ch->n_problems; i++)
        yaa_buf_printf(&b, "%d: %s\n", ch->problems[i].line, ch->problems[i].msg);
    return yaa_buf_steal(&b);
}

static yaa_channel *parse(yaa_channel_file kind, const char *text, int want_rc) {
    yaa_channel *ch = yaa_channels_new("t", "/tmp/t");
    assert_non_null(ch);
    int rc = yaa_channels_parse(ch, kind, "f.yaml", text, strlen(text));
    if (rc != want_rc) {
        char *p = problems(ch);
        fprintf(stderr, "rc %d, problems:\n%s", rc, p);
        free(p);
    }
    assert_int_equal(rc, want_rc);
    return ch;
}

static void expect(yaa_channel_file kind, const char *text, const char *want) {
    yaa_channel *ch = parse(kind, text, *want ? YAA_EINVAL : 0);
    char *got = problems(ch);
    assert_string_equal(got, want);
    free(got);
    yaa_channels_free(ch);
}

static void test_full_config(void **state) {
    (void)state;
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG,
                            "channel:\n"
                            "  name: \"My Channel\"\n"
                            "  youtube_channel_id: UCabcdefghijklmnopqrstuv\n"
                            "  category: tech\n"
                            "  language: en-US\n"
                            "  description: about\n"
                            "seo:\n"
                            "  primary_keywords: [a, \"b c\"]\n"
                            "  secondary_keywords:\n"
                            "    - x\n"
                            "    -\n"
                            "    - y\n"
                            "editing:\n"
                            "  intro_template: intro.mp4\n"
                            "  outro_template: ''\n"
                            "  subtitle_style: bold\n"
                            "  bgm_volume: 0.3\n"
                            "budget:\n"
                            "  monthly_usd: 25\n",
                            0);
    assert_string_equal(ch->channel.name, "My Channel");
    assert_string_equal(ch->channel.youtube_channel_id, "UCabcdefghijklmnopqrstuv");
    assert_string_equal(ch->channel.category, "tech");
    assert_string_equal(ch->channel.language, "en-US");
    assert_string_equal(ch->channel.description, "about");
    assert_int_equal(ch->seo.primary_keywords.n, 2);
    assert_string_equal(ch->seo.primary_keywords.items[1], "b c");
    assert_int_equal(ch->seo.secondary_keywords.n, 2); /* the empty item is dropped */
    assert_string_equal(ch->seo.secondary_keywords.items[1], "y");
    assert_string_equal(ch->editing.intro_template, "intro.mp4");
    assert_string_equal(ch->editing.outro_template, "");
    assert_string_equal(ch->editing.subtitle_style, "bold");
    assert_true(ch->editing.bgm_volume > 0.29 && ch->editing.bgm_volume < 0.31);
    assert_true(ch->budget.has_monthly_usd);
    assert_false(ch->budget.has_per_run_usd);
    assert_true(ch->budget.monthly_usd == 25.0);
    assert_false(ch->has_brand_guide);
    yaa_channels_free(ch);
}

static void test_defaults(void **state) {
    (void)state;
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG, "channel:\n  name: x\n  category:\n", 0);
    assert_string_equal(ch->channel.category, "");
    assert_string_equal(ch->channel.language, "ko");
    assert_string_equal(ch->channel.youtube_channel_id, "");
    assert_string_equal(ch->editing.subtitle_style, "default");
    assert_true(ch->editing.bgm_volume == 0.15);
    assert_int_equal(ch->seo.primary_keywords.n, 0);
    assert_null(ch->seo.primary_keywords.items);
    assert_string_equal(ch->tone_and_manner.formality, "semi-formal");
    assert_string_equal(ch->tone_and_manner.emotion, "neutral");
    assert_string_equal(ch->tone_and_manner.humor_level, "none");
    assert_string_equal(ch->tone_and_manner.writing_style.sentence_length, "medium");
    assert_string_equal(ch->voice_design.speech_rate, "moderate");
    assert_true(ch->voice_design.speech_rate_factor == 1.0);
    assert_true(ch->voice_design.pitch_semitones == 0.0);
    assert_int_equal(ch->n_competitors, 0);
    yaa_channels_free(ch);
}

static void test_full_brand_guide(void **state) {
    (void)state;
    yaa_channel *ch = parse(YAA_CHANNEL_BRAND_GUIDE,
                            "brand:\n"
                            "  name: 브랜드\n"
                            "  tagline: t\n"
                            "  positioning: p\n"
                            "  values: [v1, v2]\n"
                            "target_audience:\n"
                            "  primary: people\n"
                            "  pain_points: [p1]\n"
                            "  content_needs: [n1, n2, n3]\n"
                            "tone_and_manner:\n"
                            "  personality: calm\n"
                            "  formality: formal\n"
                            "  emotion: warm\n"
                            "  humor_level: heavy\n"
                            "  writing_style:\n"
                            "    sentence_length: long\n"
                            "    vocabulary: plain\n"
                            "    call_to_action: subscribe\n"
                            "  do: [d1, d2]\n"
                            "  dont_rules: [n1]\n"
                            "voice_design:\n"
                            "  narration_style: slow\n"
                            "  elevenlabs_voice_id: abc\n"
                            "  speech_rate: 1.3\n"
                            "  pitch: low\n"
                            "  language: ko\n"
                            "  reference_samples: [a.wav]\n"
                            "visual_identity:\n"
                            "  color_palette: [\"#000000\", \"#abcDEF\"]\n"
                            "  thumbnail_style: big\n"
                            "  font_preference: Noto\n"
                            "competitors:\n"
                            "  - channel: A\n"
                            "    strengths: [s1, s2]\n"
                            "    differentiation: d\n"
                            "  - channel: B\n",
                            0);
    assert_true(ch->has_brand_guide);
    assert_string_equal(ch->brand.name, "브랜드");
    assert_int_equal(ch->brand.values.n, 2);
    assert_int_equal(ch->target_audience.content_needs.n, 3);
    assert_string_equal(ch->tone_and_manner.formality, "formal");
    assert_string_equal(ch->tone_and_manner.humor_level, "heavy");
    assert_string_equal(ch->tone_and_manner.writing_style.call_to_action, "subscribe");
    assert_int_equal(ch->tone_and_manner.do_rules.n, 2);
    assert_int_equal(ch->tone_and_manner.dont_rules.n, 1);
    assert_string_equal(ch->voice_design.speech_rate, "1.3");
    assert_true(ch->voice_design.speech_rate_factor == 1.3);
    assert_string_equal(ch->voice_design.pitch, "low");
    assert_true(ch->voice_design.pitch_semitones == -3.0);
    assert_string_equal(ch->visual_identity.color_palette.items[1], "#abcDEF");
    assert_int_equal(ch->n_competitors, 2);
    assert_string_equal(ch->competitors[0].strengths.items[1], "s2");
    assert_string_equal(ch->competitors[1].channel, "B");
    assert_string_equal(ch->competitors[1].differentiation, "");
    assert_int_equal(ch->competitors[1].strengths.n, 0);
    yaa_channels_free(ch);
}

static void test_wrong_types(void **state) {
    (void)state;
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: {a: b}\nseo: [x]\nediting:\n  bgm_volume: [1]\n",
           "2: channel.name: expected a string, got a map\n"
           "3: seo: expected a map, got a list\n"
           "5: editing.bgm_volume: expected a number from 0 to 1 (default 0.15), got a list\n");
    expect(YAA_CHANNEL_BRAND_GUIDE, "brand:\n  name: x\n  values: one\n",
           "3: brand.values: expected a list of strings, got a string (write one '- item' per "
           "line, or [a, b])\n");
}

static void test_unknown_and_duplicate(void **state) {
    (void)state;
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\n  nmae: y\n  name: z\nseo:\n  foo: 1\n",
           "3: unknown key 'nmae' in channel; did you mean 'name'?\n"
           "4: duplicate key 'channel.name' (first at line 2); keep one\n"
           "6: unknown key 'foo' in seo; expected one of: primary_keywords, secondary_keywords\n");
    /* do and its alias do_rules name the same field */
    expect(YAA_CHANNEL_BRAND_GUIDE,
           "brand:\n  name: x\ntone_and_manner:\n  do: [a]\n  do_rules: [b]\n",
           "5: duplicate key 'tone_and_manner.do' (first at line 4); keep one\n");
}

static void test_values(void **state) {
    (void)state;
    expect(YAA_CHANNEL_CONFIG,
           "channel:\n  name: x\n  language: en_us_x_toolong\nediting:\n  bgm_volume: -0.1\n",
           "3: channel.language: 'en_us_x_toolong' is not a language tag; expected a code like ko, "
           "en or en-US\n"
           "5: editing.bgm_volume: -0.1 is out of range; expected a number from 0 to 1 (default "
           "0.15)\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nediting:\n  bgm_volume: 0x1p-2\n",
           "4: editing.bgm_volume: '0x1p-2' is not a number; expected a number from 0 to 1 "
           "(default 0.15)\n");
    expect(YAA_CHANNEL_BRAND_GUIDE,
           "brand:\n  name: x\nvoice_design:\n  speech_rate: 3\n  pitch: -12\n",
           "4: voice_design.speech_rate: 3 is out of range; expected slow, moderate, fast or a "
           "factor from 0.5 to 2.0\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nbudget:\n  per_run_usd: 5\n  monthly_usd: 2\n",
           "4: budget.per_run_usd (5) is more than budget.monthly_usd (2); a run could never "
           "spend it\n");
    /* boundaries are inclusive */
    yaa_channel *ch =
        parse(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nediting:\n  bgm_volume: 1\n", 0);
    assert_true(ch->editing.bgm_volume == 1.0);
    yaa_channels_free(ch);
}

static void test_lengths(void **state) {
    (void)state;
    char text[1200];
    char cat[64];
    memset(cat, 'c', 51);
    cat[51] = 0;
    snprintf(text, sizeof text, "channel:\n  name: x\n  category: %s\n", cat);
    expect(YAA_CHANNEL_CONFIG, text,
           "3: channel.category is 51 characters long; expected at most 50\n");
    /* 50 Hangul syllables are 50 characters, not 150 */
    yaa_buf b;
    yaa_buf_init(&b, 0);
    yaa_buf_puts(&b, "channel:\n  name: x\n  category: ");
    for (int i = 0; i < 50; i++) yaa_buf_puts(&b, "가");
    yaa_buf_puts(&b, "\n");
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG, yaa_buf_cstr(&b), 0);
    yaa_channels_free(ch);
    yaa_buf_free(&b);
}

static void test_required(void **state) {
    (void)state;
    expect(YAA_CHANNEL_CONFIG, "seo:\n  primary_keywords: []\n",
           "1: missing required key 'channel'; expected a map with at least channel.name\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: \"\"\n",
           "2: channel.name is empty; expected the channel's display name\n");
    expect(YAA_CHANNEL_CONFIG, "seo: {}\nchannel:\n  name:\n",
           "3: channel.name is empty; expected the channel's display name\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n",
           "1: channel is empty; expected a map with at least channel.name\n");
    expect(YAA_CHANNEL_CONFIG, "",
           "1: the file is empty; expected a map with the keys channel, "
           "seo, editing, budget, publishing\n");
    expect(YAA_CHANNEL_CONFIG, "# only a comment\n",
           "1: the file is empty; expected a map with the keys channel, seo, editing, budget, "
           "publishing\n");
}

static void test_syntax(void **state) {
    (void)state;
    /* a syntax error does not add "missing" noise for what could not be read */
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nseo:\n  primary_keywords: [a, b\n",
           "5: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence "
           "at line 4); check indentation, quotes and brackets\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\n bad: indent\n",
           "3: YAML syntax error: did not find expected key (while parsing a block mapping at "
           "line 1); check indentation, quotes and brackets\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nseo: *anchor\n",
           "3: alias '*anchor' is not supported in channel files; write the value out in full\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: x\n---\nchannel:\n  name: y\n",
           "3: a second YAML document starts here; a channel file holds exactly one (remove the "
           "'---' line)\n");
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: \"a\x01\"\n",
           "2: YAML syntax error: control character 0x01 is not allowed; remove it\n");
}

static void test_utf8(void **state) {
    (void)state;
    /* every bad line is reported, and the rest of the file is still checked */
    expect(YAA_CHANNEL_CONFIG,
           "channel:\n  name: \"\xc3\x28\"\n  category: ok\n  bogus: \"\xed\xa0\x80\"\n",
           "2: invalid UTF-8 (byte 0xc3 at column 10); save the file as UTF-8\n"
           "4: invalid UTF-8 (byte 0xed at column 11); save the file as UTF-8\n"
           "4: unknown key 'bogus' in channel; expected one of: name, youtube_channel_id, "
           "category, language, description\n");
    /* overlong encodings and a UTF-8 byte order mark */
    expect(YAA_CHANNEL_CONFIG, "channel:\n  name: \"\xc0\xaf\"\n",
           "2: invalid UTF-8 (byte 0xc0 at column 10); save the file as UTF-8\n");
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG,
                            "\xEF\xBB\xBF"
                            "channel:\n  name: 채널\n",
                            0);
    assert_string_equal(ch->channel.name, "채널");
    yaa_channels_free(ch);
}

static void test_problem_cap(void **state) {
    (void)state;
    yaa_buf b;
    yaa_buf_init(&b, 0);
    yaa_buf_puts(&b, "channel:\n  name: x\n");
    for (int i = 0; i < 150; i++) yaa_buf_printf(&b, "k%d: 1\n", i);
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG, yaa_buf_cstr(&b), YAA_EINVAL);
    assert_int_equal(ch->n_problems, YAA_CHANNEL_PROBLEMS_MAX + 1);
    /* the closing line comes last */
    assert_int_equal(ch->problems[YAA_CHANNEL_PROBLEMS_MAX].line, 0);
    assert_int_equal(ch->problems[0].line, 3);
    assert_string_equal(ch->problems[YAA_CHANNEL_PROBLEMS_MAX].msg,
                        "50 more problems not shown; fix the ones above first");
    yaa_channels_free(ch);
    yaa_buf_free(&b);
}

static void test_deep_and_garbage(void **state) {
    (void)state;
    yaa_buf b;
    yaa_buf_init(&b, 0);
    for (int i = 0; i < 200; i++) yaa_buf_putc(&b, '[');
    yaa_channel *ch = yaa_channels_new("t", "");
    assert_int_equal(yaa_channels_parse(ch, YAA_CHANNEL_CONFIG, "f", b.data, b.len), YAA_EINVAL);
    assert_true(ch->n_problems >= 1);
    yaa_channels_free(ch);
    yaa_buf_free(&b);
    const char *bad[] = {"\0\0\0",     "{",
                         "]",          "- - - -",
                         ": :",        "? [a]\n: b\n",
                         "!!binary x", "channel: !!map {name: x}",
                         "&a [*a]",    "'",
                         "\"\\x\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ch = yaa_channels_new("t", "");
        size_t n = i == 0 ? 3 : strlen(bad[i]);
        yaa_channels_parse(ch, YAA_CHANNEL_CONFIG, "f", bad[i], n);
        yaa_channels_parse(ch, YAA_CHANNEL_BRAND_GUIDE, "g", bad[i], n);
        yaa_channels_free(ch);
    }
}

static void test_problem_str(void **state) {
    (void)state;
    yaa_channel *ch = parse(YAA_CHANNEL_CONFIG, "channel:\n  name: x\nfoo: 1\n", YAA_EINVAL);
    char buf[256];
    assert_string_equal(yaa_channels_problem_str(ch, 0, buf, sizeof buf),
                        "f.yaml:3: unknown key 'foo' at the top level; expected one of: "
                        "channel, seo, editing, budget, publishing");
    assert_string_equal(yaa_channels_problem_str(ch, 5, buf, sizeof buf), "");
    yaa_channels_free(ch);
    assert_true(yaa_channels_color_valid("#A1b2C3"));
    assert_false(yaa_channels_color_valid("#A1b2C"));
    assert_false(yaa_channels_color_valid("A1b2C3f"));
    assert_false(yaa_channels_color_valid(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full_brand_guide),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_unknown_and_duplicate),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_problem_cap),
        cmocka_unit_test(test_deep_and_garbage),
        cmocka_unit_test(test_problem_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
