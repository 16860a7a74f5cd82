/* test_pricing.c - the built-in table, prefix matching, costs per kind, PRICING_FILE overrides
 * and its file:line errors, the once-per-model warning for unknown models. */
#include "test_util.h"

#include "core/log.h"
#include "llm/pricing.h"

#include <math.h>

static int g_warnings;
static char g_last[1024];

static void sink(void *ud, yaa_log_level level, const char *logger, const char *line, size_t n) {
    (void)ud, (void)n;
    if (level == YAA_LOG_WARN && strcmp(logger, "pricing") == 0) {
        g_warnings++;
        snprintf(g_last, sizeof g_last, "%s", line);
    }
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

static void test_builtin(void **state) {
    (void)state;
    assert_int_equal(yaa_llm_pricing_load(NULL, NULL), 0);
    yaa_price p;
    assert_true(yaa_llm_pricing_lookup("openai", "gpt-4o-2024-08-06", &p));
    assert_string_equal(p.model, "gpt-4o");
    assert_true(yaa_llm_pricing_lookup("openai", "gpt-4o-mini-2024-07-18", &p));
    assert_string_equal(p.model, "gpt-4o-mini");
    assert_true(yaa_llm_pricing_lookup("anthropic", "claude-sonnet-4-20250514", &p));
    NEAR(p.input_per_m, 3.0);
    assert_true(yaa_llm_pricing_lookup("anthropic", "claude-opus-4-20250514", &p));
    assert_string_equal(p.model, "claude-opus-4");
    assert_true(yaa_llm_pricing_lookup("anthropic", "claude-3-5-haiku-20241022", &p));
    assert_false(yaa_llm_pricing_lookup("openai", "gpt-4oo", &p));
    assert_false(yaa_llm_pricing_lookup("anthropic", "gpt-4o", &p));
    /* 1M in + 1M out of gpt-4o = 2.50 + 10.00 */
    NEAR(yaa_llm_pricing_cost("openai", "gpt-4o", YAA_USAGE_CHAT, 1000000, 1000000, 0), 12.5);
    NEAR(
        yaa_llm_pricing_cost("anthropic", "claude-sonnet-4-20250514", YAA_USAGE_CHAT, 1000, 500, 0),
        0.003 + 0.0075);
    /* cached input at the cached rate: 1M prompt of which 400k cached, gpt-4.1 */
    NEAR(yaa_llm_pricing_cost_cached("openai", "gpt-4.1", YAA_USAGE_CHAT, 1000000, 400000, 0, 0),
         0.6 * 2.0 + 0.4 * 0.5);
    NEAR(yaa_llm_pricing_cost("openai", "text-embedding-3-small", YAA_USAGE_EMBEDDING, 1000000, 0,
                              3),
         0.02);
    NEAR(yaa_llm_pricing_cost("elevenlabs", "eleven_multilingual_v2", YAA_USAGE_TTS, 0, 0, 2500),
         0.75);
    NEAR(yaa_llm_pricing_cost("openai", "dall-e-3", YAA_USAGE_IMAGE, 0, 0, 3), 0.12);
    /* local engines are free, silently */
    g_warnings = 0;
    NEAR(yaa_llm_pricing_cost("offline", "composer", YAA_USAGE_CHAT, 100, 100, 0), 0.0);
    NEAR(yaa_llm_pricing_cost("espeak", "ko", YAA_USAGE_TTS, 0, 0, 100), 0.0);
    assert_int_equal(g_warnings, 0);
    /* openai-compatible falls back to the openai rows (a proxy to OpenAI) */
    NEAR(yaa_llm_pricing_cost("openai-compatible", "gpt-4o-mini", YAA_USAGE_CHAT, 1000000, 0, 0),
         0.15);
    size_t n = 0;
    while (yaa_llm_pricing_entry(n, &p)) n++;
    assert_true(n >= 20);
}

static void test_unknown_warns_once(void **state) {
    (void)state;
    yaa_llm_pricing_reset_warnings();
    g_warnings = 0;
    NEAR(yaa_llm_pricing_cost("openai", "gpt-9-ultra", YAA_USAGE_CHAT, 10, 10, 0), 0.0);
    NEAR(yaa_llm_pricing_cost("openai", "gpt-9-ultra", YAA_USAGE_CHAT, 10, 10, 0), 0.0);
    assert_int_equal(g_warnings, 1);
    assert_non_null(strstr(g_last, "gpt-9-ultra"));
    NEAR(yaa_llm_pricing_cost("openai-compatible", "llama3.1", YAA_USAGE_CHAT, 10, 10, 0), 0.0);
    assert_int_equal(g_warnings, 2);
    assert_non_null(strstr(g_last, "llama3.1"));
}

static void test_file(void **state) {
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/pricing.yaml", dir);
    const char *yaml = "# prices we negotiated\n"
                       "date: 2026-01-15\n"
                       "models:\n"
                       "  - provider: openai\n"
                       "    model: gpt-4o\n"
                       "    input: 2.0\n"
                       "    output: 8\n"
                       "  - provider: openai-compatible\n"
                       "    model: llama3.1\n"
                       "    input: 0\n"
                       "    output: 0\n"
                       "  - provider: elevenlabs\n"
                       "    model: eleven_multilingual_v2\n"
                       "    per_1k_chars: 0.18\n";
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fclose(f);
    yaa_err err;
    assert_int_equal(yaa_llm_pricing_load(path, &err), 0);
    NEAR(yaa_llm_pricing_cost("openai", "gpt-4o-2024-11-20", YAA_USAGE_CHAT, 1000000, 1000000, 0),
         10.0);
    NEAR(yaa_llm_pricing_cost("openai", "gpt-4o-mini", YAA_USAGE_CHAT, 1000000, 0, 0), 0.15);
    yaa_llm_pricing_reset_warnings();
    g_warnings = 0;
    NEAR(yaa_llm_pricing_cost("openai-compatible", "llama3.1", YAA_USAGE_CHAT, 1000, 1000, 0), 0.0);
    assert_int_equal(g_warnings, 0);
    NEAR(yaa_llm_pricing_cost("elevenlabs", "eleven_multilingual_v2", YAA_USAGE_TTS, 0, 0, 1000),
         0.18);

    struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"models:\n  - provider: openai\n    model: x\n    input: lots\n",
         "pricing.yaml:4: models[0].input: 'lots' is not a price"},
        {"models:\n  - provider: openai\n    model: x\n    inptu: 1\n",
         "pricing.yaml:4: models[0]: unknown key 'inptu'"},
        {"models:\n  - provider: openai\n    model: a\n  - model: y\n    input: 1\n",
         "pricing.yaml:4: models[1]: missing 'provider'"},
        {"models:\n  - provider: openai\n    model: x\n    kind: video\n",
         "pricing.yaml:4: models[0].kind: 'video' is not chat"},
        {"models:\n  - provider: openai\n    model: x\n    output: -1\n",
         "pricing.yaml:4: models[0].output: '-1' is not a price"},
        {"modles: []\n", "pricing.yaml:1: unknown key 'modles'"},
        {"models: {a: 1}\n", "pricing.yaml:1: models: expected a list"},
        {"models:\n  - [1, 2]\n", "pricing.yaml:2: models[0]: expected a mapping"},
        {"models:\n  - provider: openai\n   model: x\n", "pricing.yaml:3:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        assert_int_equal(
            yaa_llm_pricing_load_text("pricing.yaml", bad[i].text, strlen(bad[i].text), &err),
            YAA_ECONFIG);
        if (!strstr(err.msg, bad[i].want)) fail_msg("case %zu: got '%s'", i, err.msg);
    }
    /* a failed load keeps the previous overrides */
    NEAR(yaa_llm_pricing_cost("openai", "gpt-4o", YAA_USAGE_CHAT, 1000000, 0, 0), 2.0);
    assert_int_equal(yaa_llm_pricing_load("/nonexistent/pricing.yaml", &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "PRICING_FILE /nonexistent/pricing.yaml"));
    /* ensure: the last load's result stands, whatever path is passed later */
    assert_int_equal(yaa_llm_pricing_ensure(path, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "/nonexistent/pricing.yaml"));
    assert_int_equal(yaa_llm_pricing_load(NULL, &err), 0);
    assert_int_equal(yaa_llm_pricing_ensure("/nonexistent/again.yaml", &err), 0);
    NEAR(yaa_llm_pricing_cost("openai", "gpt-4o", YAA_USAGE_CHAT, 1000000, 0, 0), 2.5);
    yaa_test_rmrf(dir);
}

int main(void) {
    yaa_log_setup(YAA_LOG_INFO, true, fopen("/dev/null", "w"));
    yaa_log_add_sink(sink, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_unknown_warns_once),
        cmocka_unit_test(test_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_llm_pricing_reset_warnings();
    return rc;
}
