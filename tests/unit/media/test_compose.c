/* test_compose.c - the media stages end to end on short clips: generate (TTS + cards in
 * parallel, SRT) then compose; ffprobe checks streams and duration; 9:16; soft subtitles with
 * BGM and an intro; cancel kills the render. */
#include "test_util.h"

#include "media/media.h"
#include "lsan_fontconfig.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

static const char *const PALETTE[] = {"#0F172A", "#22C55E", "#F8FAFC"};

static const yaa_media_section KO[] = {
    {"고양이 건강의 시작", "안녕하세요. 오늘은 고양이 건강 이야기입니다.", "첫 주가 중요합니다",
     NULL},
    {"매일 기록하기", "매일 아침 체중을 기록하세요.", "체중, 식사, 기분", NULL},
    {"구독해 주세요", "감사합니다. 다음 영상에서 만나요.", "구독과 좋아요", NULL},
};

static const yaa_media_section EN[] = {
    {"Start here", "Welcome. Cats need calm.", "Calm first", NULL},
    {"Every day", "Weigh them each morning.", "Weigh daily", NULL},
};

static int cancel_after; /* cancel once progress has been reported this many times */
static int progress_calls;
static void on_progress(void *ud, const char *what, double f) {
    (void)ud;
    (void)f;
    if (!strcmp(what, "render")) progress_calls++;
}
static bool should_cancel(void *ud) {
    (void)ud;
    return cancel_after > 0 && progress_calls >= cancel_after;
}

static long timeout_sec; /* 0 = default */

static yaa_media_env test_env(void) {
    yaa_media_env env = {.x264_preset = "ultrafast",
                         .fps = 10,
                         .ffmpeg_threads = 2,
                         .workers = 2,
                         .on_progress = on_progress,
                         .should_cancel = should_cancel,
                         .render_timeout_sec = timeout_sec};
    return env;
}

static void generate(const char *dir, const yaa_media_section *s, size_t n, const char *lang,
                     bool vertical, yaa_media_gen_result *res) {
    yaa_media_env env = test_env();
    yaa_media_gen_request req = {.out_dir = dir,
                                 .sections = s,
                                 .nsections = n,
                                 .title = "테스트 영상 Test video",
                                 .voice = {.language = lang, .rate = 1.3},
                                 .look = {PALETTE, 3, NULL, "yaa"},
                                 .short_video = vertical};
    yaa_err err = {0};
    int rc = yaa_media_generate(&env, &req, res, &err);
    if (rc) fprintf(stderr, "generate: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(res->n, n);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = 0;
        assert_int_equal(yaa_media_wav_duration(res->audio_paths[i], &d, &err), 0);
        assert_true(fabs(d - res->durations[i]) < 1e-6);
        assert_int_equal(access(res->image_paths[i], R_OK), 0);
        sum += d;
    }
    assert_true(fabs(sum - res->total_sec) < 1e-6);
    assert_int_equal(access(res->thumbnail_path, R_OK), 0);
    assert_int_equal(access(res->srt_path, R_OK), 0);
}

static void compose(const yaa_media_gen_result *g, const char *out, const char *style,
                    bool vertical, const char *bgm, const char *intro, yaa_compose_result *cres,
                    int expect) {
    yaa_media_env env = test_env();
    yaa_compose_request req = {.out_path = out,
                               .images = (const char *const *)g->image_paths,
                               .audio = (const char *const *)g->audio_paths,
                               .durations = g->durations,
                               .n = g->n,
                               .srt_path = g->srt_path,
                               .subtitle_style = style,
                               .bgm_path = bgm,
                               .bgm_volume = 0.2,
                               .intro_path = intro,
                               .short_video = vertical,
                               .crossfade_sec = 0.4};
    yaa_err err = {0};
    int rc = yaa_media_compose(&env, &req, cres, &err);
    if (rc != expect) fprintf(stderr, "compose: %s\n", err.msg);
    assert_int_equal(rc, expect);
}

static void probe_ok(const char *path, double want, int w, int h, int subs) {
    yaa_media_probe_info pi;
    yaa_err err = {0};
    assert_int_equal(yaa_media_probe(NULL, path, &pi, &err), 0);
    assert_int_equal(pi.video_streams, 1);
    assert_int_equal(pi.audio_streams, 1);
    assert_string_equal(pi.video_codec, "h264");
    assert_string_equal(pi.audio_codec, "aac");
    assert_int_equal(pi.width, w);
    assert_int_equal(pi.height, h);
    assert_int_equal(pi.subtitle_streams, subs);
    if (fabs(pi.duration - want) >= 0.5)
        fprintf(stderr, "duration %f, want %f\n", pi.duration, want);
    assert_true(fabs(pi.duration - want) < 0.5);
}

/* A clip of an lavfi source (a pattern or a colour) of a size, at a frame rate, made with
 * ffmpeg and x264's preset. */
static void make_clip_as(const char *path, const char *source, const char *size, int fps,
                         double sec, const char *preset) {
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i %s%ssize=%s:rate=%d:duration=%.2f "
             "-c:v libx264 -preset %s -pix_fmt yuv420p '%s'",
             source, strchr(source, '=') ? ":" : "=", size, fps, sec, preset, path);
    assert_int_equal(system(cmd), 0);
}

/* A small clip, quickly made. */
static void make_clip(const char *path, const char *source, int fps, double sec) {
    make_clip_as(path, source, "320x180", fps, sec, "ultrafast");
}

/* Output of `cmd` (first line) into out; 0 when it ran. */
static int run_read(const char *cmd, char *out, size_t n) {
    FILE *pf = popen(cmd, "r");
    if (!pf) return -1;
    size_t got = fread(out, 1, n - 1, pf);
    out[got] = 0;
    return pclose(pf);
}

/* The number of video frames really encoded in path (its packets, counted by ffprobe). */
static long video_frames(const char *path) {
    char cmd[PATH_MAX + 160], res[64];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -select_streams v -count_packets -show_entries "
             "stream=nb_read_packets -of csv=p=0 '%s'",
             path);
    assert_int_equal(run_read(cmd, res, sizeof res), 0);
    return atol(res);
}

static void test_korean_16x9_burned(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, KO, 3, "ko", false, &g);
    snprintf(out, sizeof out, "%s/video.mp4", dir);
    yaa_compose_result cr;
    progress_calls = 0;
    cancel_after = 0;
    compose(&g, out, "default", false, NULL, NULL, &cr, 0);
    probe_ok(out, g.total_sec, 1920, 1080, 0);
    assert_true(fabs(cr.duration_sec - g.total_sec) < 0.5);
    assert_true(progress_calls >= 1);
    /* every frame is really encoded (no gaps the muxer would paper over): frames = fps x total */
    long frames = video_frames(out);
    if (labs(frames - lround(g.total_sec * 10)) > 1)
        fprintf(stderr, "frames %ld total %f\n", frames, g.total_sec);
    assert_true(labs(frames - lround(g.total_sec * 10)) <= 1); /* tests run at 10 fps */
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* The brightest luma of the caption zone (centre bottom) at 1.0 s, after an intro of
 * intro_sec. */
static int caption_zone_ymax(const char *video, double intro_sec) {
    char cmd[2 * PATH_MAX];
    snprintf(
        cmd, sizeof cmd,
        "ffmpeg -nostdin -v error -ss %.2f -i '%s' -frames:v 1 -vf "
        "\"crop=960:110:480:950,signalstats,metadata=print:key=lavfi.signalstats.YMAX:file=-\" "
        "-f null - 2>&1 | grep -o 'YMAX=[0-9]*' | cut -d= -f2",
        intro_sec + 1.0, video);
    FILE *pf = popen(cmd, "r");
    assert_non_null(pf);
    int y = -1;
    assert_int_equal(fscanf(pf, "%d", &y), 1);
    pclose(pf);
    return y;
}

/* Word-highlighted captions burned from their band (drawn once per change): on screen while
 * the narration speaks, after an intro too; every frame there, no work file left behind. */
static void test_burned_captions_band(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16], plain[PATH_MAX + 16], intro[PATH_MAX + 16],
        cmd[4 * PATH_MAX], res[4096];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(intro, sizeof intro, "%s/intro.mp4", dir);
    make_clip_as(intro, "color=c=black", "640x360", 10, 1, "ultrafast");
    yaa_media_gen_result g;
    generate(dir, KO, 3, "ko", false, &g);
    snprintf(out, sizeof out, "%s/captioned.mp4", dir);
    snprintf(plain, sizeof plain, "%s/plain.mp4", dir);
    yaa_media_env env = test_env();
    yaa_compose_request req = {.out_path = out,
                               .images = (const char *const *)g.image_paths,
                               .audio = (const char *const *)g.audio_paths,
                               .durations = g.durations,
                               .n = g.n,
                               .srt_path = g.srt_path,
                               .captions_ass = g.ass_path,
                               .intro_path = intro,
                               .crossfade_sec = 0.4};
    yaa_err err = {0};
    cancel_after = 0;
    yaa_compose_result cr;
    int rc = yaa_media_compose(&env, &req, &cr, &err);
    if (rc) fprintf(stderr, "compose: %s\n", err.msg);
    assert_int_equal(rc, 0);
    req.out_path = plain;
    req.subtitle_style = "none";
    assert_int_equal(yaa_media_compose(&env, &req, NULL, &err), 0);
    /* every frame: the intro's 10 and the narration's */
    assert_int_equal(video_frames(out), 10 + lround(g.total_sec * 10));
    int with = caption_zone_ymax(out, 1.0), without = caption_zone_ymax(plain, 1.0);
    if (with < 200 || without > 120) fprintf(stderr, "caption zone YMAX %d / %d\n", with, without);
    assert_true(with >= 200);    /* white caption text */
    assert_true(without <= 120); /* the card's dark background there */
    /* captions that move (here a \move that stays put) are burned by the ass filter */
    char moving[PATH_MAX + 16];
    snprintf(moving, sizeof moving, "%s/moving.ass", dir);
    snprintf(cmd, sizeof cmd,
             "sed 's/,,0,0,0,,/,,0,0,0,,{\\\\move(960,1000,960,1000)}/' '%s' > '%s' && "
             "grep -c 'move(' '%s'",
             g.ass_path, moving, moving);
    assert_int_equal(run_read(cmd, res, sizeof res), 0);
    assert_true(atoi(res) > 0);
    req.out_path = out;
    req.subtitle_style = NULL;
    req.captions_ass = moving;
    assert_int_equal(yaa_media_compose(&env, &req, NULL, &err), 0);
    with = caption_zone_ymax(out, 1.0);
    if (with < 200) fprintf(stderr, "moving captions: caption zone YMAX %d\n", with);
    assert_true(with >= 200);
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^\\.yaa-subs'", dir);
    run_read(cmd, res, sizeof res);
    assert_int_equal(atoi(res), 0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

static void test_short_9x16_soft_bgm_intro(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16], bgm[PATH_MAX + 16], intro[PATH_MAX + 16],
        cmd[4 * PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(bgm, sizeof bgm, "%s/bgm.mp3", dir);
    snprintf(intro, sizeof intro, "%s/intro.mp4", dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=220:duration=2 -c:a "
             "libmp3lame '%s' && "
             "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=640x360:rate=10:duration=1 -c:v "
             "libx264 "
             "-preset ultrafast -pix_fmt yuv420p '%s'",
             bgm, intro);
    assert_int_equal(system(cmd), 0);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", true, &g);
    snprintf(out, sizeof out, "%s/short.mp4", dir);
    yaa_compose_result cr;
    cancel_after = 0;
    compose(&g, out, "soft", true, bgm, intro, &cr, 0);
    probe_ok(out, g.total_sec + 1.0, 1080, 1920, 1); /* intro (no audio) + narration */
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

static void test_cancel_kills_render(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    /* stretch the segments so the render lasts long enough to be cancelled mid-way */
    for (size_t i = 0; i < g.n; i++) g.durations[i] = 600;
    snprintf(out, sizeof out, "%s/video.mp4", dir);
    yaa_compose_result cr;
    progress_calls = 0;
    cancel_after = 2;
    compose(&g, out, "none", false, NULL, NULL, &cr, YAA_ECANCELLED);
    cancel_after = 0;
    assert_int_not_equal(access(out, F_OK), 0); /* nothing half-written left behind */
    char part[PATH_MAX + 32];
    snprintf(part, sizeof part, "%s.part", out);
    assert_int_not_equal(access(part, F_OK), 0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

static void test_timeout_kills_render(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    for (size_t i = 0; i < g.n; i++) g.durations[i] = 600;
    snprintf(out, sizeof out, "%s/video.mp4", dir);
    yaa_compose_result cr;
    cancel_after = 0;
    timeout_sec = 1;
    compose(&g, out, "none", false, NULL, NULL, &cr, YAA_ETIMEOUT);
    timeout_sec = 0;
    assert_int_not_equal(access(out, F_OK), 0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

typedef struct cap_job {
    const yaa_media_gen_result *g;
    char out[PATH_MAX + 16];
    atomic_int stop, started, polls;
    int rc;
    yaa_err err;
} cap_job;

static bool cap_cancel(void *ud) {
    cap_job *j = ud;
    atomic_fetch_add(&j->polls, 1);
    return atomic_load(&j->stop) != 0;
}
static void cap_progress(void *ud, const char *what, double f) {
    (void)what;
    (void)f;
    atomic_store(&((cap_job *)ud)->started, 1);
}

static void *cap_render(void *ud) {
    cap_job *j = ud;
    yaa_media_env env = {.x264_preset = "ultrafast",
                         .fps = 10,
                         .should_cancel = cap_cancel,
                         .cancel_ud = j,
                         .on_progress = cap_progress,
                         .progress_ud = j};
    yaa_compose_request req = {.out_path = j->out,
                               .images = (const char *const *)j->g->image_paths,
                               .audio = (const char *const *)j->g->audio_paths,
                               .durations = j->g->durations,
                               .n = j->g->n,
                               .subtitle_style = "none"};
    j->rc = yaa_media_compose(&env, &req, NULL, &j->err);
    return NULL;
}

/* With a cap of one render, a second render queues (and can be cancelled while queued). */
static void test_render_cap(void **state) {
    (void)state;
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    for (size_t i = 0; i < g.n; i++) g.durations[i] = 600;
    yaa_media_set_max_renders(1);
    static cap_job a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.g = b.g = &g;
    snprintf(a.out, sizeof a.out, "%s/a.mp4", dir);
    snprintf(b.out, sizeof b.out, "%s/b.mp4", dir);
    pthread_t ta;
    assert_int_equal(pthread_create(&ta, NULL, cap_render, &a), 0);
    for (int i = 0; i < 600 && !atomic_load(&a.started); i++) usleep(50000);
    assert_true(atomic_load(&a.started));
    /* b waits for the slot; cancel it after a few polls */
    pthread_t tb;
    assert_int_equal(pthread_create(&tb, NULL, cap_render, &b), 0);
    while (atomic_load(&b.polls) < 3) usleep(20000);
    atomic_store(&b.stop, 1);
    pthread_join(tb, NULL);
    assert_int_equal(b.rc, YAA_ECANCELLED);
    assert_non_null(strstr(b.err.msg, "waiting for a render slot"));
    assert_false(atomic_load(&b.started));
    atomic_store(&a.stop, 1);
    pthread_join(ta, NULL);
    assert_int_equal(a.rc, YAA_ECANCELLED);
    yaa_media_set_max_renders(0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* Footage (shorter than its shot: looped), a photo of another shape, a card with an overlay,
 * in 16:9 and 9:16: the track lasts the narration and no stretch of 1 s is frozen. */
static void shots_move(bool vertical) {
    char dir[PATH_MAX], out[PATH_MAX + 16], clip[PATH_MAX + 16], photo[PATH_MAX + 16],
        ovl[PATH_MAX + 16], banner[PATH_MAX + 16], cmd[6 * PATH_MAX], res[8192];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(clip, sizeof clip, "%s/clip.mp4", dir);
    snprintf(photo, sizeof photo, "%s/photo.png", dir);
    snprintf(ovl, sizeof ovl, "%s/ovl.png", dir);
    snprintf(banner, sizeof banner, "%s/banner.png", dir);
    snprintf(
        cmd, sizeof cmd,
        "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=640x360:rate=30:duration=1.5 "
        "-c:v libx264 -preset ultrafast -pix_fmt yuv420p '%s' && "
        "ffmpeg -nostdin -v error -y -f lavfi -i smptebars=size=800x600 -frames:v 1 '%s' && "
        "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x2060a0@0.8:size=600x120,format=rgba "
        "-frames:v 1 '%s' && cp '%s' '%s'",
        clip, photo, ovl, ovl, banner);
    assert_int_equal(system(cmd), 0);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", vertical, &g);
    double total = g.total_sec;
    yaa_shot shots[] = {{YAA_SHOT_CARD, g.image_paths[0], 1.0, 0, ovl, 0},
                        {YAA_SHOT_FOOTAGE, clip, 2.0, 0.2, ovl, 0},
                        {YAA_SHOT_PHOTO, photo, 1.5, 0, NULL, 0}};
    /* long enough for several pan steps per shot */
    for (size_t i = 0; i < g.n; i++) g.durations[i] *= 6.0 / total;
    snprintf(out, sizeof out, "%s/shots.mp4", dir);
    yaa_media_env env = test_env();
    yaa_compose_request req = {.out_path = out,
                               .audio = (const char *const *)g.audio_paths,
                               .durations = g.durations,
                               .n = g.n,
                               .short_video = vertical,
                               .crossfade_sec = 0.4,
                               .shots = shots,
                               .nshots = 3,
                               .transitions = "slideup,circleopen",
                               .banner_png = vertical ? banner : NULL,
                               .captions_ass = vertical ? g.ass_path : NULL};
    yaa_err err = {0};
    cancel_after = 0;
    int rc = yaa_media_compose(&env, &req, NULL, &err);
    if (rc) fprintf(stderr, "compose: %s\n", err.msg);
    assert_int_equal(rc, 0);
    yaa_media_probe_info pi;
    assert_int_equal(yaa_media_probe(NULL, out, &pi, &err), 0);
    assert_int_equal(pi.width, vertical ? 1080 : 1920);
    assert_true(fabs(pi.duration - 6.0) < 0.3);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -hide_banner -i '%s' -vf freezedetect=n=-60dB:d=1 -map 0:v -f null - "
             "2>&1 | grep -c freeze_start",
             out);
    run_read(cmd, res, sizeof res);
    if (atoi(res) != 0) fprintf(stderr, "frozen stretches: %s\n", res);
    assert_int_equal(atoi(res), 0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

static void test_shots_move_16x9(void **state) {
    (void)state;
    shots_move(false);
}

static void test_shots_move_9x16(void **state) {
    (void)state;
    shots_move(true);
}

/* The brightest luma of the heading's box in frames 0 and 10 (1.0 s at 10 fps). */
static void heading_ymax(const char *video, int ymax[2]) {
    char cmd[2 * PATH_MAX], res[8192];
    snprintf(
        cmd, sizeof cmd,
        "ffmpeg -nostdin -v error -i '%s' -vf \"select='eq(n\\,0)+eq(n\\,10)',crop=700:90:200:330,"
        "signalstats,metadata=print:key=lavfi.signalstats.YMAX:file=-\" -f null - 2>&1 | "
        "grep -o 'YMAX=[0-9]*' | cut -d= -f2 | tr '\\n' ' '",
        video);
    assert_int_equal(run_read(cmd, res, sizeof res), 0);
    assert_int_equal(sscanf(res, "%d %d", &ymax[0], &ymax[1]), 2);
}

/* A card's heading and key line come in over its first half second: frame 0 shows the card
 * without them (its plain layer), a second in shows them in the text colour. */
static void test_card_text_animates_in(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16], layer[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    snprintf(layer, sizeof layer, "%s/images/01.text.png", dir);
    assert_int_equal(access(layer, R_OK), 0);
    snprintf(layer, sizeof layer, "%s/images/01.plain.png", dir);
    assert_int_equal(access(layer, R_OK), 0);
    for (size_t i = 0; i < g.n; i++) g.durations[i] *= 5.0 / g.total_sec;
    snprintf(out, sizeof out, "%s/cards.mp4", dir);
    yaa_compose_result cres;
    compose(&g, out, "none", false, NULL, NULL, &cres, 0);
    int ymax[2];
    heading_ymax(out, ymax);
    if (ymax[0] > 100 || ymax[1] < 180)
        fprintf(stderr, "heading YMAX %d -> %d\n", ymax[0], ymax[1]);
    assert_true(ymax[0] <= 100); /* the dark background alone */
    assert_true(ymax[1] >= 180); /* the light text */
    /* without the layers the card is shown whole from its first frame */
    unlink(layer);
    compose(&g, out, "none", false, NULL, NULL, &cres, 0);
    heading_ymax(out, ymax);
    assert_true(ymax[0] >= 180);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* A black 600 x 120 RGBA picture: a lower third as the tests look for it. */
static void make_box_png(const char *path) {
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i color=c=black:size=600x120,format=rgba "
             "-frames:v 1 '%s'",
             path);
    assert_int_equal(system(cmd), 0);
}

/* Word-highlighted captions compose_shots burns, NULL for none. */
static const char *shots_captions;

/* Composes shots over g's narration (durations scaled to total seconds) into out. */
static void compose_shots(yaa_media_gen_result *g, yaa_shot *shots, size_t n, double total, int fps,
                          const char *transitions, const char *out, yaa_compose_result *res) {
    for (size_t i = 0; i < g->n; i++) g->durations[i] *= total / g->total_sec;
    g->total_sec = total;
    yaa_media_env env = test_env();
    env.fps = fps;
    yaa_compose_request req = {.out_path = out,
                               .audio = (const char *const *)g->audio_paths,
                               .durations = g->durations,
                               .n = g->n,
                               .crossfade_sec = 0.4,
                               .shots = shots,
                               .nshots = n,
                               .transitions = transitions,
                               .captions_ass = shots_captions};
    yaa_err err = {0};
    cancel_after = 0;
    int rc = yaa_media_compose(&env, &req, res, &err);
    if (rc) fprintf(stderr, "compose: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

/* With no frame rate set the video takes its footage's: the rate shown longest (a 60 fps clip
 * counts as 30), probed when the shot does not carry it; 25 for cards alone; a set rate wins. */
static void test_frame_rate_follows_footage(void **state) {
    (void)state;
    char dir[PATH_MAX], a[PATH_MAX + 16], b[PATH_MAX + 16], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a24.mp4", dir);
    snprintf(b, sizeof b, "%s/b60.mp4", dir);
    snprintf(out, sizeof out, "%s/v.mp4", dir);
    make_clip(a, "testsrc2", 24, 1);
    make_clip(b, "testsrc2", 60, 1);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    yaa_shot shots[] = {{YAA_SHOT_FOOTAGE, a, 1.0, 0, NULL, 0},
                        {YAA_SHOT_FOOTAGE, b, 2.0, 0, NULL, 0}};
    yaa_compose_result res;
    yaa_media_probe_info pi;
    yaa_err err = {0};
    compose_shots(&g, shots, 2, 3.0, 0, NULL, out, &res);
    assert_int_equal(res.fps, 30);
    assert_int_equal(yaa_media_probe(NULL, out, &pi, &err), 0);
    assert_true(fabs(pi.fps - 30) < 0.01);
    shots[0].duration = 3.0, shots[0].fps = 23.976; /* carried by the shot: not probed */
    compose_shots(&g, shots, 2, 3.0, 0, NULL, out, &res);
    assert_int_equal(res.fps, 24);
    compose_shots(&g, shots, 2, 3.0, 12, NULL, out, &res);
    assert_int_equal(res.fps, 12);
    assert_int_equal(yaa_media_probe(NULL, out, &pi, &err), 0);
    assert_true(fabs(pi.fps - 12) < 0.01);
    yaa_shot cards[] = {{YAA_SHOT_CARD, g.image_paths[0], 1.0, 0, NULL, 0},
                        {YAA_SHOT_CARD, g.image_paths[1], 1.0, 0, NULL, 0}};
    compose_shots(&g, cards, 2, 3.0, 0, NULL, out, &res);
    assert_int_equal(res.fps, 25);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* Luma statistics {min, max, average} of a region of the frame at `at` seconds. */
static void region_luma(const char *video, double at, const char *crop, int y[3]) {
    char cmd[2 * PATH_MAX], res[8192];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -ss %.2f -i '%s' -frames:v 1 -vf \"crop=%s,signalstats,"
             "metadata=print:file=-\" -f null - 2>&1 | grep -oE 'Y(MIN|MAX|AVG)=[0-9.]+' | "
             "head -3 | tr '\\n' ' '",
             at, video, crop);
    assert_int_equal(run_read(cmd, res, sizeof res), 0);
    static const char *const key[3] = {"YMIN=", "YMAX=", "YAVG="};
    for (int i = 0; i < 3; i++) {
        const char *k = strstr(res, key[i]);
        if (!k) fprintf(stderr, "signalstats: '%s'\n", res);
        assert_non_null(k);
        y[i] = (int)atof(k + 5);
    }
}

/* A lower third is on screen over its shot's first 6 s and gone after, the third shot's from
 * the end of its transition in (they are drawn over the joined track, at the shot's own time:
 * with no captions cut into their windows, with burned captions after them; every frame is
 * kept either way); a `fadeblack` join dips to black between two white shots. */
static void test_lower_third_window_and_dip(void **state) {
    (void)state;
    char dir[PATH_MAX], white[PATH_MAX + 16], ovl[PATH_MAX + 16], out[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(white, sizeof white, "%s/white.mp4", dir);
    snprintf(ovl, sizeof ovl, "%s/ovl.png", dir);
    snprintf(out, sizeof out, "%s/v.mp4", dir);
    make_clip(white, "color=c=white", 10, 2);
    make_box_png(ovl);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    yaa_shot shots[] = {{YAA_SHOT_FOOTAGE, white, 8.0, 0, ovl, 0},
                        {YAA_SHOT_FOOTAGE, white, 2.0, 0, NULL, 0},
                        {YAA_SHOT_FOOTAGE, white, 8.0, 0, ovl, 0}};
    const char *box = "600:120:80:744"; /* where a 16:9 lower third sits (above the captions) */
    const double seen[] = {3.0, 11.0, 13.0, 15.0}, gone[] = {7.0, 9.5, 16.8};
    for (int pass = 0; pass < 2; pass++) {
        shots_captions = pass ? g.ass_path : NULL;
        yaa_compose_result cr;
        compose_shots(&g, shots, 3, 18.0, 10, "fadeblack", out, &cr);
        shots_captions = NULL;
        assert_int_equal(video_frames(out), 180);
        int y[3];
        for (size_t k = 0; k < 4; k++) { /* the second join at 10 s, the dip over at 10.2 s */
            region_luma(out, seen[k], box, y);
            if (y[1] > 60)
                fprintf(stderr, "pass %d: lower third at %g s: YMAX %d\n", pass, seen[k], y[1]);
            assert_true(y[1] <= 60);
        }
        for (size_t k = 0; k < 3; k++) {
            region_luma(out, gone[k], box, y);
            if (y[0] < 200)
                fprintf(stderr, "pass %d: no lower third at %g s: YMIN %d\n", pass, gone[k], y[0]);
            assert_true(y[0] >= 200);
        }
        if (pass) break;
        region_luma(out, 8.0, "iw:ih:0:0", y); /* the join: black, not white */
        if (y[2] > 40) fprintf(stderr, "dip at the join: YAVG %d\n", y[2]);
        assert_true(y[2] <= 40);
        region_luma(out, 9.5, "iw:ih:0:0", y);
        assert_true(y[2] >= 200);
    }
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* A cross-fade between two cards with burned captions holds the render's memory to a few
 * frames however long the shots are: the transition asks for the outgoing card's tail as soon
 * as it starts, and a tail cut from one stream would make and queue the whole hold first
 * (~3 MB a 1080p frame: 150 frames here held ~700 MB). */
static void test_transition_memory_bounded(void **state) {
    (void)state;
    char dir[PATH_MAX], out[PATH_MAX + 16], clip[PATH_MAX + 16], clip2[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    for (size_t i = 0; i < g.n; i++) g.durations[i] *= 30.0 / g.total_sec;
    snprintf(out, sizeof out, "%s/long.mp4", dir);
    yaa_compose_result cres;
    compose(&g, out, "default", false, NULL, NULL, &cres, 0); /* the default list starts "fade" */
    if (cres.max_rss_mb >= 450) fprintf(stderr, "render held %ld MB\n", cres.max_rss_mb);
    assert_true(cres.max_rss_mb > 0 && cres.max_rss_mb < 450);
    /* cards into footage, six joins: each transition may ask for its footage head early; the
     * footage has lower thirds, drawn over their windows only (no captions): each window's
     * overlay gets its picture when the render starts and must not ask for its frames then */
    snprintf(clip, sizeof clip, "%s/clip.mp4", dir);
    make_clip(clip, "testsrc2", 10, 2);
    char ovl[PATH_MAX + 16];
    snprintf(ovl, sizeof ovl, "%s/ovl.png", dir);
    make_box_png(ovl);
    yaa_shot shots[8];
    for (int k = 0; k < 8; k++)
        shots[k] = k % 2 ? (yaa_shot){YAA_SHOT_FOOTAGE, clip, 4.0, 0, ovl, 10}
                         : (yaa_shot){YAA_SHOT_CARD, g.image_paths[0], 4.0, 0, NULL, 0};
    compose_shots(&g, shots, 8, 32.0, 10, NULL, out, &cres);
    if (cres.max_rss_mb >= 450) fprintf(stderr, "mixed render held %ld MB\n", cres.max_rss_mb);
    assert_true(cres.max_rss_mb > 0 && cres.max_rss_mb < 450);
    /* footage into footage and into cards, every frame-synced kind: each transition gets
     * the next head's first frame when the render starts and must not ask for its tail then
     * (a tail cut from footage would decode and queue the whole hold before it) */
    snprintf(clip2, sizeof clip2, "%s/clip2.mp4", dir);
    make_clip(clip2, "smptebars", 10, 3);
    for (int k = 0; k < 8; k++)
        shots[k] = k == 4 ? (yaa_shot){YAA_SHOT_CARD, g.image_paths[0], 4.0, 0, NULL, 0}
                          : (yaa_shot){YAA_SHOT_FOOTAGE, k % 2 ? clip : clip2, 4.0, 0, NULL, 10};
    compose_shots(&g, shots, 8, 32.0, 10, "fade,slideleft,coverup,slidedown,coverright,fade", out,
                  &cres);
    if (cres.max_rss_mb >= 450) fprintf(stderr, "footage render held %ld MB\n", cres.max_rss_mb);
    assert_true(cres.max_rss_mb > 0 && cres.max_rss_mb < 450);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

/* A long footage video renders under the default address-space cap: each input is decoded
 * on one thread and the render's malloc arenas are capped, so its address space grows by
 * the clip's decoded frames and one thread's stack per input. Before, a lower third's PNG
 * was decoded on three threads and every thread could take its own 64 MiB arena: at 1080p
 * each footage shot took ~105 MiB, and 26 of them failed ("Cannot allocate memory")
 * under a cap that granted 64 MiB a shot. */
static void test_many_footage_shots_fit_default_cap(void **state) {
    (void)state;
    enum { SHOTS = 40 };
    char dir[PATH_MAX], out[PATH_MAX + 16], clip[PATH_MAX + 16], ovl[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_media_gen_result g;
    generate(dir, EN, 2, "en", false, &g);
    snprintf(clip, sizeof clip, "%s/hd.mp4", dir);
    make_clip_as(clip, "testsrc2", "1920x1080", 30, 1.2, "veryfast"); /* B-frames, as stock */
    snprintf(ovl, sizeof ovl, "%s/ovl.png", dir);
    make_box_png(ovl);
    yaa_shot shots[SHOTS];
    for (int k = 0; k < SHOTS; k++) shots[k] = (yaa_shot){YAA_SHOT_FOOTAGE, clip, 1.0, 0, ovl, 10};
    snprintf(out, sizeof out, "%s/many.mp4", dir);
    yaa_compose_result cres;
    compose_shots(&g, shots, SHOTS, SHOTS * 1.0, 10, NULL, out, &cres);
    probe_ok(out, SHOTS * 1.0, 1920, 1080, 0);
    yaa_media_gen_result_free(&g);
    yaa_test_rmrf(dir);
}

static void test_bad_inputs(void **state) {
    (void)state;
    const char *img[] = {"/nonexistent/01.png"};
    const char *aud[] = {"/nonexistent/01.wav"};
    double dur[] = {1.0};
    yaa_compose_request req = {
        .out_path = "/tmp/x.mp4", .images = img, .audio = aud, .durations = dur, .n = 1};
    yaa_err err = {0};
    assert_int_equal(yaa_media_compose(NULL, &req, NULL, &err), YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/01.png"));
    yaa_media_env env = {.ffmpeg = "/nonexistent/ffmpeg"};
    yaa_media_probe_info pi;
    env.ffprobe = "/nonexistent/ffprobe";
    assert_int_equal(yaa_media_probe(&env, "/tmp/x.mp4", &pi, &err), YAA_EUNAVAILABLE);
    assert_non_null(strstr(err.msg, "FFmpeg"));
}

#include "core/log.h"
int main(void) {
    if (getenv("MEDIA_TEST_DEBUG")) yaa_log_setup(YAA_LOG_DEBUG, true, stderr);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_korean_16x9_burned),
        cmocka_unit_test(test_burned_captions_band),
        cmocka_unit_test(test_short_9x16_soft_bgm_intro),
        cmocka_unit_test(test_cancel_kills_render),
        cmocka_unit_test(test_timeout_kills_render),
        cmocka_unit_test(test_render_cap),
        cmocka_unit_test(test_shots_move_16x9),
        cmocka_unit_test(test_shots_move_9x16),
        cmocka_unit_test(test_card_text_animates_in),
        cmocka_unit_test(test_frame_rate_follows_footage),
        cmocka_unit_test(test_lower_third_window_and_dip),
        cmocka_unit_test(test_transition_memory_bounded),
        cmocka_unit_test(test_many_footage_shots_fit_default_cap),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
