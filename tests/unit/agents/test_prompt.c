/* test_prompt.c - template slots, unknown slots, and the shipped prompt files render. */
#include "test_util.h"

#include "agents/prompt.h"

static void test_fill(void **state) {
    (void)state;
    yaa_prompt_var vars[] = {{"a", "one"}, {"b", NULL}};
    yaa_buf out;
    yaa_buf_init(&out, 0);
    yaa_err err = {0};
    assert_int_equal(yaa_agents_prompt_fill("x {{a}} y {{b}} z", vars, 2, &out, &err), 0);
    assert_string_equal(yaa_buf_cstr(&out), "x one y  z");
    yaa_buf_reset(&out);
    assert_int_not_equal(yaa_agents_prompt_fill("{{c}}", vars, 2, &out, &err), 0);
    assert_non_null(strstr(err.msg, "{{c}}"));
    yaa_buf_free(&out);
}

static void test_shipped_prompts(void **state) {
    (void)state;
    static const char *names[] = {"brand_researcher.system", "brand_researcher.user",
                                  "script_writer.system",    "script_writer.user",
                                  "seo_optimizer.system",    "seo_optimizer.user"};
    static const char *slots[] = {
        "language",     "channel_name", "channel_id",       "category",
        "topic",        "brand_name",   "tagline",          "positioning",
        "values",       "audience",     "pain_points",      "content_needs",
        "context",      "sources",      "tone_guide",       "brand_rules",
        "research",     "keywords",     "format",           "script_title",
        "chapters",     "script_text",  "primary_keywords", "secondary_keywords",
        "tone_summary", "revision",     "thumbnail_style"};
    yaa_prompt_var vars[sizeof slots / sizeof slots[0]];
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        vars[i] = (yaa_prompt_var){slots[i], "v"};
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/prompts", yaa_test_source_dir());
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        yaa_buf out;
        yaa_buf_init(&out, 0);
        yaa_err err = {0};
        int rc =
            yaa_agents_prompt_render(dir, names[i], vars, sizeof vars / sizeof vars[0], &out, &err);
        if (rc) fail_msg("%s: %s", names[i], err.msg);
        assert_null(strstr(yaa_buf_cstr(&out), "{{"));
        yaa_buf_free(&out);
    }
}

/* Run outside the repository: the error says which variable to set. */
static void test_missing_dir(void **state) {
    (void)state;
    yaa_buf out;
    yaa_buf_init(&out, 0);
    yaa_err err = {0};
    int rc = yaa_agents_prompt_render("/nonexistent/prompts", "script_writer.system", NULL, 0, &out,
                                      &err);
    assert_int_equal(rc, YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "PROMPTS_DIR"));
    assert_non_null(strstr(err.msg, "/nonexistent/prompts/script_writer.system.md"));
    yaa_buf_free(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fill),
                                       cmocka_unit_test(test_shipped_prompts),
                                       cmocka_unit_test(test_missing_dir)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
