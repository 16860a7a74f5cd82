/* test_log.c - JSON lines carry context fields; sinks see every line; levels filter. */
#include "test_util.h"

#include "core/log.h"

#include <jansson.h>

static char g_last[4096];
static int g_count;

static void sink(void *ud, yaa_log_level level, const char *logger, const char *line, size_t len) {
    (void)ud;
    (void)level;
    (void)logger;
    snprintf(g_last, sizeof g_last, "%.*s", (int)len, line);
    g_count++;
}

static void test_json_line(void **state) {
    (void)state;
    FILE *out = tmpfile();
    assert_non_null(out);
    yaa_log_setup(YAA_LOG_INFO, true, out);
    assert_int_equal(yaa_log_add_sink(sink, NULL), 0);
    yaa_log_ctx ctx = {.request_id = "req-1", .run_id = "run-1", .stage = "script_writer"};
    yaa_log_ctx_set(&ctx);
    yaa_log_ev(YAA_LOG_INFO, "api", "request done", YAA_F_STR("method", "GET"),
               YAA_F_INT("status", 200), YAA_F_NUM("duration_ms", 1.5), YAA_F_STR("q", "a\"b"),
               YAA_F_END);
    yaa_log_debug("api", "filtered out");
    yaa_log_ctx_set(NULL);
    assert_int_equal(g_count, 1);
    json_error_t je;
    json_t *j = json_loads(g_last, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "msg")), "request done");
    assert_string_equal(json_string_value(json_object_get(j, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(j, "logger")), "api");
    assert_string_equal(json_string_value(json_object_get(j, "request_id")), "req-1");
    assert_string_equal(json_string_value(json_object_get(j, "run_id")), "run-1");
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "script_writer");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
    assert_string_equal(json_string_value(json_object_get(j, "q")), "a\"b");
    assert_non_null(json_object_get(j, "ts"));
    json_decref(j);

    rewind(out);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, out));
    assert_true(line[0] == '{');
    assert_null(fgets(line, sizeof line, out));
    fclose(out);
    yaa_log_remove_sink(sink, NULL);
    yaa_log_setup(YAA_LOG_INFO, true, NULL);
}

static void test_text_format(void **state) {
    (void)state;
    FILE *out = tmpfile();
    yaa_log_setup(YAA_LOG_DEBUG, false, out);
    yaa_log_ev(YAA_LOG_WARN, "db", "slow query", YAA_F_INT("ms", 250), YAA_F_END);
    rewind(out);
    char line[512];
    assert_non_null(fgets(line, sizeof line, out));
    assert_non_null(strstr(line, "warning"));
    assert_non_null(strstr(line, "db: slow query ms=250"));
    fclose(out);
    yaa_log_setup(YAA_LOG_INFO, true, NULL);
}

/* A terminal gets "level: msg (k=v)" for warnings and errors only; sinks still get JSON of
 * every enabled record. */
static void test_console(void **state) {
    (void)state;
    FILE *out = tmpfile();
    yaa_log_setup(YAA_LOG_INFO, true, out);
    yaa_log_set_console(YAA_LOG_WARN);
    g_count = 0;
    assert_int_equal(yaa_log_add_sink(sink, NULL), 0);
    yaa_log_ctx ctx = {.run_id = "run-1", .stage = "script_writer"};
    yaa_log_ctx_set(&ctx);
    yaa_log_ev(YAA_LOG_INFO, "agents", "stage started", YAA_F_END);
    yaa_log_ev(YAA_LOG_WARN, "pricing", "no price for this model", YAA_F_STR("model", "qwen"),
               YAA_F_END);
    yaa_log_ctx_set(NULL);
    assert_int_equal(g_count, 2);
    assert_true(g_last[0] == '{');
    rewind(out);
    char line[512];
    assert_non_null(fgets(line, sizeof line, out));
    assert_string_equal(line,
                        "warning: no price for this model (stage=script_writer, model=qwen)\n");
    assert_null(fgets(line, sizeof line, out));
    fclose(out);
    yaa_log_remove_sink(sink, NULL);
    yaa_log_setup(YAA_LOG_INFO, true, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_json_line),
                                       cmocka_unit_test(test_text_format),
                                       cmocka_unit_test(test_console)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
