/* test_config.c - defaults, .env parsing, precedence, errors naming the variable, and
 * docs/CONFIG.md listing exactly the variables of the table. */
#include "test_util.h"

#include "core/config.h"
#include "core/buf.h"
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
    assert_string_equal(c.cors_origins, "http://localhost:3000");
    assert_false(yaa_config_was_set(&c, "LOG_FORMAT"));
    yaa_config_free(&c);
}

/* One LLM_MODEL for every agent, a *_MODEL for one; a local server needs LLM_MODEL. */
static void test_models(void **state) {
    (void)state;
    yaa_config c;
    yaa_err e = {0};
    setenv("LLM_PROVIDER", "openai-compatible", 1);
    setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1", 1);
    assert_int_equal(yaa_config_load(&c, g_env, &e), YAA_ECONFIG);
    assert_non_null(strstr(e.msg, "LLM_MODEL"));
    setenv("LLM_MODEL", "qwen2.5:7b", 1);
    setenv("SEO_MODEL", "llama3.2", 1);
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_string_equal(c.script_model, "qwen2.5:7b");
    assert_string_equal(c.research_model, "qwen2.5:7b");
    assert_string_equal(c.seo_model, "llama3.2");
    yaa_config_free(&c);
    unsetenv("LLM_MODEL");
    unsetenv("SEO_MODEL");
    unsetenv("OPENAI_BASE_URL");
    /* One hosted key: every agent gets that provider's model. */
    setenv("LLM_PROVIDER", "openai", 1);
    setenv("OPENAI_API_KEY", "sk-test", 1);
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_string_equal(c.script_model, "gpt-4o");
    assert_string_equal(c.seo_model, "gpt-4o");
    yaa_config_free(&c);
    unsetenv("OPENAI_API_KEY");
    setenv("LLM_PROVIDER", "anthropic", 1);
    setenv("ANTHROPIC_API_KEY", "sk-ant-test", 1);
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_string_equal(c.research_model, "claude-sonnet-4-20250514");
    yaa_config_free(&c);
    unsetenv("ANTHROPIC_API_KEY");
    unsetenv("LLM_PROVIDER");
}

/* CORS_ORIGINS="" turns CORS off (not the default); an explicit LOG_FORMAT is remembered. */
static void test_explicit_values(void **state) {
    (void)state;
    write_env("CORS_ORIGINS=\nLOG_FORMAT=json\n");
    yaa_config c;
    yaa_err e = {0};
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_string_equal(c.cors_origins, "");
    assert_true(yaa_config_was_set(&c, "LOG_FORMAT"));
    assert_true(yaa_config_was_set(&c, "CORS_ORIGINS"));
    assert_false(yaa_config_was_set(&c, "LOG_LEVEL"));
    assert_false(yaa_config_was_set(&c, "NO_SUCH_VARIABLE"));
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
    expect_error("RATE_LIMIT_PER_MINUTE", "-1", "RATE_LIMIT_PER_MINUTE");
    expect_error("AUDIT_RETENTION_DAYS", "x", "AUDIT_RETENTION_DAYS");
    expect_error("API_MAX_CONNECTIONS_PER_IP", "0", "API_MAX_CONNECTIONS_PER_IP");
    expect_error("DATABASE_URL", "mysql://x", "DATABASE_URL");
    expect_error("QUEUE_URL", "kafka://x", "QUEUE_URL");
    expect_error("LLM_PROVIDER", "gemini", "LLM_PROVIDER");
    expect_error("LLM_PROVIDER", "anthropic", "ANTHROPIC_API_KEY");
    expect_error("LOG_LEVEL", "loud", "LOG_LEVEL");
    expect_error("LOG_FORMAT", "xml", "LOG_FORMAT");
    expect_error("TTS_PROVIDER", "polly", "TTS_PROVIDER");
    expect_error("YAA_QUEUE_LEASE_SEC", "0", "YAA_QUEUE_LEASE_SEC");
    expect_error("YAA_QUEUE_MAX_ATTEMPTS", "many", "YAA_QUEUE_MAX_ATTEMPTS");
    expect_error("YAA_QUEUE_BACKOFF_SEC", "-1", "YAA_QUEUE_BACKOFF_SEC");
    expect_error("YAA_JOB_TIMEOUT_SEC", "604801", "YAA_JOB_TIMEOUT_SEC");
    expect_error("YAA_MEDIA_PRESET", "warp", "YAA_MEDIA_PRESET");
    expect_error("TAVILY_BASE_URL", "tavily.local", "TAVILY_BASE_URL");
    expect_error("YOUTUBE_TOKEN_URL", "file:///etc/passwd", "YOUTUBE_TOKEN_URL");
    expect_error("YAA_WEB_DIR", "", "YAA_WEB_DIR");
}

/* The tuning variables are read from .env like every other, with their defaults. */
static void test_tuning_from_dotenv(void **state) {
    (void)state;
    yaa_config c;
    yaa_err e = {0};
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_int_equal(c.queue_max_attempts, 3);
    assert_int_equal(c.queue_lease_sec, 60);
    assert_int_equal(c.queue_backoff_sec, 10);
    assert_int_equal(c.job_timeout_sec, 3600);
    assert_int_equal(c.media_max_renders, 0);
    assert_string_equal(c.media_preset, "veryfast");
    assert_string_equal(c.web_dir, "./web/dist");
    assert_null(c.migrations_dir);
    assert_null(c.tavily_base_url);
    yaa_config_free(&c);
    write_env("YAA_QUEUE_LEASE_SEC=3\nYAA_JOB_TIMEOUT_SEC=0\nYAA_MEDIA_PRESET=ultrafast\n"
              "YAA_MIGRATIONS_DIR=/srv/yaa/migrations\nYOUTUBE_TOKEN_URL=http://127.0.0.1:1/t\n");
    assert_int_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_int_equal(c.queue_lease_sec, 3);
    assert_int_equal(c.job_timeout_sec, 0);
    assert_string_equal(c.media_preset, "ultrafast");
    assert_string_equal(c.migrations_dir, "/srv/yaa/migrations");
    assert_string_equal(c.youtube_token_url, "http://127.0.0.1:1/t");
    yaa_config_free(&c);
    write_env("YAA_MEDIA_FPS=fast\n");
    assert_int_not_equal(yaa_config_load(&c, g_env, &e), 0);
    assert_non_null(strstr(e.msg, "YAA_MEDIA_FPS"));
}

/* docs/CONFIG.md has one table row per variable ("| `NAME` |") and no row for a variable the
 * table does not have; `yaa help config` prints the rows to paste. */
static void test_config_md_lists_every_variable(void **state) {
    (void)state;
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yaa_read_file(YAA_SOURCE_DIR "/docs/CONFIG.md", 1 << 20, &text, &len), 0);
    for (int i = 0; yaa_config_var_name(i); i++) {
        char row[128];
        snprintf(row, sizeof row, "\n| `%s` |", yaa_config_var_name(i));
        if (!strstr(text, row))
            fail_msg("docs/CONFIG.md has no row for %s (see `yaa help config`)",
                     yaa_config_var_name(i));
    }
    for (char *p = strstr(text, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char name[128];
        if (sscanf(p, "\n| `%127[A-Z0-9_]` |", name) != 1) continue;
        bool known = false;
        for (int i = 0; yaa_config_var_name(i) && !known; i++)
            known = strcmp(name, yaa_config_var_name(i)) == 0;
        if (!known) fail_msg("docs/CONFIG.md lists %s, which yaa does not read", name);
    }
    free(text);
}

/* The generated table has a row per variable, with its default. */
static void test_markdown(void **state) {
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    yaa_config_write_markdown(f);
    fclose(f);
    assert_non_null(strstr(buf, "| `API_PORT` | `8000` |"));
    assert_non_null(strstr(buf, "a whole number from 0 to 65535"));
    assert_non_null(strstr(buf, "| `REDIS_URL` | unset |"));
    /* choices are listed with commas: a '|' would split the table cell */
    assert_non_null(strstr(buf, "(a value starting with redis://, rediss://)"));
    int rows = 0;
    for (char *p = buf; (p = strstr(p, "\n| `")); p++) rows++;
    int vars = 0;
    while (yaa_config_var_name(vars)) vars++;
    assert_int_equal(rows, vars);
    free(buf);
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
        cmocka_unit_test_setup_teardown(test_models, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotenv_and_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotenv_errors_name_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tuning_from_dotenv, setup, teardown),
        cmocka_unit_test(test_config_md_lists_every_variable),
        cmocka_unit_test(test_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
