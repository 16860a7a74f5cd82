/* test_wav_srt.c - WAV duration, voice parsing and subtitle cue building. */
#include "test_util.h"

#include "media/media.h"

#include <math.h>

static void test_wav_duration(void **state) {
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.wav", dir);
    short *s = calloc(33075, sizeof *s);
    assert_non_null(s);
    for (int i = 0; i < 33075; i++) s[i] = (short)(1000 * sin(i * 0.05));
    yaa_err err = {0};
    assert_int_equal(yaa_media_wav_write(path, s, 33075, 22050, &err), 0);
    double d = 0;
    assert_int_equal(yaa_media_wav_duration(path, &d, &err), 0);
    assert_true(fabs(d - 1.5) < 1e-9);
    free(s);
    /* not a WAV */
    FILE *f = fopen(path, "w");
    fputs("hello", f);
    fclose(f);
    assert_int_equal(yaa_media_wav_duration(path, &d, &err), YAA_EPARSE);
    yaa_test_rmrf(dir);
}

static size_t cps(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static void check_cues(const yaa_srt *srt, double total) {
    assert_true(srt->n > 0);
    assert_int_equal(srt->cues[0].start_ms, 0);
    assert_int_equal(srt->cues[srt->n - 1].end_ms, lround(total * 1000));
    for (size_t i = 0; i < srt->n; i++) {
        assert_true(srt->cues[i].start_ms < srt->cues[i].end_ms);
        if (i) assert_int_equal(srt->cues[i].start_ms, srt->cues[i - 1].end_ms);
        /* at most two lines, none too long */
        const char *t = srt->cues[i].text;
        int lines = 1;
        char *copy = strdup(t);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
            bool wide = strlen(line) > cps(line) * 2; /* Hangul: 3 bytes per code point */
            assert_true(cps(line) <= (wide ? 24u : 46u));
        }
        free(copy);
        for (const char *p = t; *p; p++) lines += *p == '\n';
        assert_true(lines <= 2);
    }
}

static void test_srt_build(void **state) {
    (void)state;
    const char *narr[] = {
        "Welcome to the channel. Today we look at how small breeders keep cats healthy, happy and "
        "well socialised, from the first week to the day a kitten goes home, and why that matters "
        "so much.",
        "",
        "고양이 건강은 첫 주부터 시작됩니다. 딥퓨어캐터리는 매일 아침 체중을 기록하고, 예방 접종 "
        "일정을 지키며, "
        "사회화 훈련을 꾸준히 합니다. 그래서 우리 아이들은 새 가족을 만나도 편안하게 적응합니다!",
        "Short."};
    double dur[] = {9.87, 0.3, 12.345, 0.8};
    yaa_srt srt;
    yaa_err err = {0};
    assert_int_equal(yaa_media_srt_build(narr, dur, 4, &srt, &err), 0);
    check_cues(&srt, 9.87 + 0.3 + 12.345 + 0.8);
    assert_true(srt.n >= 6);
    /* segment boundaries fall on cue boundaries */
    bool found = false;
    for (size_t i = 0; i < srt.n; i++) found |= srt.cues[i].start_ms == 10170;
    assert_true(found);
    char dir[PATH_MAX], path[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.srt", dir);
    assert_int_equal(yaa_media_srt_write(&srt, path, &err), 0);
    FILE *f = fopen(path, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "1\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_true(!strncmp(line, "00:00:00,000 --> ", 17));
    fclose(f);
    yaa_media_srt_free(&srt);
    yaa_test_rmrf(dir);
}

static void test_srt_long_words(void **state) {
    (void)state;
    const char *narr[] = {
        "Supercalifragilisticexpialidocious-and-then-some-more-unbroken-text-"
        "that-has-no-spaces-at-all-for-a-very-long-time-indeed-yes",
        "띄어쓰기없이아주길게이어지는한국어문장도읽기쉬운자막으로나뉘어야합니다정말로그렇습니다"};
    double dur[] = {3.0, 4.0};
    yaa_srt srt;
    yaa_err err = {0};
    assert_int_equal(yaa_media_srt_build(narr, dur, 2, &srt, &err), 0);
    check_cues(&srt, 7.0);
    yaa_media_srt_free(&srt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wav_duration),
        cmocka_unit_test(test_srt_build),
        cmocka_unit_test(test_srt_long_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
