/* test_caption_pages.c - the caption band (libass drawn once per change, an animated PNG)
 * shows what FFmpeg's ass filter shows, frame for frame: the band overlaid on black against
 * the ass filter on black, every 0.1 s, including a stretch longer than one APNG delay. */
#include "test_util.h"

#include "media/media_internal.h"
#include "lsan_fontconfig.h"

#include <math.h>

/* A 640x360 script: a line whose words are highlighted in turn, a gap, a second line on two
 * rows, and one more after a 66 s silence (longer than an APNG frame's delay can say). */
static const char ASS[] =
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 640\nPlayResY: 360\nWrapStyle: 0\n"
    "ScaledBorderAndShadow: yes\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    "Style: Default,DejaVu Sans,28,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,"
    "100,0,0,1,2,0,2,40,40,24,1\n\n[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    "Dialogue: 0,0:00:00.50,0:00:01.00,Default,,0,0,0,,{\\c&H0041A5F2}Cats{\\r} need calm\n"
    "Dialogue: 0,0:00:01.00,0:00:01.50,Default,,0,0,0,,Cats {\\c&H0041A5F2}need{\\r} calm\n"
    "Dialogue: 0,0:00:01.50,0:00:01.83,Default,,0,0,0,,Cats need {\\c&H0041A5F2}calm{\\r}\n"
    "Dialogue: 0,0:00:02.20,0:00:03.00,Default,,0,0,0,,고양이의 {\\c&H0041A5F2}건강은{\\r}\\N"
    "첫 주부터\n"
    "Dialogue: 0,0:01:10.00,0:01:11.00,Default,,0,0,0,,{\\c&H0041A5F2}Bye{\\r} now\n";

static void write_ass(const char *dir, char *path, size_t n) {
    snprintf(path, n, "%s/captions.ass", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(ASS, f);
    fclose(f);
}

/* The lowest PSNR (Y) of any frame between the band over black and the ass filter over
 * black, at 10 fps over secs seconds. */
static double worst_psnr(const char *ass, const yaa_media__caption_band *b, int secs) {
    char cmd[4 * PATH_MAX + 4096];
    snprintf(cmd, sizeof cmd,
             "cd \"$(dirname '%s')\" && ffmpeg -nostdin -v error -f lavfi -i "
             "color=black:s=640x360:r=10:d=%d -max_fps 0 -f apng -i '%s' -filter_complex "
             "\"[0:v]format=yuv420p,split[a][b];[a]ass=filename=$(basename '%s')[ref];"
             "[b][1:v]overlay=x=%d:y=%d:format=yuv420:eof_action=repeat[got];"
             "[got][ref]psnr=stats_file=-\" -f null - | "
             "awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^psnr_y:/) { split($i, p, \":\"); "
             "v = p[2] == \"inf\" ? 99 : p[2] + 0; if (!n++ || v < m) m = v } } "
             "END { print (n ? m : -1), n }'",
             ass, secs, b->path, ass, b->box[0], b->box[1]);
    FILE *pf = popen(cmd, "r");
    assert_non_null(pf);
    double worst = -1;
    int frames = 0;
    assert_int_equal(fscanf(pf, "%lf %d", &worst, &frames), 2);
    pclose(pf);
    if (frames != secs * 10) fprintf(stderr, "compared %d frames, want %d\n", frames, secs * 10);
    assert_int_equal(frames, secs * 10);
    return worst;
}

static void test_band_matches_the_ass_filter(void **state) {
    (void)state;
    char dir[PATH_MAX], ass[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    write_ass(dir, ass, sizeof ass);
    yaa_media__caption_band b;
    yaa_err err = {0};
    int rc = yaa_media__caption_band_write(ass, 640, 360, 72.0, dir, &b, &err);
    if (rc) fprintf(stderr, "caption band: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(b.path[0] != 0);
    assert_non_null(strstr(b.path, "/.yaa-subs-"));
    /* the band: even, inside the frame, in its lower part, narrower than the frame */
    assert_true(b.box[0] % 2 == 0 && b.box[1] % 2 == 0 && b.box[2] % 2 == 0 && b.box[3] % 2 == 0);
    assert_true(b.box[0] >= 0 && b.box[0] + b.box[2] <= 640);
    assert_true(b.box[1] > 180 && b.box[1] + b.box[3] <= 360);
    assert_true(b.box[2] < 640);
    /* one frame per distinct picture: blank, 3 highlights, blank, the Hangul lines, blank,
     * the 65.535 s delay split once, "Bye now", blank */
    assert_int_equal(b.frames, 10);
    assert_true(b.cpu_sec >= 0 && b.cpu_sec < 5);
    double worst = worst_psnr(ass, &b, 72);
    if (worst < 40) fprintf(stderr, "worst frame PSNR %.2f dB\n", worst);
    assert_true(worst >= 40);
    unlink(b.path);
    yaa_test_rmrf(dir);
}

/* Each picture starts exactly at its event's edge (ms), however close the edges are. */
static void test_band_times(void **state) {
    (void)state;
    char dir[PATH_MAX], ass[PATH_MAX + 16], cmd[2 * PATH_MAX], got[4096] = "";
    yaa_test_tmpdir(dir, sizeof dir);
    write_ass(dir, ass, sizeof ass);
    yaa_media__caption_band b;
    yaa_err err = {0};
    assert_int_equal(yaa_media__caption_band_write(ass, 640, 360, 80.0, dir, &b, &err), 0);
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -max_fps 0 -f apng -i '%s' -show_entries frame=pts_time -of "
             "csv=p=0 | tr '\\n' ' '",
             b.path);
    FILE *pf = popen(cmd, "r");
    assert_non_null(pf);
    size_t n = fread(got, 1, sizeof got - 1, pf);
    got[n] = 0;
    pclose(pf);
    static const double want[] = {0, 0.5, 1.0, 1.5, 1.83, 2.2, 3.0, 68.535, 70.0, 71.0};
    char *p = got;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *end;
        double t = strtod(p, &end);
        if (end == p || fabs(t - want[i]) > 1e-4) fprintf(stderr, "frame %zu: %s\n", i, got);
        assert_true(end != p);
        assert_true(fabs(t - want[i]) <= 1e-4);
        p = end;
    }
    unlink(b.path);
    yaa_test_rmrf(dir);
}

static void test_no_caption_no_file(void **state) {
    (void)state;
    char dir[PATH_MAX], ass[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(ass, sizeof ass, "%s/empty.ass", dir);
    FILE *f = fopen(ass, "w");
    assert_non_null(f);
    fputs("[Script Info]\nScriptType: v4.00+\nPlayResX: 640\nPlayResY: 360\n\n[Events]\n"
          "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
          f);
    fclose(f);
    yaa_media__caption_band b;
    yaa_err err = {0};
    assert_int_equal(yaa_media__caption_band_write(ass, 640, 360, 5.0, dir, &b, &err), 0);
    assert_string_equal(b.path, "");
    assert_int_equal(b.frames, 0);
    /* a file that is not there: the error names it */
    snprintf(ass, sizeof ass, "%s/missing.ass", dir);
    assert_int_not_equal(yaa_media__caption_band_write(ass, 640, 360, 5.0, dir, &b, &err), 0);
    assert_non_null(strstr(err.msg, "missing.ass"));
    assert_string_equal(b.path, "");
    yaa_test_rmrf(dir);
}

/* Captions that change while on screen (a move, a fade, a transform, a karaoke sweep, a
 * scrolling effect) cannot be one picture per edge: nothing is written, the caller burns
 * them with the ass filter. Static override tags (colour, font, position) stay bands. */
static void test_moving_captions_are_left_to_libass(void **state) {
    (void)state;
    static const char *const moving[] = {
        "{\\move(10,10,200,10)}Cats", "{\\fad(200,200)}Cats", "{\\t(\\fscx120)}Cats",
        "{\\k40}Cats {\\k30}now",     "{\\kf25}Cats",         "{\\K25}Cats"};
    static const char *const still[] = {"{\\c&H0041A5F2}Cats{\\r} now", "{\\pos(320,300)}Cats",
                                        "{\\fnDejaVu Sans}Cats", "Cats\\Nnow"};
    char dir[PATH_MAX], ass[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(ass, sizeof ass, "%s/c.ass", dir);
    for (size_t k = 0; k < 2; k++) {
        const char *const *set = k ? still : moving;
        size_t n = k ? sizeof still / sizeof still[0] : sizeof moving / sizeof moving[0];
        for (size_t i = 0; i < n; i++) {
            FILE *f = fopen(ass, "w");
            assert_non_null(f);
            fprintf(f,
                    "[Script Info]\nScriptType: v4.00+\nPlayResX: 640\nPlayResY: 360\n\n"
                    "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, "
                    "MarginV, Effect, Text\nDialogue: 0,0:00:00.50,0:00:01.50,Default,,0,0,0,,"
                    "%s\n",
                    set[i]);
            fclose(f);
            yaa_media__caption_band b;
            yaa_err err = {0};
            assert_int_equal(yaa_media__caption_band_write(ass, 640, 360, 3.0, dir, &b, &err), 0);
            if (b.animated != !k) fprintf(stderr, "%s: animated %d\n", set[i], b.animated);
            assert_int_equal(b.animated, !k);
            assert_int_equal(b.path[0] != 0, k); /* a band only for the still ones */
            if (b.path[0]) unlink(b.path);
        }
    }
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_matches_the_ass_filter),
        cmocka_unit_test(test_band_times),
        cmocka_unit_test(test_no_caption_no_file),
        cmocka_unit_test(test_moving_captions_are_left_to_libass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
