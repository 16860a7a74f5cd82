/* test_text_overflow.c - cards, thumbnails and lower thirds report text that was shortened or
 * did not fit its box (media.json's text_overflow), measured by pango, and short text that fit
 * is not flagged; a Short's topic banner loses whole words only, never half of one. */
#include "test_util.h"

#include "media/media.h"
#include "lsan_fontconfig.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const PALETTE[] = {"#1B2A41", "#F2A541", "#FFFFFF"};

/* A key line far longer than five lines at the smallest size: pango must ellipsize it. */
static char *very_long_line(void) {
    const char *w = "Roast the gnocchi on a hot sheet pan until every side is crisp and golden ";
    size_t n = strlen(w) * 60 + 1;
    char *s = malloc(n);
    assert_non_null(s);
    s[0] = 0;
    for (int i = 0; i < 60; i++) strcat(s, w);
    return s;
}

static void test_card_overflow(void **state) {
    (void)state;
    char dir[PATH_MAX], p[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_brand_look look = {PALETTE, 3, "DejaVu Sans", "Home Cooking"};
    yaa_err err = {0};
    char *long_line = very_long_line();
    for (int vertical = 0; vertical < 2; vertical++) {
        bool ov = false;
        yaa_card card = {1, 4, "Sheet-pan gnocchi", long_line, NULL, &ov};
        snprintf(p, sizeof p, "%s/long%d.png", dir, vertical);
        assert_int_equal(yaa_media_card_render(&look, &card, vertical, p, &err), 0);
        assert_true(ov);
        bool short_ov = false;
        yaa_card ok = {1, 4, "Sheet-pan gnocchi", "Crisp in 25 minutes", NULL, &short_ov};
        snprintf(p, sizeof p, "%s/short%d.png", dir, vertical);
        assert_int_equal(yaa_media_card_render(&look, &ok, vertical, p, &err), 0);
        assert_false(short_ov);
    }
    /* the thumbnail: a hook this long cannot fit three lines even at the smallest size */
    bool tov = false;
    snprintf(p, sizeof p, "%s/thumb.png", dir);
    assert_int_equal(yaa_media_thumbnail_render(&look, long_line, NULL, p, &tov, &err), 0);
    assert_true(tov);
    tov = false;
    assert_int_equal(yaa_media_thumbnail_render(&look, "Crispy gnocchi", NULL, p, &tov, &err), 0);
    assert_false(tov);
    /* the lower third: the line is shortened to 90 characters */
    bool lov = false;
    snprintf(p, sizeof p, "%s/lower.png", dir);
    assert_int_equal(yaa_media_lower_third_render(&look, "Gnocchi", long_line, 1200, p, &lov, &err),
                     0);
    assert_true(lov);
    lov = false;
    assert_int_equal(
        yaa_media_lower_third_render(&look, "Gnocchi", "Crisp in 25 minutes", 1200, p, &lov, &err),
        0);
    assert_false(lov);
    free(long_line);
    yaa_test_rmrf(dir);
}

static void test_text_was_cut(void **state) {
    (void)state;
    const char *t = "Sheet-pan gnocchi, crisp and golden in twenty five minutes | easy dinner";
    char *s = yaa_media_text_shorten(t, 200);
    assert_false(yaa_media_text_was_cut(t, s)); /* only the SEO tail went */
    free(s);
    s = yaa_media_text_shorten(t, 20);
    assert_true(yaa_media_text_was_cut(t, s));
    free(s);
    s = yaa_media_text_hook("Crispy gnocchi tonight", 5);
    assert_false(yaa_media_text_was_cut("Crispy gnocchi tonight", s));
    free(s);
    s = yaa_media_text_hook("one two three four five six seven", 5);
    assert_true(yaa_media_text_was_cut("one two three four five six seven", s));
    free(s);
}

/* shown is topic's beginning, cut where a word ends (a space or punctuation follows). */
static void assert_word_prefix(const char *topic, const char *shown) {
    size_t n = strlen(shown);
    assert_true(n > 0);
    assert_int_equal(strncmp(topic, shown, n), 0);
    assert_non_null(strchr(" ,;:.!?-", topic[n]));
}

static void test_banner_cut_at_word_boundaries(void **state) {
    (void)state;
    char dir[PATH_MAX], p[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/banner.png", dir);
    yaa_brand_look look = {PALETTE, 3, NULL, "Home Cooking"};
    yaa_err err = {0};
    static const char *const LONG[] = {
        "How to cook a whole week of healthy family dinners on a tight budget without spending "
        "your entire Sunday in the kitchen",
        "2026년 가성비 무선 이어폰 비교: 10만원 이하 제품 열두 가지를 한 달 동안 직접 써 보고 "
        "음질, 배터리, 통화 품질, 착용감까지 꼼꼼하게 정리했습니다",
        /* wide capitals: 60 characters need three lines, so fewer words are shown */
        "WWWWWWWWWWWWWWWWWWW MMMMMMMMMMMMMMMMMMM WWWWWWWWWWWWWWWWWWW MMMM"};
    for (size_t i = 0; i < sizeof LONG / sizeof *LONG; i++) {
        char *shown = NULL;
        bool ov = false;
        assert_int_equal(yaa_media_banner_render(&look, LONG[i], 990, p, &shown, &ov, &err), 0);
        assert_true(ov);
        assert_true(yaa_utf8_len(shown) <= 60);
        assert_word_prefix(LONG[i], shown);
        assert_int_equal(access(p, R_OK), 0);
        bool again = false; /* what is shown fits: pango did not ellipsize it */
        assert_int_equal(yaa_media_lower_third_render(&look, shown, NULL, 990, p, &again, &err), 0);
        assert_false(again);
        char *sixty = yaa_media_text_shorten(LONG[i], 60);
        if (i == 2) assert_true(strlen(shown) < strlen(sixty));
        free(sixty);
        free(shown);
    }
    char *shown = NULL;
    bool ov = false;
    assert_int_equal(
        yaa_media_banner_render(&look, "무선 이어폰 비교 | 가성비", 990, p, &shown, &ov, &err), 0);
    assert_false(ov); /* only the SEO tail went */
    assert_string_equal(shown, "무선 이어폰 비교");
    free(shown);
    assert_int_equal(yaa_media_banner_render(&look, "", 990, p, NULL, NULL, &err), YAA_EINVAL);
    /* one word wider than the line: pango would wrap inside it, which counts as overflow */
    ov = false;
    assert_int_equal(yaa_media_lower_third_render(&look,
                                                  "Rindfleischetikettierungsueberwachungsaufgaben"
                                                  "uebertragungsgesetz",
                                                  NULL, 990, p, &ov, &err),
                     0);
    assert_true(ov);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_overflow),
        cmocka_unit_test(test_text_was_cut),
        cmocka_unit_test(test_banner_cut_at_word_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
