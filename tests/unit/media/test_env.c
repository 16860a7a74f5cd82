/* test_env.c - the media knobs read from the environment: good values are used, bad ones are
 * ignored (with a warning) instead of failing the render at the end of a run. */
#include "test_util.h"

#include "media/media.h"

#include <stdlib.h>

static void test_preset(void **state) {
    (void)state;
    yaa_media_env env;
    setenv("YAA_MEDIA_PRESET", "ultrafast", 1);
    yaa_media_env_from_config(&env, NULL);
    assert_string_equal(env.x264_preset, "ultrafast");
    setenv("YAA_MEDIA_PRESET", "warp", 1);
    yaa_media_env_from_config(&env, NULL);
    assert_null(env.x264_preset); /* the default (veryfast) applies */
    unsetenv("YAA_MEDIA_PRESET");
    yaa_media_env_from_config(&env, NULL);
    assert_null(env.x264_preset);
}

static void test_numbers(void **state) {
    (void)state;
    yaa_media_env env;
    setenv("YAA_MEDIA_FPS", "30", 1);
    yaa_media_env_from_config(&env, NULL);
    assert_int_equal(env.fps, 30);
    setenv("YAA_MEDIA_FPS", "abc", 1);
    yaa_media_env_from_config(&env, NULL);
    assert_int_equal(env.fps, 0);
    setenv("YAA_MEDIA_FPS", "500", 1);
    yaa_media_env_from_config(&env, NULL);
    assert_int_equal(env.fps, 0);
    unsetenv("YAA_MEDIA_FPS");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preset),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
