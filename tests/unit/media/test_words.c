/* test_words.c - word timings (syllable spread, engine marks), captions built from them (SRT
 * and the word-highlighted ASS) and words.json round trips. */
#include "test_util.h"

#include "core/buf.h"
#include "media/audio.h"

#include <math.h>

static void test_syllables(void **state) {
    (void)state;
    assert_int_equal(yaa_media_words_syllables("cat"), 1);
    assert_int_equal(yaa_media_words_syllables("pasta,"), 2);
    assert_int_equal(yaa_media_words_syllables("make"), 1);
    assert_int_equal(yaa_media_words_syllables("beautiful"), 3);
    assert_int_equal(yaa_media_words_syllables("고양이"), 3);
    assert_int_equal(yaa_media_words_syllables("2024"), 4);
    assert_int_equal(yaa_media_words_syllables("—"), 1);
}

static void test_spread_and_marks(void **state) {
    (void)state;
    yaa_words w = {0};
    yaa_err err = {0};
    /* no marks: spread by syllables over the speech, shifted onto the timeline */
    assert_int_equal(
        yaa_media_words_align("One banana — and a cat.", NULL, 0, 0.5, 3.5, 0, 10, &w, &err), 0);
    assert_int_equal(w.n, 5); /* the dash joins "banana" */
    assert_string_equal(w.w[1].text, "banana —");
    assert_true(fabs(w.w[0].start - 10.5) < 1e-9);
    assert_true(fabs(w.w[4].end - 13.5) < 1e-9);
    /* banana has three times the syllables of "One" */
    assert_true(fabs((w.w[1].end - w.w[1].start) - 3 * (w.w[0].end - w.w[0].start)) < 1e-9);
    for (size_t i = 1; i < w.n; i++) assert_true(w.w[i].start >= w.w[i - 1].end - 1e-9);
    yaa_media_words_free(&w);
    /* marks: a word takes its mark's time; unmarked words share the gap */
    const char *t = "alpha beta gamma delta";
    yaa_word_mark m[] = {{0, 0.1, 0.4}, {17, 2.0, 2.6}};
    assert_int_equal(yaa_media_words_align(t, m, 2, 0, 3, 1, 0, &w, &err), 0);
    assert_int_equal(w.n, 4);
    assert_true(fabs(w.w[0].start - 0.1) < 1e-9 && fabs(w.w[0].end - 0.4) < 1e-9);
    assert_true(fabs(w.w[3].start - 2.0) < 1e-9 && fabs(w.w[3].end - 2.6) < 1e-9);
    assert_true(w.w[1].start > 0.1 && w.w[2].end <= 2.0 + 1e-9);
    assert_int_equal(w.w[2].section, 1);
    yaa_media_words_free(&w);
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void test_captions(void **state) {
    (void)state;
    yaa_words w = {0};
    yaa_err err = {0};
    const char *a = "Welcome back. Today we cook pasta in fifteen minutes, with only what you "
                    "actually have in the cupboard, and nothing {fancy} at all.";
    const char *b = "고양이 건강은 첫 주부터 시작됩니다. "
                    "띄어쓰기없이아주길게이어지는한국어문장도읽기쉬운자막으로";
    assert_int_equal(yaa_media_words_align(a, NULL, 0, 0.05, 8, 0, 0, &w, &err), 0);
    assert_int_equal(yaa_media_words_align(b, NULL, 0, 0.05, 6, 1, 8.3, &w, &err), 0);
    for (int vertical = 0; vertical < 2; vertical++) {
        yaa_caption_style st = {.vertical = vertical};
        yaa_srt s;
        assert_int_equal(yaa_media_captions_build(&w, &st, &s, &err), 0);
        assert_true(s.n >= 4);
        for (size_t i = 0; i < s.n; i++) {
            assert_true(s.cues[i].end_ms > s.cues[i].start_ms);
            if (i) assert_true(s.cues[i].start_ms >= s.cues[i - 1].end_ms); /* no overlap */
            int lines = 1;
            for (const char *c = s.cues[i].text; *c; c++) lines += *c == '\n';
            assert_true(lines <= 2);
        }
        /* a sentence end closes a cue; the section's first word opens one */
        bool sec = false;
        for (size_t i = 0; i < s.n; i++) sec |= s.cues[i].start_ms == lround(w.w[0].start * 1000);
        for (size_t i = 0; i < s.n; i++)
            sec &= !(strstr(s.cues[i].text, "minutes") && strstr(s.cues[i].text, "고양이"));
        assert_true(sec);
        char dir[PATH_MAX], path[PATH_MAX + 16];
        yaa_test_tmpdir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/c.ass", dir);
        assert_int_equal(yaa_media_captions_write_ass(&w, &s, &st, path, &err), 0);
        char *text = NULL;
        size_t len = 0;
        assert_int_equal(yaa_read_file(path, 1 << 20, &text, &len), 0);
        assert_non_null(strstr(text, vertical ? "PlayResY: 1920" : "PlayResY: 1080"));
        /* one highlighted event per word (the long Hangul word is cut, so highlighted whole
         * where it fits) and braces from the text never open a tag */
        assert_true(count(text, "{\\c&H") >= (int)w.n - 2);
        assert_null(strstr(text, "{fancy}"));
        free(text);
        yaa_media_srt_free(&s);
        yaa_test_rmrf(dir);
    }
    /* words.json keeps the words and the offset into the final video */
    char dir[PATH_MAX], path[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/words.json", dir);
    w.offset_sec = 2.5;
    assert_int_equal(yaa_media_words_write_json(&w, "flite", path, &err), 0);
    yaa_words r;
    assert_int_equal(yaa_media_words_read_json(path, &r, &err), 0);
    assert_int_equal(r.n, w.n);
    assert_true(fabs(r.offset_sec - 2.5) < 1e-9);
    assert_true(fabs(r.w[3].start - w.w[3].start) < 1e-3);
    assert_string_equal(r.w[r.n - 1].text, w.w[w.n - 1].text);
    assert_int_equal(r.w[r.n - 1].section, 1);
    yaa_media_words_free(&r);
    assert_int_equal(yaa_write_file(path, "{\"words\": [{\"text\": 3}]}", 24), 0);
    assert_int_not_equal(yaa_media_words_read_json(path, &r, &err), 0);
    assert_non_null(strstr(err.msg, "words[0]"));
    yaa_test_rmrf(dir);
    yaa_media_words_free(&w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syllables),
        cmocka_unit_test(test_spread_and_marks),
        cmocka_unit_test(test_captions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
