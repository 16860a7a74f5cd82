/* test_tts.c - espeak-ng Korean and English speech with exact durations, usage reporting,
 * Flite's English voices chosen by name, and the ElevenLabs provider against its local
 * double. */
#include "test_util.h"

#include "core/buf.h"
#include "media/audio.h"
#include "media/media.h"
#include "net/usage.h"
#include "media_double.h"

#include <math.h>

static long usage_units;
static char usage_provider[32];

static int usage_errors;
static int ctx_marker;

static void on_usage(void *ud, void *ctx, const yaa_usage_event *ev) {
    (void)ud;
    assert_ptr_equal(ctx, &ctx_marker); /* the caller's context comes back */
    assert_int_equal(ev->kind, YAA_USAGE_TTS);
    usage_units += ev->units;
    if (ev->outcome == YAA_USAGE_ERROR) usage_errors++;
    if (!strcmp(ev->provider, "espeak")) assert_true(ev->cost_usd == 0);
    snprintf(usage_provider, sizeof usage_provider, "%s", ev->provider);
}

static long cb_units;
static void on_media_usage(void *ud, const yaa_media_usage *u) {
    assert_ptr_equal(ud, &ctx_marker);
    assert_string_equal(u->kind, "tts");
    assert_null(u->error);
    cb_units += u->units;
}

static double speak(const char *lang, double rate, const char *text, const char *path) {
    yaa_media_env env = {.usage_ctx = &ctx_marker};
    yaa_voice v = {.language = lang, .rate = rate, .trailing_pause_sec = -1};
    yaa_err err = {0};
    double d = 0;
    int rc = yaa_media_tts_synthesize(&env, &v, text, path, &d, &err);
    if (rc) fprintf(stderr, "tts: %s\n", err.msg);
    assert_int_equal(rc, 0);
    double measured = 0;
    assert_int_equal(yaa_media_wav_duration(path, &measured, &err), 0);
    assert_true(fabs(measured - d) < 1e-6); /* the reported duration is the file's */
    return d;
}

static void test_espeak_korean_english(void **state) {
    (void)state;
    char dir[PATH_MAX], ko[PATH_MAX + 16], en[PATH_MAX + 16], fast[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(ko, sizeof ko, "%s/ko.wav", dir);
    snprintf(en, sizeof en, "%s/en.wav", dir);
    snprintf(fast, sizeof fast, "%s/fast.wav", dir);
    usage_units = 0;
    const char *kt = "안녕하세요. 오늘은 고양이 건강에 대해 이야기해 보겠습니다.";
    double dk = speak("ko", 1.0, kt, ko);
    assert_true(dk > 1.5 && dk < 15);
    assert_int_equal(usage_units, (long)yaa_utf8_len(kt));
    assert_string_equal(usage_provider, "espeak");
    const char *et = "Hello and welcome. Today we talk about healthy cats and happy families.";
    double de = speak("en", 1.0, et, en);
    assert_true(de > 1.5 && de < 15);
    double df = speak("en", 1.6, et, fast);
    assert_true(df < de * 0.85); /* speech_rate is applied */
    /* trailing pause is part of the measured duration */
    yaa_media_env env = {.usage_ctx = &ctx_marker};
    yaa_voice v = {.language = "en", .trailing_pause_sec = 0.5};
    yaa_err err = {0};
    double dp = 0;
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, et, en, &dp, &err), 0);
    assert_true(fabs(dp - de - 0.5) < 0.1); /* espeak varies by a few ms run to run */
    /* with a callback, usage goes there instead of the process-wide hook */
    long before = usage_units;
    env.on_usage = on_media_usage;
    env.usage_ud = &ctx_marker;
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, "Hi there", en, &dp, &err), 0);
    assert_int_equal(cb_units, 8);
    assert_int_equal(usage_units, before);
    env.on_usage = NULL;
    /* unknown language: actionable error */
    v.language = "xx-nonexistent";
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, "hi", en, &dp, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "xx-nonexistent"));
    yaa_test_rmrf(dir);
}

static char cb_model[32];
static void on_model(void *ud, const yaa_media_usage *u) {
    (void)ud;
    snprintf(cb_model, sizeof cb_model, "%s", u->model);
}

/* rms by default, slt and awb by name (also as cmu_us_*), rms again for a name Flite lacks;
 * each a different voice with a word mark per word. */
static void test_flite_voices(void **state) {
    (void)state;
    char dir[PATH_MAX], wav[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    static const char *const names[] = {NULL, "slt", "cmu_us_awb", "alloy"};
    static const char *const models[] = {"cmu_us_rms", "cmu_us_slt", "cmu_us_awb", "cmu_us_rms"};
    double d[4];
    for (size_t i = 0; i < 4; i++) {
        yaa_media_env env = {.on_usage = on_model};
        yaa_voice v = {.language = "en", .name = names[i], .trailing_pause_sec = -1};
        yaa_tts_result r;
        yaa_err err = {0};
        snprintf(wav, sizeof wav, "%s/%zu.wav", dir, i);
        assert_int_equal(yaa_media_tts_speak(&env, &v,
                                             "Bring a large pot of water to a rolling boil.", wav,
                                             &r, &err),
                         0);
        assert_string_equal(r.provider, "flite");
        assert_string_equal(cb_model, models[i]);
        assert_int_equal(r.nmarks, 10);
        d[i] = r.duration;
        yaa_media_tts_result_free(&r);
    }
    assert_true(fabs(d[0] - d[3]) < 0.02); /* rms both times (Flite varies by a few ms) */
    assert_true(fabs(d[0] - d[1]) > 0.05 && fabs(d[1] - d[2]) > 0.05); /* three voices */
    yaa_test_rmrf(dir);
}

static void test_elevenlabs_double(void **state) {
    (void)state;
    char dir[PATH_MAX], mp3[PATH_MAX + 32], png[PATH_MAX + 32], log[PATH_MAX + 32],
        wav[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    assert_int_equal(media_double_fixtures(dir, mp3, png, sizeof mp3), 0);
    snprintf(log, sizeof log, "%s/requests.jsonl", dir);
    snprintf(wav, sizeof wav, "%s/el.wav", dir);
    media_double d;
    assert_int_equal(media_double_start(&d, mp3, png, log), 0);
    yaa_media_env env = {.tts_provider = "elevenlabs",
                         .elevenlabs_api_key = "test-key",
                         .elevenlabs_base_url = d.base,
                         .usage_ctx = &ctx_marker,
                         .http_timeout_ms = 10000};
    yaa_voice v = {.language = "ko", .rate = 1.0, .elevenlabs_voice_id = "voice123"};
    yaa_err err = {0};
    double dur = 0;
    usage_units = 0;
    int rc = yaa_media_tts_synthesize(&env, &v, "안녕하세요", wav, &dur, &err);
    if (rc) fprintf(stderr, "elevenlabs: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(fabs(dur - 1.5) < 0.1); /* 1.2 s of MP3 + 0.3 s pause, decoded to WAV */
    double m = 0;
    assert_int_equal(yaa_media_wav_duration(wav, &m, &err), 0);
    assert_true(fabs(m - dur) < 1e-6);
    assert_int_equal(usage_units, 5);
    assert_string_equal(usage_provider, "elevenlabs");
    /* the character alignment becomes one mark per character, on the WAV's timeline */
    yaa_tts_result r;
    assert_int_equal(yaa_media_tts_speak(&env, &v, "안녕 하세요", wav, &r, &err), 0);
    assert_int_equal(r.nmarks, 6);
    assert_int_equal(r.marks[3].offset, strlen("안녕 "));
    assert_true(r.marks[5].end <= r.duration && r.marks[5].end > 1.0);
    yaa_words w = {0};
    assert_int_equal(yaa_media_words_align("안녕 하세요", r.marks, r.nmarks, r.speech_start,
                                           r.speech_end, 0, 0, &w, &err),
                     0);
    assert_int_equal(w.n, 2);
    assert_true(fabs(w.w[1].start - r.marks[3].start) < 1e-9); /* from the alignment */
    yaa_media_words_free(&w);
    yaa_media_tts_result_free(&r);
    /* the request on the wire */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yaa_read_file(log, 1 << 20, &text, &len), 0);
    assert_non_null(
        strstr(text, "/v1/text-to-speech/voice123/with-timestamps?output_format=mp3_44100_128"));
    assert_non_null(strstr(text, "\"xi-api-key\": \"test-key\""));
    assert_non_null(strstr(text, "eleven_multilingual_v2"));
    free(text);
    /* 429 with Retry-After: retried, then the audio */
    v.elevenlabs_voice_id = "busy";
    rc = yaa_media_tts_synthesize(&env, &v, "retry me", wav, &dur, &err);
    if (rc) fprintf(stderr, "elevenlabs busy: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(dur > 1.0);
    v.elevenlabs_voice_id = "voice123";
    /* bad key: the API's message, classified */
    env.elevenlabs_api_key = "wrong";
    usage_errors = 0;
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, "hi", wav, &dur, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "Invalid API key"));
    assert_int_equal(usage_errors, 1); /* a failed call is reported, with no units */
    assert_null(strstr(err.msg, "wrong"));
    env.elevenlabs_api_key = "test-key";
    v.elevenlabs_voice_id = "missing";
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, "hi", wav, &dur, &err), YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "was not found"));
    v.elevenlabs_voice_id = "";
    assert_int_equal(yaa_media_tts_synthesize(&env, &v, "hi", wav, &dur, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "elevenlabs_voice_id"));
    media_double_stop(&d);
    /* server gone: a network error, not a hang */
    v.elevenlabs_voice_id = "voice123";
    env.http_timeout_ms = 3000;
    rc = yaa_media_tts_synthesize(&env, &v, "hi", wav, &dur, &err);
    assert_true(rc == YAA_ENET || rc == YAA_ETIMEOUT);
    yaa_test_rmrf(dir);
}

int main(void) {
    yaa_net_usage_set_hook(on_usage, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_espeak_korean_english),
        cmocka_unit_test(test_flite_voices),
        cmocka_unit_test(test_elevenlabs_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
