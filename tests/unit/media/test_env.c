/* test_env.c - the media knobs come from the configuration (YAA_MEDIA_*, ELEVENLABS_BASE_URL,
 * OPENAI_IMAGE_MODEL): set values reach the media environment, a bad one stops the
 * configuration with a message naming the variable, and no configuration means every default. */
#include "test_util.h"

#include "core/config.h"
#include "media/media.h"

#include <stdlib.h>

static int load(yaa_config *cfg, yaa_err *err) {
    return yaa_config_load(cfg, "/nonexistent/.env", err);
}

static void test_values_reach_the_env(void **state) {
    (void)state;
    setenv("YAA_MEDIA_PRESET", "ultrafast", 1);
    setenv("YAA_MEDIA_FPS", "30", 1);
    setenv("ELEVENLABS_BASE_URL", "http://127.0.0.1:9/el", 1);
    yaa_config cfg;
    yaa_err err = {0};
    assert_int_equal(load(&cfg, &err), 0);
    yaa_media_env env;
    yaa_media_env_from_config(&env, &cfg);
    assert_string_equal(env.x264_preset, "ultrafast");
    assert_int_equal(env.fps, 30);
    assert_int_equal(env.workers, 2);
    assert_int_equal(env.ffmpeg_threads, 2);
    assert_string_equal(env.elevenlabs_base_url, "http://127.0.0.1:9/el");
    assert_null(env.openai_image_model); /* unset: the media library's default */
    yaa_config_free(&cfg);
    unsetenv("YAA_MEDIA_PRESET");
    unsetenv("YAA_MEDIA_FPS");
    unsetenv("ELEVENLABS_BASE_URL");
}

static void expect_refused(const char *var, const char *value) {
    setenv(var, value, 1);
    yaa_config cfg;
    yaa_err err = {0};
    assert_int_not_equal(load(&cfg, &err), 0);
    if (!strstr(err.msg, var)) fail_msg("message '%s' does not name %s", err.msg, var);
    unsetenv(var);
}

static void test_bad_values_stop_yaa(void **state) {
    (void)state;
    expect_refused("YAA_MEDIA_PRESET", "warp");
    expect_refused("YAA_MEDIA_FPS", "abc");
    expect_refused("YAA_MEDIA_FPS", "500");
    expect_refused("YAA_MEDIA_WORKERS", "0");
    expect_refused("YAA_MEDIA_MAX_RENDERS", "-1");
    expect_refused("ELEVENLABS_BASE_URL", "ftp://x");
}

static void test_no_config_means_defaults(void **state) {
    (void)state;
    yaa_media_env env;
    yaa_media_env_from_config(&env, NULL);
    assert_null(env.x264_preset);
    assert_int_equal(env.fps, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_reach_the_env),
        cmocka_unit_test(test_bad_values_stop_yaa),
        cmocka_unit_test(test_no_config_means_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
