/* media_bench.c - times yaa's media stages on this machine: narration + cards + thumbnail
 * (yaa_media_generate) and the video (yaa_media_compose), and prints one JSON line.
 *
 *   media_bench OUT_DIR [--lang ko|en] [--sections N] [--short] [--preset P] [--fps N]
 *                       [--style default|soft|none] [--workers N] [--threads N] [--footage]
 *                       [--portrait]
 *
 * --footage gives every section a clip from a channel media library made here with ffmpeg
 * (1080p, 8 s, looped as needed) with its lower third, as a run with stock footage renders
 * (on the run's picture track: the title card opens, the last section's card closes);
 * --portrait makes those clips 1080x1920 (what a Short asks the stock services for) instead
 * of 1920x1080.
 * Burned captions are the word-highlighted ASS track and a Short carries its topic banner, as
 * in a run. bench/media/run.sh compares the render with ffmpeg re-encoding yaa's output. */
#include "core/log.h"
#include "core/util.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KO[] = {
    "고양이의 건강은 첫 주부터 시작됩니다. 매일 아침 체중을 기록하고, 식사량과 기분을 함께 적어 "
    "두세요.",
    "작은 변화도 놓치지 않는 것이 중요합니다. 예방 접종 일정은 달력에 표시하고, 수의사와 꾸준히 "
    "상담하세요.",
    "사회화 훈련은 짧고 즐겁게 합니다. 새로운 소리와 사람에게 천천히 익숙해지도록 도와주세요."};
static const char *const EN[] = {"A healthy cat starts with a calm first week. Weigh your kitten "
                                 "every morning and write down how much "
                                 "it eats and how it behaves.",
                                 "Small changes matter, so keep the vaccination dates on a "
                                 "calendar and talk to your vet regularly.",
                                 "Socialisation works best in short, happy sessions. Let new "
                                 "sounds and new people arrive slowly."};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr,
                "usage: media_bench OUT_DIR [--lang ko|en] [--sections N] [--short] [--preset P] "
                "[--fps N] [--style S] [--workers N] [--threads N]\n");
        return 2;
    }
    /* MEDIA_BENCH_DEBUG=1 logs the FFmpeg filtergraph */
    yaa_log_setup(getenv("MEDIA_BENCH_DEBUG") ? YAA_LOG_DEBUG : YAA_LOG_WARN, true, stderr);
    const char *dir = argv[1], *lang = "ko", *style = "default";
    int sections = 6;
    yaa_config cfg; /* YAA_MEDIA_* from the environment and ./.env, as yaa itself reads them */
    yaa_err cerr = {0};
    if (yaa_config_load(&cfg, NULL, &cerr)) {
        fprintf(stderr, "media_bench: %s\n", cerr.msg);
        return 2;
    }
    yaa_media_env env;
    yaa_media_env_from_config(&env, &cfg);
    bool vertical = false, footage = false, portrait = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--lang"))
            lang = v, i++;
        else if (!strcmp(a, "--sections"))
            sections = atoi(v), i++;
        else if (!strcmp(a, "--footage"))
            footage = true;
        else if (!strcmp(a, "--portrait"))
            portrait = true;
        else if (!strcmp(a, "--short"))
            vertical = true;
        else if (!strcmp(a, "--preset"))
            env.x264_preset = v, i++;
        else if (!strcmp(a, "--fps"))
            env.fps = atoi(v), i++;
        else if (!strcmp(a, "--style"))
            style = v, i++;
        else if (!strcmp(a, "--workers"))
            env.workers = atoi(v), i++;
        else if (!strcmp(a, "--threads"))
            env.ffmpeg_threads = atoi(v), i++;
        else {
            fprintf(stderr, "media_bench: unknown option %s\n", a);
            return 2;
        }
    }
    if (sections < 1 || sections > 100) sections = 6;
    bool ko = !strcmp(lang, "ko");
    yaa_media_section *s = calloc((size_t)sections, sizeof *s);
    char(*heads)[64] = calloc((size_t)sections, 64);
    if (!s || !heads) return 1;
    for (int i = 0; i < sections; i++) {
        snprintf(heads[i], 64, ko ? "%d. 건강한 고양이 습관" : "%d. Healthy cat habits", i + 1);
        s[i].heading = heads[i];
        s[i].narration = ko ? KO[i % 3] : EN[i % 3];
        s[i].on_screen_text = ko ? "매일 기록하고, 천천히 익숙해지기" : "Write it down, go slowly";
        static const char *const terms[] = {"cat"};
        s[i].search_terms = terms;
        s[i].nsearch_terms = 1;
    }
    char lib[4096] = "";
    if (footage) { /* clips named for what they show, one per section (each is used once) */
        snprintf(lib, sizeof lib, "%s/library", dir);
        char cmd[8192];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", lib);
        if (system(cmd)) return 1;
        for (int i = 0; i < sections; i++) {
            snprintf(cmd, sizeof cmd,
                     "ffmpeg -nostdin -v error -y -f lavfi -i "
                     "testsrc2=size=%s:rate=30:duration=8 -c:v libx264 -preset veryfast "
                     "-pix_fmt yuv420p '%s/cat-%02d.mp4'",
                     portrait ? "1080x1920" : "1920x1080", lib, i + 1);
            if (system(cmd)) return 1;
        }
    }
    static const char *const palette[] = {"#1B2A41", "#F2A541", "#FFFFFF"};
    yaa_media_gen_request req = {
        .out_dir = dir,
        .sections = s,
        .nsections = (size_t)sections,
        .title = ko ? "건강한 고양이를 위한 다섯 가지 습관" : "Five habits of healthy cats",
        .voice = {.language = lang, .rate = 1.0},
        .look = {palette, 3, NULL, ko ? "딥퓨어캐터리" : "Deepure Cattery"},
        .short_video = vertical,
        .media_dir = footage ? lib : NULL};
    yaa_media_gen_result g;
    yaa_err err = {0};
    double t0 = yaa_mono_sec();
    if (yaa_media_generate(&env, &req, &g, &err)) {
        fprintf(stderr, "media_bench: %s\n", err.msg);
        return 1;
    }
    double gen = yaa_mono_sec() - t0;
    char out[4096];
    snprintf(out, sizeof out, "%s/video.mp4", dir);
    yaa_compose_request cr = {.out_path = out,
                              .images = (const char *const *)g.image_paths,
                              .audio = (const char *const *)g.audio_paths,
                              .durations = g.durations,
                              .n = g.n,
                              .srt_path = g.srt_path,
                              .captions_ass = g.ass_path,
                              .subtitle_style = style,
                              .short_video = vertical};
    /* as a run renders: the word-highlighted captions, and a Short's topic banner */
    char banner[4096];
    snprintf(banner, sizeof banner, "%s/images/banner.png", dir);
    if (vertical) {
        if (yaa_media_lower_third_render(&req.look, req.title, NULL, 1080 - 2 * 45, banner, NULL,
                                         &err)) {
            fprintf(stderr, "media_bench: %s\n", err.msg);
            return 1;
        }
        cr.banner_png = banner;
    }
    /* the track a run renders: the title card opens, a section with footage closes on its card */
    yaa_shot_section *sec = calloc(g.n, sizeof *sec);
    yaa_shot *shots = calloc(g.n + 2, sizeof *shots);
    if (!sec || !shots) return 1;
    for (size_t i = 0; i < g.n; i++)
        sec[i] = (yaa_shot_section){g.visuals[i].kind, g.visuals[i].path,        g.image_paths[i],
                                    g.durations[i],    g.visuals[i].lower_third, g.visuals[i].fps};
    cr.shots = shots;
    cr.nshots = yaa_media_shot_plan(sec, g.n, g.title_card, shots);
    yaa_compose_result res;
    if (yaa_media_compose(&env, &cr, &res, &err)) {
        fprintf(stderr, "media_bench: %s\n", err.msg);
        return 1;
    }
    printf("{\"sections\":%d,\"lang\":\"%s\",\"short\":%s,\"style\":\"%s\",\"preset\":\"%s\","
           "\"fps\":%d,\"footage\":%s,"
           "\"narration_sec\":%.3f,\"video_sec\":%.3f,\"generate_sec\":%.3f,\"render_sec\":%.3f,"
           "\"render_sec_per_video_min\":%.2f,\"render_cpu_sec\":%.3f,\"render_cpu_sec_per_video_"
           "min\":%.2f,"
           "\"generate_sec_per_video_min\":%.2f,\"render_max_rss_mb\":%ld}\n",
           sections, lang, vertical ? "true" : "false", style,
           env.x264_preset ? env.x264_preset : "veryfast", res.fps, footage ? "true" : "false",
           g.total_sec, res.duration_sec, gen, res.render_sec, res.render_sec * 60.0 / g.total_sec,
           res.cpu_sec, res.cpu_sec * 60.0 / g.total_sec, gen * 60.0 / g.total_sec, res.max_rss_mb);
    yaa_media_gen_result_free(&g);
    free(shots);
    free(sec);
    free(s);
    free(heads);
    yaa_config_free(&cfg);
    return 0;
}
