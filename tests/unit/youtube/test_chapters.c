/* test_chapters.c - YouTube's chapter rules from a measured timeline: 0:00 first, each at
 * least 10 s (short sections merge into the one before, the last must run 10 s), three or
 * more or none; the description's old chapter block replaced in place. */
#include "test_util.h"

#include "youtube/youtube.h"

static char *chapters(const double *starts, const char *const *titles, size_t n, double dur,
                      int *count) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    *count = yaa_youtube_chapters(starts, titles, n, dur, &b);
    char *s = strdup(b.data ? b.data : "");
    yaa_buf_free(&b);
    return s;
}

static void test_measured_starts(void **state) {
    (void)state;
    const double starts[] = {3.2, 14.9, 40.0, 71.5};
    const char *titles[] = {"Intro", "Why <it> matters", "How\nto", "Wrap-up"};
    int n;
    char *s = chapters(starts, titles, 4, 95.0, &n);
    assert_int_equal(n, 4);
    /* the first is always 0:00 (an intro before it belongs to it); '<' '>' dropped; stamps
     * rounded to the nearest second (14.9 is 0:15, not 0:14 in the section before) */
    assert_string_equal(s, "0:00 Intro\n0:15 Why it matters\n0:40 How to\n1:12 Wrap-up\n");
    free(s);
}

static void test_short_sections_merge(void **state) {
    (void)state;
    const double starts[] = {0, 4, 8, 30, 55, 80};
    const char *titles[] = {"A", "B", "C", "D", "E", "F"};
    int n;
    char *s = chapters(starts, titles, 6, 86.0, &n);
    /* B and C start within 10 s of A; F runs only 6 s to the end */
    assert_int_equal(n, 3);
    assert_string_equal(s, "0:00 A\n0:30 D\n0:55 E\n");
    free(s);
    /* past the end of the video: not shown; fewer than three: none at all */
    const double late[] = {0, 20, 200};
    s = chapters(late, titles, 3, 60.0, &n);
    assert_int_equal(n, 0);
    assert_string_equal(s, "");
    free(s);
    const double hours[] = {0, 1800, 3725.9};
    s = chapters(hours, titles, 3, 4000, &n);
    assert_string_equal(s, "0:00 A\n30:00 B\n1:02:06 C\n");
    free(s);
    /* the 10 s rule holds for the stamps as shown: 10.5 s and 20.4 s would show as 0:11 and
     * 0:20, 9 s apart, so C merges into B */
    const double close[] = {0, 10.5, 20.4, 40, 60};
    s = chapters(close, titles, 5, 80, &n);
    assert_string_equal(s, "0:00 A\n0:11 B\n0:40 D\n1:00 E\n");
    free(s);
}

static void test_description_block(void **state) {
    (void)state;
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    const char *desc = "Intro text\n\n0:00 Old\n0:10 Older\n1:20:30 Oldest\n\n#tag";
    assert_int_equal(yaa_youtube_description_chapters(desc, "0:00 New\n0:42 Next\n", &b), 0);
    assert_string_equal(b.data, "Intro text\n\n0:00 New\n0:42 Next\n\n#tag");
    yaa_buf_reset(&b);
    assert_int_equal(yaa_youtube_description_chapters("No chapters here", "0:00 A\n", &b), 0);
    assert_string_equal(b.data, "No chapters here\n\n0:00 A");
    yaa_buf_reset(&b);
    /* none computed: the estimated ones are removed rather than left wrong */
    assert_int_equal(yaa_youtube_description_chapters(desc, "", &b), 0);
    assert_string_equal(b.data, "Intro text\n\n\n#tag");
    yaa_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measured_starts),
        cmocka_unit_test(test_short_sections_merge),
        cmocka_unit_test(test_description_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
