/* media_editor.c - stage 5: the video. The sound first (narration, the channel's music ducked
 * under it, normalised to -14 LUFS: audio/mix.wav), then each section's picture for the length
 * of its narration, crossfades, captions, optional intro/outro, H.264 + AAC; then the quality
 * report (quality.json). */
#include "agents/agent.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "media/audio.h"
#include "media/media.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A channel file named in config.yaml, relative to the channel folder; NULL if absent. */
static const char *channel_file(yaa_agent_ctx *ctx, const char *name) {
    if (!name || !*name) return NULL;
    const char *path =
        name[0] == '/' ? name : yaa_arena_sprintf(ctx->arena, "%s/%s", ctx->channel->dir, name);
    return path && access(path, R_OK) == 0 ? path : NULL;
}

/* Background music: bgm.{mp3,ogg,wav,m4a} in the channel folder, if there is one. */
static const char *find_bgm(yaa_agent_ctx *ctx) {
    static const char *names[] = {"bgm.mp3", "bgm.ogg", "bgm.wav", "bgm.m4a"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *p = channel_file(ctx, names[i]);
        if (p) return p;
    }
    return NULL;
}

static yaa_shot_kind kind_of(const char *k) {
    if (k && strcmp(k, "footage") == 0) return YAA_SHOT_FOOTAGE;
    if (k && strcmp(k, "photo") == 0) return YAA_SHOT_PHOTO;
    return YAA_SHOT_CARD;
}

/* The picture track (yaa_media_shot_plan): each section's visual (footage and photos with
 * their lower third), the title card over the first seconds and the last section's card as the
 * closing shot. */
static yaa_shot *plan_shots(yaa_agent_ctx *ctx, const json_t *media, size_t *nshots) {
    const json_t *segs = json_object_get(media, "segments");
    size_t n = json_array_size(segs);
    yaa_shot_section *sec = yaa_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *sec);
    yaa_shot *shots = yaa_arena_alloc(ctx->arena, (n + 2) * sizeof *shots);
    if (!sec || !shots) return NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(segs, i), *v = json_object_get(s, "visual");
        sec[i] = (yaa_shot_section){kind_of(json_string_value(json_object_get(v, "kind"))),
                                    json_string_value(json_object_get(v, "path")),
                                    json_string_value(json_object_get(s, "image")),
                                    json_number_value(json_object_get(s, "duration_seconds")),
                                    json_string_value(json_object_get(v, "lower_third")),
                                    json_number_value(json_object_get(v, "fps"))};
    }
    *nshots =
        yaa_media_shot_plan(sec, n, json_string_value(json_object_get(media, "title_card")), shots);
    return shots;
}

/* A Short carries its topic on screen: the banner media_generator drew (and recorded in
 * media.json for the quality report). */
static const char *topic_banner(yaa_agent_ctx *ctx, const json_t *media) {
    const char *path = json_string_value(json_object_get(media, "banner"));
    return ctx->short_video && path && *path && access(path, R_OK) == 0 ? path : NULL;
}

static bool is_audio_name(const char *n) {
    static const char *ext[] = {".mp3", ".ogg", ".wav", ".m4a", ".flac", ".opus", ".aac"};
    if (n[0] == '.') return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (yaa_str_endswith(n, ext[i])) return true;
    return false;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The music of this video: one of channels/<id>/music/ (the same run always gets the same
 * piece, different runs spread over the folder), else bgm.* in the channel folder. */
static const char *find_music(yaa_agent_ctx *ctx) {
    const char *dir = yaa_arena_sprintf(ctx->arena, "%s/music", ctx->channel->dir);
    DIR *d = dir ? opendir(dir) : NULL;
    char *names[256];
    size_t n = 0;
    for (struct dirent *e; d && n < 256 && (e = readdir(d));)
        if (is_audio_name(e->d_name)) names[n++] = yaa_arena_sprintf(ctx->arena, "%s", e->d_name);
    if (d) closedir(d);
    if (!n) return find_bgm(ctx);
    qsort(names, n, sizeof *names, cmp_str);
    unsigned h = 2166136261u;
    for (const char *c = ctx->run_id ? ctx->run_id : ""; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    return yaa_arena_sprintf(ctx->arena, "%s/%s", dir, names[h % n]);
}

/* channels/<id>/sfx/transition.*: played at each join between sections, if there is one. */
static const char *find_transition_sfx(yaa_agent_ctx *ctx) {
    static const char *names[] = {"sfx/transition.wav", "sfx/transition.mp3", "sfx/transition.ogg",
                                  "sfx/transition.m4a"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *p = channel_file(ctx, names[i]);
        if (p) return p;
    }
    return NULL;
}

/* The sound track: narration, the music ducked under it and the transition effect at the
 * joins, normalised to -14 LUFS with the true peak at most -2 dBTP before the AAC encode. */
static int mix_sound(yaa_agent_ctx *ctx, const yaa_media_env *env, const char *const *audio,
                     const double *durations, size_t n, const char *music, yaa_err *err,
                     yaa_mix_result *mr) {
    const char *sfx = find_transition_sfx(ctx);
    yaa_mix_effect *fx = sfx && n > 1 ? yaa_arena_alloc(ctx->arena, (n - 1) * sizeof *fx) : NULL;
    double at = 0;
    for (size_t i = 0; fx && i + 1 < n; i++) {
        at += durations[i];
        fx[i] = (yaa_mix_effect){sfx, at - 0.15, 0.4}; /* just before the next section */
    }
    yaa_mix_request mreq = {.out_path = yaa_agents_path(ctx, "audio/mix.wav"),
                            .narration = audio,
                            .durations = durations,
                            .n = n,
                            .music = music ? &music : NULL,
                            .nmusic = music ? 1 : 0,
                            .music_volume = ctx->channel->editing.bgm_volume,
                            .effects = fx,
                            .neffects = fx ? n - 1 : 0};
    yaa_agents_progress(ctx, "mixing the sound%s%s", music ? " with music" : "",
                        fx ? " and transition effects" : "");
    return yaa_media_audio_mix(env, &mreq, mr, err);
}

int yaa_agents_media_editor(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const json_t *media = ctx->outputs[YAA_STAGE_MEDIA_GENERATOR];
    if (!media)
        return yaa_err_set(err, YAA_EINVAL, "media_editor needs the media_generator's output");
    const json_t *segs = json_object_get(media, "segments");
    size_t n = json_array_size(segs);
    if (n == 0) return yaa_err_set(err, YAA_EINVAL, "media_editor: no segments to edit");
    const char **images = yaa_arena_alloc(ctx->arena, n * sizeof *images);
    const char **audio = yaa_arena_alloc(ctx->arena, n * sizeof *audio);
    double *durations = yaa_arena_alloc(ctx->arena, n * sizeof *durations);
    if (!images || !audio || !durations) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(segs, i);
        images[i] = json_string_value(json_object_get(s, "image"));
        audio[i] = json_string_value(json_object_get(s, "audio"));
        durations[i] = json_number_value(json_object_get(s, "duration_seconds"));
    }
    const yaa_channel *ch = ctx->channel;
    yaa_media_env env;
    yaa_agents_media_env(ctx, &env);
    yaa_compose_request req = {0};
    req.out_path = yaa_agents_path(ctx, "video.mp4");
    req.images = images;
    req.audio = audio;
    req.durations = durations;
    req.n = n;
    req.srt_path = json_string_value(json_object_get(media, "subtitles"));
    req.captions_ass = json_string_value(json_object_get(media, "captions_ass"));
    if (req.captions_ass && access(req.captions_ass, R_OK)) req.captions_ass = NULL;
    req.subtitle_style = ch->editing.subtitle_style;
    req.bgm_path = find_music(ctx);
    req.bgm_volume = ch->editing.bgm_volume;
    yaa_mix_result mix = {0};
    int rc = mix_sound(ctx, &env, audio, durations, n, req.bgm_path, err, &mix);
    if (rc) return rc;
    req.audio_track = yaa_agents_path(ctx, "audio/mix.wav");
    req.intro_path = channel_file(ctx, ch->editing.intro_template);
    req.outro_path = channel_file(ctx, ch->editing.outro_template);
    req.short_video = ctx->short_video;
    req.attempt = ctx->usage.attempt; /* fences video.mp4 against stale attempts */
    req.shots = plan_shots(ctx, media, &req.nshots);
    req.banner_png = topic_banner(ctx, media);
    yaa_compose_result res = {0};
    yaa_agents_progress(ctx, "rendering %zu segments (%.1f s)", n,
                        json_number_value(json_object_get(media, "total_seconds")));
    rc = yaa_media_compose(&env, &req, &res, err);
    if (rc) return rc;
    /* words.json in final-video time: the intro plays before the narration */
    const char *words_path = json_string_value(json_object_get(media, "words"));
    yaa_media_probe_info intro = {0};
    if (req.intro_path && yaa_media_probe(&env, req.intro_path, &intro, NULL) != 0)
        intro.duration = 0;
    if (words_path && intro.duration > 0) {
        yaa_words w;
        yaa_err we = {0};
        if (!yaa_media_words_read_json(words_path, &w, &we)) {
            w.offset_sec = intro.duration;
            yaa_media_words_write_json(
                &w, json_string_value(json_object_get(media, "tts_provider")), words_path, &we);
            yaa_media_words_free(&w);
        }
    }
    yaa_quality q = {0};
    yaa_err qe = {0};
    if (yaa_media_quality_check(&env, ctx->out_dir, &q, &qe))
        yaa_agents_progress(ctx, "quality report not written: %s", qe.msg);
    else
        yaa_agents_progress(ctx, "quality: %.1f LUFS, true peak %.1f dBTP, %d check%s failed",
                            q.lufs, q.true_peak, q.failed, q.failed == 1 ? "" : "s");
    json_t *o = json_object();
    json_object_set_new(o, "video", json_string(req.out_path));
    json_object_set_new(o, "duration_seconds", json_real(res.duration_sec));
    json_object_set_new(o, "render_seconds", json_real(res.render_sec));
    json_object_set_new(o, "format", json_string(ctx->short_video ? "1080x1920" : "1920x1080"));
    json_object_set_new(o, "subtitles", json_string(req.srt_path ? req.srt_path : ""));
    /* the narration starts after the intro: section i starts here plus the narrations before
     * it (the publisher's chapters) */
    json_object_set_new(o, "narration_offset_seconds", json_real(intro.duration));
    json_object_set_new(o, "bgm", req.bgm_path ? json_string(req.bgm_path) : json_null());
    json_object_set_new(o, "audio_track", json_string(req.audio_track));
    json_object_set_new(o, "loudness_lufs", json_real(mix.output_lufs));
    json_object_set_new(o, "true_peak_dbtp", json_real(mix.output_tp));
    json_object_set_new(o, "quality", json_string(yaa_agents_path(ctx, "quality.json")));
    yaa_agents_progress(ctx, "video %.1f s rendered in %.1f s", res.duration_sec, res.render_sec);
    *out = o;
    return 0;
}
