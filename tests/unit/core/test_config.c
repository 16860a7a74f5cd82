/* test_config.c - defaults, .env parsing, precedence and errors naming the variable. */
#include "test_util.h"

#include "core/config.h"
#include "core/log.h"

static char g_dir[PATH_MAX];
static char g_env[PATH_MAX + 16];

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(g_dir, sizeof g_dir);
    snprintf(g_env, sizeof g_env, "%s/.env", g_dir);
    for (int i = 0; yaa_config_var_name(i); i++) unsetenv(yaa_config_var_name(i));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    yaa_test_rmrf(g_dir);
    return 0;
}

static void write_env(const char *text) {
    FILE *f = fopen(g_env, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void **state) {
    (void)state;
    yaa_config c;
    yaa_err e = {0};
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_string_equal(c.database_url, "sqlite:///./data/yaa.db");
    assert_string_equal(c.queue_url, "db");
    assert_null(c.redis_url);
    assert_int_equal(c.api_port, 8000);
    assert_string_equal(c.api_key_header, "X-API-Key");
    assert_int_equal(c.rate_limit_per_minute, 60);
    assert_string_equal(c.llm_provider, "offline");
    assert_string_equal(c.embedding_provider, "hash");
    assert_true(c.rag_enabled);
    assert_true(c.log_json);
    assert_int_equal(c.log_level, YAA_LOG_INFO);
    assert_string_equal(c.script_model, "claude-sonnet-4-20250514");
    yaa_config_free(&c);
}

static void test_dotenv_and_precedence(void **state) {
    (void)state;
    write_env(
        "# comment\nexport API_PORT=9000\nLOG_FORMAT = \"text\"\nOPENAI_API_KEY=sk-test # key\n"
        "UNRELATED=1\n\nRAG_ENABLED=false\n");
    setenv("API_PORT", "9100", 1);
    yaa_config c;
    yaa_err e = {0};
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_int_equal(c.api_port, 9100);
    assert_false(c.log_json);
    assert_false(c.rag_enabled);
    assert_string_equal(c.openai_api_key, "sk-test");
    assert_string_equal(c.llm_provider, "openai");
    yaa_config_free(&c);
    unsetenv("API_PORT");
}

static void expect_error(const char *var, const char *value, const char *needle) {
    setenv(var, value, 1);
    yaa_config c;
    yaa_err e = {0};
    assert_int_not_equal(yaa_config_load(&c, g_env, &e), 0);
    if (!strstr(e.msg, needle)) fail_msg("message '%s' lacks '%s'", e.msg, needle);
    unsetenv(var);
}

static void test_errors_name_the_variable(void **state) {
    (void)state;
    expect_error("API_PORT", "eighty", "API_PORT");
    expect_error("API_PORT", "70000", "API_PORT");
    expect_error("DISABLE_AUTH", "perhaps", "DISABLE_AUTH");
    expect_error("RATE_LIMIT_PER_MINUTE", "0", "RATE_LIMIT_PER_MINUTE");
    expect_error("DATABASE_URL", "mysql://x", "DATABASE_URL");
    expect_error("QUEUE_URL", "kafka://x", "QUEUE_URL");
    expect_error("LLM_PROVIDER", "gemini", "LLM_PROVIDER");
    expect_error("LLM_PROVIDER", "anthropic", "ANTHROPIC_API_KEY");
    expect_error("LOG_LEVEL", "loud", "LOG_LEVEL");
    expect_error("LOG_FORMAT", "xml", "LOG_FORMAT");
    expect_error("TTS_PROVIDER", "polly", "TTS_PROVIDER");
}

static void test_dotenv_errors_name_the_line(void **state) {
    (void)state;
    write_env("API_PORT=1\nthis line has no equals\n");
    yaa_config c;
    yaa_err e = {0};
    assert_int_not_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_non_null(strstr(e.msg, ".env:2"));
    write_env("OPENAI_API_KEY=\"unterminated\n");
    assert_int_not_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_non_null(strstr(e.msg, ".env:1"));
    /* The message must not echo secret values. */
    assert_null(strstr(e.msg, "unterminated\""));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotenv_and_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotenv_errors_name_the_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
