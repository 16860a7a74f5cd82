/* test_mix.c - the sound track and the quality report: narration (loud and very quiet) with
 * looped music ends at -14 +/- 1 LUFS and under -1 dBTP; yaa_media_audio_loudness agrees with the
 * mixer; a composed video's quality.json measures the same loudness as a separate ebur128
 * pass, finds the captions covering the words, and fails the checks whose files say so. */
#include "test_util.h"

#include "core/buf.h"
#include "media/audio.h"
#include "media/media_internal.h"
#include "lsan_fontconfig.h"

#include <jansson.h>
#include <math.h>
#include <unistd.h>

static const char *const TEXT[] = {"Welcome back. Today we cook pasta in fifteen minutes.",
                                   "Boil the water first, then salt it well."};

/* Two narration WAVs; with gain < 1 their samples are scaled down (a quiet voice). */
static void speak(const char *dir, double gain, char wav[2][PATH_MAX + 16], double dur[2],
                  yaa_words *w) {
    yaa_err err = {0};
    double t0 = 0;
    for (int i = 0; i < 2; i++) {
        snprintf(wav[i], sizeof wav[i], "%s/n%d.wav", dir, i);
        yaa_voice v = {.language = "en"};
        yaa_tts_result r;
        assert_int_equal(yaa_media_tts_speak_local(NULL, &v, TEXT[i], wav[i], &r, &err), 0);
        dur[i] = r.duration;
        if (w)
            assert_int_equal(yaa_media_words_align(TEXT[i], r.marks, r.nmarks, r.speech_start,
                                                   r.speech_end, i, t0, w, &err),
                             0);
        t0 += r.duration;
        yaa_media_tts_result_free(&r);
        if (gain < 1) {
            short *s = NULL;
            size_t n = 0;
            int rate = 0;
            assert_int_equal(yaa_media__wav_read(wav[i], &s, &n, &rate, &err), 0);
            for (size_t k = 0; k < n; k++) s[k] = (short)(s[k] * gain);
            assert_int_equal(yaa_media_wav_write(wav[i], s, n, rate, &err), 0);
            free(s);
        }
    }
}

static void music(const char *dir, char *out, size_t n) {
    snprintf(out, n, "%s/music.wav", dir);
    char cmd[2 * PATH_MAX + 512];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i 'sine=frequency=330:duration=2' -ac 2 '%s'",
             out);
    assert_int_equal(system(cmd), 0);
}

static void test_mix_loudness(void **state) {
    (void)state;
    char dir[PATH_MAX], wav[2][PATH_MAX + 16], mus[PATH_MAX + 16], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    music(dir, mus, sizeof mus);
    for (int quiet = 0; quiet < 2; quiet++) {
        double dur[2];
        speak(dir, quiet ? 0.03 : 1.0, wav, dur, NULL); /* -30 dB: far too quiet */
        snprintf(out, sizeof out, "%s/mix%d.wav", dir, quiet);
        const char *narr[] = {wav[0], wav[1]}, *m[] = {mus};
        yaa_mix_request req = {
            .out_path = out, .narration = narr, .durations = dur, .n = 2, .music = m, .nmusic = 1};
        yaa_mix_result res;
        yaa_err err = {0};
        int rc = yaa_media_audio_mix(NULL, &req, &res, &err);
        if (rc) fprintf(stderr, "mix: %s\n", err.msg);
        assert_int_equal(rc, 0);
        assert_true(fabs(res.output_lufs + 14) <= 1.0);
        assert_true(res.output_tp <= -1.0);
        if (quiet) assert_true(res.input_lufs < -35);
        yaa_loudness l;
        assert_int_equal(yaa_media_audio_loudness(NULL, out, &l, &err), 0);
        assert_true(fabs(l.integrated_lufs - res.output_lufs) < 0.05);
        double d = 0;
        assert_int_equal(yaa_media_wav_duration(out, &d, &err), 0);
        assert_true(fabs(d - (dur[0] + dur[1])) < 0.05); /* the music loops, never longer */
    }
    /* a missing input is named */
    const char *narr[] = {"/nonexistent/n.wav"};
    double d1 = 1;
    yaa_mix_request bad = {.out_path = out, .narration = narr, .durations = &d1, .n = 1};
    yaa_err err = {0};
    assert_int_equal(yaa_media_audio_mix(NULL, &bad, NULL, &err), YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/n.wav"));
    yaa_test_rmrf(dir);
}

/* FFmpeg may log an empty summary for a graph it configured twice: the last one counts. */
static void test_r128_summary(void **state) {
    (void)state;
    const char *log = "[Parsed_ebur128_0] Summary:\n  Integrated loudness:\n    I: -70.0 LUFS\n"
                      "  Loudness range:\n    LRA: 0.0 LU\n  True peak:\n    Peak: -inf dBFS\n"
                      "[Parsed_ebur128_1] Summary:\n  Integrated loudness:\n    I: -14.2 LUFS\n"
                      "    Threshold: -24.0 LUFS\n  Loudness range:\n    LRA: 3.5 LU\n"
                      "  True peak:\n    Peak: -1.6 dBFS\n";
    yaa_loudness l;
    assert_int_equal(yaa_media__r128_summary(log, &l), 0);
    assert_true(fabs(l.integrated_lufs + 14.2) < 1e-9 && fabs(l.lra - 3.5) < 1e-9 &&
                fabs(l.true_peak_dbtp + 1.6) < 1e-9);
    assert_int_equal(yaa_media__r128_summary("no summary here", &l), YAA_EPARSE);
}

static void write_text(const char *dir, const char *name, const char *text) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    assert_int_equal(yaa_write_file(p, text, strlen(text)), 0);
}

static void test_quality_report(void **state) {
    (void)state;
    char dir[PATH_MAX], wav[2][PATH_MAX + 16], mix[PATH_MAX + 16], png[2][PATH_MAX + 16],
        video[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    double dur[2];
    yaa_words w = {0};
    speak(dir, 1.0, wav, dur, &w);
    snprintf(mix, sizeof mix, "%s/mix.wav", dir);
    const char *narr[] = {wav[0], wav[1]};
    yaa_mix_request mreq = {.out_path = mix, .narration = narr, .durations = dur, .n = 2};
    yaa_err err = {0};
    assert_int_equal(yaa_media_audio_mix(NULL, &mreq, NULL, &err), 0);
    yaa_caption_style st = {0};
    assert_int_equal(yaa_media_captions_write_all(&w, "flite", &st, dir, &err), 0);
    for (int i = 0; i < 2; i++) {
        snprintf(png[i], sizeof png[i], "%s/%d.png", dir, i);
        char cmd[2 * PATH_MAX + 512];
        snprintf(cmd, sizeof cmd,
                 "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=1920x1080:rate=1 "
                 "-frames:v 1 '%s'",
                 png[i]);
        assert_int_equal(system(cmd), 0);
    }
    snprintf(video, sizeof video, "%s/video.mp4", dir);
    const char *imgs[] = {png[0], png[1]};
    yaa_media_env env = {.x264_preset = "ultrafast", .fps = 10};
    yaa_compose_request creq = {.out_path = video,
                                .images = imgs,
                                .durations = dur,
                                .n = 2,
                                .audio_track = mix,
                                .subtitle_style = "none"};
    int rc = yaa_media_compose(&env, &creq, NULL, &err);
    if (rc) fprintf(stderr, "compose: %s\n", err.msg);
    assert_int_equal(rc, 0);
    yaa_quality q;
    assert_int_equal(yaa_media_quality_check(&env, dir, &q, &err), 0);
    yaa_loudness l;
    assert_int_equal(yaa_media_audio_loudness(&env, video, &l, &err), 0);
    assert_true(fabs(q.lufs - l.integrated_lufs) < 0.1); /* same file, another ebur128 pass */
    assert_true(fabs(q.lufs + 14) <= 1.0 && q.true_peak <= -1.0);
    assert_true(q.caption_coverage >= 0.95);
    assert_int_equal(q.caption_overlaps, 0);
    assert_true(q.ok);
    /* what the other files say fails its checks */
    char title[160];
    memset(title, 'T', 120);
    title[120] = 0;
    char meta[512];
    snprintf(meta, sizeof meta, "{\"title\": \"%s\", \"description\": \"d\", \"tags\": []}", title);
    write_text(dir, "metadata.json", meta);
    write_text(dir, "media.json",
               "{\"shots\": [{\"source\": \"pexels\", \"contrast\": 7.1}, {\"source\": \"card\", "
               "\"contrast\": 3.2, \"text_overflow\": true}], \"stills\": [{\"source\": "
               "\"thumbnail\", \"text_overflow\": true}, {\"source\": \"title_card\", "
               "\"text_overflow\": false}]}");
    assert_int_equal(yaa_media_quality_check(&env, dir, &q, &err), 0);
    assert_false(q.ok);
    assert_int_equal(q.failed, 2);
    char qp[PATH_MAX + 32];
    snprintf(qp, sizeof qp, "%s/quality.json", dir);
    json_t *j = json_load_file(qp, 0, NULL);
    assert_non_null(j);
    json_t *pics = json_object_get(j, "pictures");
    assert_true(fabs(json_number_value(json_object_get(pics, "footage_share")) - 0.5) < 1e-9);
    assert_true(fabs(json_number_value(json_object_get(pics, "min_contrast")) - 3.2) < 1e-9);
    /* the section card and the thumbnail; stills are not shots (footage share stays 0.5) */
    assert_int_equal(json_integer_value(json_object_get(pics, "text_overflows")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "metadata"), "title_chars")), 120);
    json_t *loud = json_deep_copy(json_object_get(j, "loudness"));
    json_decref(j);
    /* a metadata edit refreshes the metadata part alone: the video is not measured again (a
     * copy of the report whose video is gone still refreshes), the verdict follows */
    char moved[PATH_MAX + 32];
    snprintf(moved, sizeof moved, "%s/video.moved", dir);
    assert_int_equal(rename(video, moved), 0);
    write_text(dir, "metadata.json", "{\"title\": \"Short and fine\", \"description\": \"d\"}");
    assert_int_equal(yaa_media_quality_metadata_refresh(dir, &err), 0);
    j = json_load_file(qp, 0, NULL);
    assert_non_null(j);
    json_t *md = json_object_get(j, "metadata");
    assert_int_equal(json_integer_value(json_object_get(md, "title_chars")), 14);
    assert_true(json_is_true(json_object_get(md, "ok")));
    assert_string_equal(json_string_value(json_object_get(md, "source")), "metadata.json");
    assert_true(json_equal(json_object_get(j, "loudness"), loud));      /* kept as measured */
    assert_int_equal(json_array_size(json_object_get(j, "failed")), 1); /* pictures only */
    json_decref(j);
    /* once published, what was uploaded is measured: the description with its chapters */
    write_text(dir, "publish.json",
               "{\"metadata\": {\"title\": \"Short and fine\", \"description\": \"<b>\", "
               "\"chapters\": [{\"start_seconds\": 0.0, \"title\": \"a\"}, "
               "{\"start_seconds\": 12.0, \"title\": \"b\"}]}}");
    assert_int_equal(yaa_media_quality_metadata_refresh(dir, &err), 0);
    j = json_load_file(qp, 0, NULL);
    md = json_object_get(j, "metadata");
    assert_string_equal(json_string_value(json_object_get(md, "source")), "publish.json");
    assert_int_equal(json_integer_value(json_object_get(md, "chapters")), 2);
    assert_true(json_is_true(json_object_get(md, "angle_brackets")));
    assert_true(json_is_false(json_object_get(md, "chapters_ok"))); /* YouTube needs 3 */
    assert_true(json_is_false(json_object_get(j, "ok")));
    json_decref(j);
    json_decref(loud);
    /* a broken report is an error that says how to rebuild it; no report is nothing to do */
    write_text(dir, "quality.json", "{not json");
    assert_int_not_equal(yaa_media_quality_metadata_refresh(dir, &err), 0);
    assert_non_null(strstr(err.msg, "yaa check"));
    assert_int_equal(unlink(qp), 0);
    assert_int_equal(yaa_media_quality_metadata_refresh(dir, &err), 0);
    assert_int_not_equal(access(qp, F_OK), 0);
    assert_int_equal(rename(moved, video), 0);
    /* no video: a clear error naming the folder */
    yaa_test_rmrf(dir);
    assert_int_equal(yaa_media_quality_check(&env, dir, &q, &err), YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no video"));
    yaa_media_words_free(&w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r128_summary),
        cmocka_unit_test(test_mix_loudness),
        cmocka_unit_test(test_quality_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
