/* test_credits.c - the uploaded description composed in one place: the text, the chapters in
 * place of an old block, then one line per footage credit under the heading of the channel's
 * language; whole lines within 5000 bytes; composing again (a resumed publisher, a reviewer who
 * kept the lines or deleted one) never duplicates a credit. metadata.json's credits: the
 * description composed without chapters first (media_generator), then with the measured
 * chapters (the publisher) keeps the order text, chapters, credits; a reviewer's own lines stay,
 * lines of footage no longer used go; merging again (a re-run, a reviewer's edit) changes
 * nothing. */
#include "test_util.h"

#include "agents/agent.h"
#include "core/buf.h"

static json_t *two_credits(void) {
    return json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "source", "pexels", "author", "Ann Lee",
                     "url", "https://www.pexels.com/video/1/", "source", "pixabay", "author", "bo",
                     "url", "https://pixabay.com/videos/2/");
}

/* compose into a fresh buffer; returns a malloc'd copy */
static char *compose(const char *desc, const char *chapters, const json_t *credits,
                     const char *lang) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    assert_int_equal(yaa_agents_description_compose(desc, chapters, credits, lang, &b), 0);
    char *s = strdup(b.data ? b.data : "");
    yaa_buf_free(&b);
    return s;
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void test_text_chapters_then_credits(void **state) {
    (void)state;
    json_t *credits = two_credits();
    char *d =
        compose("Intro\n\n0:00 Old\n1:00 Old two", "0:00 Start\n0:40 Middle\n", credits, "en");
    assert_string_equal(d, "Intro\n\n0:00 Start\n0:40 Middle\n\nFootage and photos:\n- Ann Lee on "
                           "Pexels: https://www.pexels.com/video/1/\n- bo on Pixabay: "
                           "https://pixabay.com/videos/2/");
    /* no credits: the text and chapters alone, no heading */
    char *plain = compose("Intro", "0:00 Start\n", NULL, "en");
    assert_string_equal(plain, "Intro\n\n0:00 Start");
    free(plain);
    json_t *none = json_array();
    plain = compose("Intro", "", none, "en");
    assert_string_equal(plain, "Intro");
    free(plain);
    json_decref(none);
    free(d);
    json_decref(credits);
}

static void test_resume_never_duplicates(void **state) {
    (void)state;
    json_t *credits = two_credits();
    const char *ch = "0:00 Start\n0:40 Middle\n";
    char *once = compose("Intro", ch, credits, "ko");
    assert_non_null(strstr(once, "영상·사진 출처:\n- Ann Lee on Pexels"));
    char *twice = compose(once, ch, credits, "ko"); /* a resumed publisher */
    assert_string_equal(twice, once);
    /* a reviewer deleted one credit line but kept the heading: only that line comes back */
    char *edited = strdup(once);
    char *line = strstr(edited, "- bo on Pixabay");
    *line = '\0';
    char *back = compose(edited, ch, credits, "ko");
    assert_int_equal(count(back, "영상·사진 출처:"), 1);
    assert_int_equal(count(back, "https://pixabay.com/videos/2/"), 1);
    assert_int_equal(count(back, "https://www.pexels.com/video/1/"), 1);
    /* a URL that only starts like a credited one is not taken for it */
    json_t *near = json_pack("[{s:s,s:s,s:s}]", "source", "pexels", "author", "Cy", "url",
                             "https://www.pexels.com/video/1");
    char *n2 = compose("see https://www.pexels.com/video/10 too", "", near, "en");
    assert_non_null(strstr(n2, "\n\nFootage and photos:\n- Cy on Pexels: "));
    assert_true(yaa_str_endswith(n2, "Pexels: https://www.pexels.com/video/1"));
    free(n2);
    json_decref(near);
    free(back);
    free(edited);
    free(twice);
    free(once);
    json_decref(credits);
}

static void test_whole_lines_within_limit(void **state) {
    (void)state;
    json_t *credits = two_credits();
    char big[4950];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *d = compose(big, "", credits, "ko"); /* no line fits: no heading either */
    assert_true(strlen(d) <= 5000);
    assert_string_equal(d, big);
    free(d);
    big[4900] = '\0'; /* the heading and the first line fit, the second does not */
    d = compose(big, "", credits, "ko");
    assert_true(strlen(d) <= 5000);
    assert_non_null(
        strstr(d, "영상·사진 출처:\n- Ann Lee on Pexels: https://www.pexels.com/video/1/"));
    assert_null(strstr(d, "Pixabay"));
    assert_int_equal(d[strlen(d) - 1], '/'); /* ends on a whole line */
    free(d);
    /* many credits: as many whole lines as fit, each once */
    json_t *many = json_array();
    for (int i = 0; i < 200; i++) {
        char url[96];
        snprintf(url, sizeof url, "https://www.pexels.com/video/clip-%d/", 1000 + i);
        json_array_append_new(many, json_pack("{s:s,s:s,s:s}", "source", "pexels", "author",
                                              "Double Author", "url", url));
    }
    d = compose("Intro", "0:00 Start\n", many, "en");
    assert_true(strlen(d) <= 5000);
    assert_true(strlen(d) > 4800);
    assert_non_null(strstr(d, "clip-1000/\n"));
    const char *last = strrchr(d, '\n') + 1;
    assert_non_null(strstr(last, "- Double Author on Pexels: https://"));
    assert_int_equal(last[strlen(last) - 1], '/');
    char *again = compose(d, "0:00 Start\n", many, "en");
    assert_string_equal(again, d); /* full already: composing again changes nothing */
    free(again);
    free(d);
    json_decref(many);
    json_decref(credits);
}

/* metadata.json first (no chapters yet), then the publisher with the measured chapters: the
 * credit block moves after the chapters, nothing twice, the text's own chapter lines stay until
 * then. */
static void test_metadata_then_publisher(void **state) {
    (void)state;
    json_t *credits = two_credits();
    json_t *meta = json_pack("{s:s, s:s, s:s}", "title", "T", "description",
                             "Intro\n\n0:00 Guess\n1:00 Guess two\n", "language", "en");
    assert_int_equal(yaa_agents_metadata_credits(meta, credits, "ko"), 0);
    const char *d = json_string_value(json_object_get(meta, "description"));
    assert_string_equal(d, "Intro\n\n0:00 Guess\n1:00 Guess two\n\nFootage and photos:\n- Ann "
                           "Lee on Pexels: https://www.pexels.com/video/1/\n- bo on Pixabay: "
                           "https://pixabay.com/videos/2/");
    json_t *list = json_object_get(meta, "credits");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "line")),
                        "- bo on Pixabay: https://pixabay.com/videos/2/");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "author")),
                        "Ann Lee");
    assert_string_equal(json_string_value(json_object_get(meta, "credits_heading")),
                        "Footage and photos:"); /* meta's own language wins */
    /* merging again (a resumed or re-run media_generator, the review gate) changes nothing */
    json_t *again = json_deep_copy(meta);
    assert_int_equal(yaa_agents_metadata_credits(again, credits, "en"), 0);
    assert_true(json_equal(again, meta));
    json_decref(again);
    /* the publisher: measured chapters in place of the guessed ones, credits after them */
    char *up = compose(d, "0:00 Start\n0:40 Middle\n", credits, "en");
    assert_string_equal(up, "Intro\n\n0:00 Start\n0:40 Middle\n\nFootage and photos:\n- Ann Lee "
                            "on Pexels: https://www.pexels.com/video/1/\n- bo on Pixabay: "
                            "https://pixabay.com/videos/2/");
    char *up2 = compose(up, "0:00 Start\n0:40 Middle\n", credits, "en");
    assert_string_equal(up2, up);
    /* the SEO text without chapters: the publisher's chapters go between text and credits */
    json_t *plain = json_pack("{s:s}", "description", "Intro");
    assert_int_equal(yaa_agents_metadata_credits(plain, credits, "ko"), 0);
    char *up3 = compose(json_string_value(json_object_get(plain, "description")), "0:00 Start\n",
                        credits, "ko");
    assert_non_null(strstr(up3, "Intro\n\n0:00 Start\n\n영상·사진 출처:\n- Ann Lee on Pexels"));
    free(up3);
    free(up2);
    free(up);
    json_decref(plain);
    json_decref(meta);
    json_decref(credits);
}

/* A reviewer's edit of the composed description: their own text and lines stay, the credit
 * block comes back whole, once; credits of footage no longer used (media_generator ran again
 * with other pictures) are dropped; no credits at all leave the text alone. */
static void test_reviewer_edit_and_new_footage(void **state) {
    (void)state;
    json_t *credits = two_credits();
    const char *edited = "New intro\n\nFootage and photos:\n- bo on Pixabay: "
                         "https://pixabay.com/videos/2/\n- Music: my own track\n\nThanks!";
    char *d = compose(edited, NULL, credits, "en");
    assert_string_equal(d, "New intro\n\n- Music: my own track\n\nThanks!\n\nFootage and "
                           "photos:\n- Ann Lee on Pexels: https://www.pexels.com/video/1/\n- bo on "
                           "Pixabay: https://pixabay.com/videos/2/");
    /* a credit the reviewer wrote in the same shape for something yaa did not choose stays */
    char *music = compose("Hi\n\nFootage and photos:\n- Cy on Pixabay: https://pixabay.com/music/"
                          "beat-7/\n- Old on Pexels: https://www.pexels.com/video/old-5/",
                          NULL, credits, "en");
    assert_non_null(strstr(music, "Hi\n\n- Cy on Pixabay: https://pixabay.com/music/beat-7/\n\n"
                                  "Footage and photos:\n- Ann Lee"));
    assert_null(strstr(music, "old-5"));
    free(music);
    char *d2 = compose(d, NULL, credits, "en");
    assert_string_equal(d2, d);
    /* other footage now: the old Pexels line goes, the new one comes */
    json_t *now = json_pack("[{s:s,s:s,s:s}]", "source", "pexels", "author", "Cy", "url",
                            "https://www.pexels.com/photo/9/");
    char *d3 = compose(d, NULL, now, "en");
    assert_string_equal(d3, "New intro\n\n- Music: my own track\n\nThanks!\n\nFootage and "
                            "photos:\n- Cy on Pexels: https://www.pexels.com/photo/9/");
    /* no credits recorded: an empty list, the text as it was, no heading field */
    json_t *meta = json_pack("{s:s}", "description", "Only text");
    json_t *empty = json_array();
    assert_int_equal(yaa_agents_metadata_credits(meta, empty, "en"), 0);
    assert_string_equal(json_string_value(json_object_get(meta, "description")), "Only text");
    assert_int_equal(json_array_size(json_object_get(meta, "credits")), 0);
    assert_null(json_object_get(meta, "credits_heading"));
    /* an empty or missing description gets the credits alone; not an object is refused */
    json_t *bare = json_object();
    assert_int_equal(yaa_agents_metadata_credits(bare, now, "en"), 0);
    assert_string_equal(json_string_value(json_object_get(bare, "description")),
                        "Footage and photos:\n- Cy on Pexels: https://www.pexels.com/photo/9/");
    json_t *arr = json_array();
    assert_int_equal(yaa_agents_metadata_credits(arr, now, "en"), YAA_EINVAL);
    json_decref(arr);
    json_decref(bare);
    json_decref(empty);
    json_decref(meta);
    json_decref(now);
    free(d3);
    free(d2);
    free(d);
    json_decref(credits);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_text_chapters_then_credits),
                                       cmocka_unit_test(test_resume_never_duplicates),
                                       cmocka_unit_test(test_whole_lines_within_limit),
                                       cmocka_unit_test(test_metadata_then_publisher),
                                       cmocka_unit_test(test_reviewer_edit_and_new_footage)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
