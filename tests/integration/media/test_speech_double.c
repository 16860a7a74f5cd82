/* test_speech_double.c - TTS_PROVIDER=openai-compatible against a local double of
 * /v1/audio/speech that returns real audio: the narration is the server's audio and the words
 * follow its measured timing; 429 with Retry-After is waited out; 401, 5xx, audio that does
 * not decode and a missing key fall back to the local voice, say so through on_notice and are
 * reported to usage as errors. */
#include "test_util.h"

#include "doubles/double.h"
#include "media/audio.h"
#include "media/media.h"

#include <math.h>

static yaa_double d;
static char base[128];

static int setup(void **state) {
    (void)state;
    if (yaa_double_start(&d, "speech_double")) return -1;
    snprintf(base, sizeof base, "%s/v1", d.base);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    yaa_double_stop(&d);
    return 0;
}

typedef struct seen {
    int ok_remote, ok_local, errors;
    char notices[2048];
    char last_error[512];
} seen;

static void on_usage(void *ud, const yaa_media_usage *u) {
    seen *s = ud;
    if (strcmp(u->kind, "tts")) return;
    if (u->error) {
        s->errors++;
        snprintf(s->last_error, sizeof s->last_error, "%s", u->error);
        assert_int_equal(u->units, 0);
    } else if (u->local) {
        s->ok_local++;
    } else {
        s->ok_remote++;
        assert_string_equal(u->provider, "openai-compatible");
        assert_true(u->units > 0);
    }
}

static void on_notice(void *ud, const char *msg) {
    seen *s = ud;
    strncat(s->notices, msg, sizeof s->notices - strlen(s->notices) - 2);
    strcat(s->notices, "\n");
}

static yaa_media_env env_for(seen *s, const char *voice) {
    yaa_media_env env = {.tts_provider = "openai-compatible",
                         .tts_base_url = base,
                         .tts_voice = voice,
                         .on_usage = on_usage,
                         .usage_ud = s,
                         .on_notice = on_notice,
                         .notice_ud = s,
                         .workers = 1,
                         .http_timeout_ms = 20000};
    return env;
}

/* The server's tone: 4 words of 0.4 s with 0.2 s gaps = 2.2 s of speech, found again after
 * decoding, resampling and trimming; the words are spread over exactly that. */
static void test_server_audio_and_timing(void **state) {
    (void)state;
    yaa_double_reset(&d);
    char dir[PATH_MAX], wav[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(wav, sizeof wav, "%s/a.wav", dir);
    seen s = {0};
    yaa_media_env env = env_for(&s, "tone");
    yaa_voice v = {.language = "en", .rate = 1.0};
    yaa_tts_result r;
    yaa_err err = {0};
    int rc = yaa_media_tts_speak(&env, &v, "one two three four", wav, &r, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(r.provider, "openai-compatible");
    assert_true(fabs((r.speech_end - r.speech_start) - 2.2) < 0.05);
    assert_true(r.speech_start < 0.01); /* the tone starts at once: nothing to trim */
    assert_true(fabs(r.duration - (r.speech_end + 0.02 + 0.3)) < 0.03);
    double measured = 0;
    assert_int_equal(yaa_media_wav_duration(wav, &measured, &err), 0);
    assert_true(fabs(measured - r.duration) < 1e-6);
    yaa_words w = {0};
    assert_int_equal(yaa_media_words_align("one two three four", r.marks, r.nmarks, r.speech_start,
                                           r.speech_end, 0, 0, &w, &err),
                     0);
    assert_int_equal(w.n, 4);
    assert_true(fabs(w.w[0].start - r.speech_start) < 1e-9);
    assert_true(fabs(w.w[3].end - r.speech_end) < 1e-9);
    yaa_media_words_free(&w);
    yaa_media_tts_result_free(&r);
    assert_int_equal(s.ok_remote, 1);
    /* the request had OpenAI's shape: model default, the voice, wav, no key sent */
    json_t *reqs = yaa_double_requests(&d);
    assert_int_equal(json_array_size(reqs), 1);
    json_t *body =
        json_loads(json_string_value(json_object_get(json_array_get(reqs, 0), "body")), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(body, "model")), "gpt-4o-mini-tts");
    assert_string_equal(json_string_value(json_object_get(body, "voice")), "tone");
    assert_string_equal(json_string_value(json_object_get(body, "response_format")), "wav");
    assert_null(
        json_object_get(json_object_get(json_array_get(reqs, 0), "headers"), "authorization"));
    json_decref(body);
    json_decref(reqs);
    assert_int_equal(yaa_double_violations(&d), 0);
    yaa_test_rmrf(dir);
}

/* One section through yaa_media_generate with the double scripted to fail in `mode`. */
static void generate_with(const char *script, seen *s, yaa_media_env *env, int *requests) {
    yaa_double_reset(&d);
    if (script) yaa_double_script(&d, script);
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    static const char *const pal[] = {"#101010", "#FFD400", "#FFFFFF"};
    yaa_media_section sec = {"Hello", "Hello there, this is the narration.", "Hi", NULL};
    yaa_media_gen_request req = {.out_dir = dir,
                                 .sections = &sec,
                                 .nsections = 1,
                                 .title = "Test",
                                 .voice = {.language = "en"},
                                 .look = {pal, 3, NULL, "yaa"}};
    yaa_media_gen_result res = {0};
    yaa_err err = {0};
    int rc = yaa_media_generate(env, &req, &res, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0); /* never fails for the voice */
    assert_true(res.durations[0] > 1.0);
    yaa_words w;
    assert_int_equal(yaa_media_words_read_json(res.words_path, &w, &err), 0);
    assert_int_equal(w.n, 6);
    yaa_media_words_free(&w);
    json_t *reqs = yaa_double_requests(&d);
    *requests = (int)json_array_size(reqs);
    json_decref(reqs);
    yaa_media_gen_result_free(&res);
    yaa_test_rmrf(dir);
    (void)s;
}

static void test_retry_after_then_server(void **state) {
    (void)state;
    seen s = {0};
    yaa_media_env env = env_for(&s, "alloy");
    int n = 0;
    generate_with("[\"429:1\", \"ok\"]", &s, &env, &n);
    assert_int_equal(n, 2); /* waited out the Retry-After, then the server spoke */
    assert_int_equal(s.ok_remote, 1);
    assert_int_equal(s.ok_local, 0);
    assert_int_equal(s.notices[0], 0);
}

static void expect_fallback(const char *script, const char *voice, const char *why,
                            int expect_requests) {
    seen s = {0};
    yaa_media_env env = env_for(&s, voice);
    int n = 0;
    generate_with(script, &s, &env, &n);
    assert_int_equal(n, expect_requests);
    assert_int_equal(s.ok_remote, 0);
    assert_int_equal(s.ok_local, 1); /* Flite spoke the section instead */
    assert_int_equal(s.errors, 1);
    if (!strstr(s.notices, why) || !strstr(s.notices, "local voice"))
        fail_msg("notice '%s' does not say '%s' and the fallback", s.notices, why);
}

static void test_errors_fall_back(void **state) {
    (void)state;
    expect_fallback("[\"401\"]", "alloy", "HTTP 401", 1);
    expect_fallback("[\"503\", \"503\", \"503\"]", "alloy", "HTTP 503", 3);
    expect_fallback("[\"garbage\"]", "alloy", "voice decode", 1);
}

static void test_openai_without_key_falls_back(void **state) {
    (void)state;
    seen s = {0};
    yaa_media_env env = env_for(&s, "alloy");
    env.tts_provider = "openai";
    env.openai_base_url = base;
    int n = 0;
    generate_with(NULL, &s, &env, &n);
    assert_int_equal(n, 0);
    assert_int_equal(s.ok_local, 1);
    assert_non_null(strstr(s.notices, "OPENAI_API_KEY"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_audio_and_timing),
        cmocka_unit_test(test_retry_after_then_server),
        cmocka_unit_test(test_errors_fall_back),
        cmocka_unit_test(test_openai_without_key_falls_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
