/* test_text_overflow.c - cards, thumbnails and lower thirds report text that was shortened or
 * did not fit its box (media.json's text_overflow), measured by pango, and short text that fit
 * is not flagged. */
#include "test_util.h"

#include "media/media.h"
#include "lsan_fontconfig.h"

#include <stdlib.h>
#include <string.h>

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
        assert_int_equal(yaa_card_render(&look, &card, vertical, p, &err), 0);
        assert_true(ov);
        bool short_ov = false;
        yaa_card ok = {1, 4, "Sheet-pan gnocchi", "Crisp in 25 minutes", NULL, &short_ov};
        snprintf(p, sizeof p, "%s/short%d.png", dir, vertical);
        assert_int_equal(yaa_card_render(&look, &ok, vertical, p, &err), 0);
        assert_false(short_ov);
    }
    /* the thumbnail: a hook this long cannot fit three lines even at the smallest size */
    bool tov = false;
    snprintf(p, sizeof p, "%s/thumb.png", dir);
    assert_int_equal(yaa_thumbnail_render(&look, long_line, NULL, p, &tov, &err), 0);
    assert_true(tov);
    tov = false;
    assert_int_equal(yaa_thumbnail_render(&look, "Crispy gnocchi", NULL, p, &tov, &err), 0);
    assert_false(tov);
    /* the lower third: the line is shortened to 90 characters */
    bool lov = false;
    snprintf(p, sizeof p, "%s/lower.png", dir);
    assert_int_equal(yaa_lower_third_render(&look, "Gnocchi", long_line, 1200, p, &lov, &err), 0);
    assert_true(lov);
    lov = false;
    assert_int_equal(
        yaa_lower_third_render(&look, "Gnocchi", "Crisp in 25 minutes", 1200, p, &lov, &err), 0);
    assert_false(lov);
    free(long_line);
    yaa_test_rmrf(dir);
}

static void test_text_was_cut(void **state) {
    (void)state;
    const char *t = "Sheet-pan gnocchi, crisp and golden in twenty five minutes | easy dinner";
    char *s = yaa_text_shorten(t, 200);
    assert_false(yaa_text_was_cut(t, s)); /* only the SEO tail went */
    free(s);
    s = yaa_text_shorten(t, 20);
    assert_true(yaa_text_was_cut(t, s));
    free(s);
    s = yaa_text_hook("Crispy gnocchi tonight", 5);
    assert_false(yaa_text_was_cut("Crispy gnocchi tonight", s));
    free(s);
    s = yaa_text_hook("one two three four five six seven", 5);
    assert_true(yaa_text_was_cut("one two three four five six seven", s));
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_overflow),
        cmocka_unit_test(test_text_was_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
