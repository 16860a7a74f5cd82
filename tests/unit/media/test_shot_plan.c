/* test_shot_plan.c - the picture track a run renders (yaa_media_shot_plan, shared by the
 * media_editor stage and bench/media): the title card opens over the first section for at most
 * 3 s and 40 % of it, a last section with footage or a photo closes on its card for at most 4 s
 * and 40 %, a picture that cannot be read falls back to the section's card, and the shots
 * always fill the narration exactly. */
#include "test_util.h"

#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/yaa-shot-plan-XXXXXX";
static char clip[256], photo[256], title[256], card1[256], card2[256], card3[256];

static void touch(char *path, const char *name) {
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    touch(clip, "clip.mp4");
    touch(photo, "photo.jpg");
    touch(title, "00.title.png");
    touch(card1, "01.png");
    touch(card2, "02.png");
    touch(card3, "03.png");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *files[] = {clip, photo, title, card1, card2, card3};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) unlink(files[i]);
    rmdir(dir);
    return 0;
}

static double total(const yaa_shot *s, size_t n) {
    double t = 0;
    for (size_t i = 0; i < n; i++) t += s[i].duration;
    return t;
}

static void test_title_opens_and_footage_closes_on_its_card(void **state) {
    (void)state;
    const yaa_shot_section sec[] = {
        {YAA_SHOT_FOOTAGE, clip, card1, 10.0, "01.lower.png", 25},
        {YAA_SHOT_CARD, card2, card2, 5.0, "unused.png", 30},
        {YAA_SHOT_PHOTO, photo, card3, 20.0, "03.lower.png", 0},
    };
    yaa_shot shots[5];
    size_t n = yaa_media_shot_plan(sec, 3, title, shots);
    assert_int_equal(n, 5);
    assert_int_equal(shots[0].kind, YAA_SHOT_CARD); /* title: min(3 s, 40 % of 10 s) */
    assert_string_equal(shots[0].path, title);
    assert_true(shots[0].duration == 3.0);
    assert_int_equal(shots[1].kind, YAA_SHOT_FOOTAGE);
    assert_true(shots[1].duration == 7.0);
    assert_string_equal(shots[1].overlay_png, "01.lower.png");
    assert_true(shots[1].fps == 25);
    assert_int_equal(shots[2].kind, YAA_SHOT_CARD); /* a card carries no lower third */
    assert_null(shots[2].overlay_png);
    assert_true(shots[2].fps == 0);
    assert_int_equal(shots[3].kind, YAA_SHOT_PHOTO);
    assert_true(shots[3].duration == 16.0);
    assert_int_equal(shots[4].kind, YAA_SHOT_CARD); /* closing: min(4 s, 40 % of 20 s) */
    assert_string_equal(shots[4].path, card3);
    assert_true(shots[4].duration == 4.0);
    assert_true(total(shots, n) == 35.0);
}

static void test_short_sections_share_by_forty_percent(void **state) {
    (void)state;
    const yaa_shot_section sec[] = {
        {YAA_SHOT_FOOTAGE, clip, card1, 5.0, NULL, 30},
        {YAA_SHOT_FOOTAGE, clip, card2, 5.0, NULL, 30},
    };
    yaa_shot shots[4];
    size_t n = yaa_media_shot_plan(sec, 2, title, shots);
    assert_int_equal(n, 4);
    assert_true(shots[0].duration == 2.0 && shots[1].duration == 3.0);
    assert_true(shots[2].duration == 3.0 && shots[3].duration == 2.0);
    assert_string_equal(shots[3].path, card2);
}

static void test_missing_pictures_fall_back_to_cards(void **state) {
    (void)state;
    const yaa_shot_section sec[] = {
        {YAA_SHOT_FOOTAGE, "/nonexistent/clip.mp4", card1, 6.0, "01.lower.png", 30},
        {YAA_SHOT_PHOTO, NULL, card2, 6.0, "02.lower.png", 0},
    };
    yaa_shot shots[4];
    /* no title card either: nothing opens, and a card section needs no closing card */
    size_t n = yaa_media_shot_plan(sec, 2, "/nonexistent/00.title.png", shots);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(shots[i].kind, YAA_SHOT_CARD);
        assert_null(shots[i].overlay_png);
        assert_true(shots[i].duration == 6.0);
    }
    assert_string_equal(shots[0].path, card1);
    assert_string_equal(shots[1].path, card2);
}

static void test_one_section_has_no_closing_shot(void **state) {
    (void)state;
    const yaa_shot_section sec[] = {{YAA_SHOT_FOOTAGE, clip, card1, 12.0, NULL, 30}};
    yaa_shot shots[3];
    size_t n = yaa_media_shot_plan(sec, 1, title, shots);
    assert_int_equal(n, 2);
    assert_string_equal(shots[0].path, title);
    assert_int_equal(shots[1].kind, YAA_SHOT_FOOTAGE);
    assert_true(total(shots, n) == 12.0);
    assert_int_equal(yaa_media_shot_plan(NULL, 0, title, shots), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_opens_and_footage_closes_on_its_card),
        cmocka_unit_test(test_short_sections_share_by_forty_percent),
        cmocka_unit_test(test_missing_pictures_fall_back_to_cards),
        cmocka_unit_test(test_one_section_has_no_closing_shot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
