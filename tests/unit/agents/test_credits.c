/* test_credits.c - footage credits at the end of a description: one line per credit under
 * the heading of the channel's language, not added twice, whole lines within 5000 bytes. */
#include "test_util.h"

#include "agents/agent.h"
#include "core/buf.h"

static void test_append_once_within_limit(void **state) {
    (void)state;
    json_t *credits = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "source", "pexels", "author",
                                "Ann Lee", "url", "https://www.pexels.com/video/1/", "source",
                                "pixabay", "author", "bo", "url", "https://pixabay.com/videos/2/");
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    assert_int_equal(yaa_agent_credits_append("Intro", credits, "en", &b), 0);
    assert_string_equal(b.data, "Intro\n\nFootage and photos:\n- Ann Lee on Pexels: "
                                "https://www.pexels.com/video/1/\n- bo on Pixabay: "
                                "https://pixabay.com/videos/2/\n");
    assert_true(yaa_agent_credits_present(b.data, "en"));
    char *first = strdup(b.data);
    yaa_buf_reset(&b);
    assert_int_equal(yaa_agent_credits_append(first, credits, "en", &b), 0);
    assert_string_equal(b.data, first); /* already there: not added twice */
    free(first);
    /* Korean heading; a description near the limit keeps whole lines only (bytes counted) */
    char big[4950];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    yaa_buf_reset(&b);
    assert_int_equal(yaa_agent_credits_append(big, credits, "ko", &b), 0);
    assert_true(b.len <= 5000);
    assert_null(strstr(b.data, "Pixabay")); /* no line fits: no heading either */
    assert_null(strstr(b.data, "영상·사진 출처:"));
    big[4800] = '\0';
    yaa_buf_reset(&b);
    assert_int_equal(yaa_agent_credits_append(big, credits, "ko", &b), 0);
    assert_true(b.len <= 5000);
    assert_non_null(strstr(b.data, "영상·사진 출처:\n- Ann Lee on Pexels"));
    yaa_buf_free(&b);
    json_decref(credits);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_append_once_within_limit)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
