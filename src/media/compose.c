/* compose.c - the video in one FFmpeg run and one filtergraph, in named steps: check the
 * request, stage the work files, list the inputs, build the graph (picture track in
 * compose_video.c, sound track in compose_audio.c, burned subtitles, intro/outro), add the
 * encoder settings (H.264 + AAC MP4 with +faststart), then render under the render semaphore
 * into a .part file renamed into place. */
#include "core/host.h"
#include "core/log.h"
#include "core/util.h"
#include "media/media_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct clip {
    const char *path;
    double dur;
    bool audio;
    int input;
} clip;

/* Everything the steps share, decided once from the request. */
typedef struct compose_plan {
    yaa_media_env env;
    bool auto_mem; /* no explicit render_mem_mb: the cap grows with the sections */
    const yaa_compose_request *req;
    bool vertical;
    int W, H, fps;
    size_t n;
    double total, fade, bgm_vol;
    const char *style;
    bool subs, soft, bgm;
    bool ass;      /* burn req->captions_ass (word-highlighted) instead of styling the SRT */
    bool premixed; /* req->audio_track is the whole sound */
    clip intro, outro;
    bool has_intro, has_outro;
    int bgm_in, subs_in, banner_in, audio_first;
    yaa_shot *shots; /* the picture track (the request's, or one card per segment) */
    size_t nshots;
    int *shot_in, *ovl_in, *lay_in, *lay_box;
    char *out_abs, *work; /* the output and the directory FFmpeg runs in */
    char subs_name[64], subs_abs[PATH_MAX], part[PATH_MAX];
    yaa_media__caption_band band; /* the burned captions' band (pl->ass), drawn once */
    int band_in;
    char ass_name[64], ass_abs[PATH_MAX]; /* captions that move: a copy for the ass filter */
} compose_plan;

static int need_file(const char *what, const char *p, yaa_err *err) {
    if (!p || !*p) return yaa_err_set(err, YAA_EINVAL, "compose: %s path is empty", what);
    if (access(p, R_OK))
        return yaa_err_set(err, YAA_ENOTFOUND, "compose: %s '%s': %s", what, p, strerror(errno));
    return 0;
}

static char *dir_of(const char *abs) {
    char *d = strdup(abs);
    if (!d) return NULL;
    char *slash = strrchr(d, '/');
    if (slash == d)
        slash[1] = 0;
    else if (slash)
        *slash = 0;
    return d;
}

static int copy_file(const char *from, const char *to, yaa_err *err) {
    char *data = NULL;
    size_t len = 0;
    int rc = yaa_read_file(from, 16u << 20, &data, &len);
    if (rc) return yaa_err_set(err, rc, "compose: cannot read subtitles '%s'", from);
    rc = yaa_write_file(to, data ? data : "", len);
    free(data);
    if (rc) return yaa_err_set(err, YAA_EIO, "compose: cannot write '%s'", to);
    return 0;
}

/* ---- step 1: check the request ---- */

static int check_clip(compose_plan *pl, clip *c, bool *has, const char *what, yaa_err *err) {
    *has = c->path && *c->path;
    if (!*has) return 0;
    int rc = need_file(what, c->path, err);
    return rc ? rc : yaa_media__probe_clip(&pl->env, what, c->path, &c->dur, &c->audio, err);
}

/* The shots: the request's, or one card per segment; each file must be readable. dmin gets
 * the shortest shot (scaled to the narration total). */
static int plan_shots(compose_plan *pl, const yaa_compose_request *req, double *dmin,
                      yaa_err *err) {
    pl->nshots = req->shots && req->nshots ? req->nshots : pl->n;
    pl->shots = calloc(pl->nshots, sizeof *pl->shots);
    pl->shot_in = calloc(pl->nshots, sizeof *pl->shot_in);
    pl->ovl_in = calloc(pl->nshots, sizeof *pl->ovl_in);
    pl->lay_in = calloc(pl->nshots, sizeof *pl->lay_in);
    pl->lay_box = calloc(4 * pl->nshots, sizeof *pl->lay_box);
    if (!pl->shots || !pl->shot_in || !pl->ovl_in || !pl->lay_in || !pl->lay_box)
        return yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    double sum = 0;
    for (size_t i = 0; i < pl->nshots; i++) {
        if (req->shots && req->nshots)
            pl->shots[i] = req->shots[i];
        else
            pl->shots[i] = (yaa_shot){YAA_SHOT_CARD, req->images[i], req->durations[i], 0, NULL};
        const yaa_shot *s = &pl->shots[i];
        int rc = need_file(s->kind == YAA_SHOT_FOOTAGE ? "footage" : "image", s->path, err);
        if (!rc && s->overlay_png && *s->overlay_png)
            rc = need_file("overlay", s->overlay_png, err);
        if (!rc && !(s->duration > 0))
            rc = yaa_err_set(err, YAA_EINVAL, "compose: shot %zu has no duration", i + 1);
        if (rc) return rc;
        sum += s->duration;
    }
    *dmin = 1e9;
    for (size_t i = 0; i < pl->nshots; i++)
        *dmin = fmin(*dmin, pl->shots[i].duration * pl->total / sum);
    return 0;
}

/* The frame rate of a video whose env.fps is 0: the footage's own, so no clip is shown at a
 * rate it was not shot at (30 fps footage at 25 drops every sixth frame: pans judder, and the
 * render decodes frames it throws away). The rate shown longest wins; 50/60 fps clips count
 * at half (every other frame, evenly); the result is kept within 24-30. Footage whose rate is
 * not in its shot (yaa_shot.fps 0) is probed. Without footage, 25. */
static int footage_fps(const compose_plan *pl) {
    double sec[31 - 24] = {0}; /* seconds shown at 24 .. 30 fps */
    int best = -1;
    for (size_t i = 0; i < pl->nshots; i++) {
        const yaa_shot *s = &pl->shots[i];
        if (s->kind != YAA_SHOT_FOOTAGE) continue;
        double r = s->fps;
        yaa_media_probe_info pi;
        if (!(r > 0) && !yaa_media_probe(&pl->env, s->path, &pi, NULL)) r = pi.fps;
        if (!(r > 0)) continue;
        if (r > 30.5) r /= 2;
        int k = (int)fmin(30, fmax(24, round(r))) - 24;
        sec[k] += s->duration;
        if (best < 0 || sec[k] > sec[best]) best = k;
    }
    return best < 0 ? 25 : best + 24;
}

static int check_request(compose_plan *pl, const yaa_compose_request *req, yaa_err *err) {
    pl->premixed = req && req->audio_track && *req->audio_track;
    if (!req || !req->out_path || !req->n || (!req->audio && !pl->premixed) || !req->durations ||
        (!req->images && !(req->shots && req->nshots)))
        return yaa_err_set(err, YAA_EINVAL,
                           "compose: needs an output path and at least one segment");
    pl->req = req;
    pl->vertical = req->short_video;
    pl->W = pl->vertical ? 1080 : 1920;
    pl->H = pl->vertical ? 1920 : 1080;
    pl->n = req->n;
    double dmin = 0;
    int rc = 0;
    for (size_t i = 0; i < pl->n && !rc; i++) {
        if (!(req->durations[i] > 0))
            rc = yaa_err_set(err, YAA_EINVAL, "compose: segment %zu has no duration", i + 1);
        pl->total += req->durations[i];
    }
    if (rc || (rc = plan_shots(pl, req, &dmin, err))) return rc;
    pl->fps = pl->env.fps > 0 ? pl->env.fps : footage_fps(pl);
    if (pl->premixed) rc = need_file("audio track", req->audio_track, err);
    for (size_t i = 0; i < pl->n && !rc && !pl->premixed; i++)
        rc = need_file("audio", req->audio[i], err);
    if (rc) return rc;
    pl->style = req->subtitle_style && *req->subtitle_style ? req->subtitle_style : "default";
    pl->subs = req->srt_path && *req->srt_path && !yaa_str_eq(pl->style, "none");
    pl->soft = pl->subs && yaa_str_eq(pl->style, "soft");
    if (pl->subs && (rc = need_file("subtitles", req->srt_path, err))) return rc;
    /* word-highlighted captions: burned by default on a Short (unless "none"), and on 16:9
     * whenever subtitles are burned */
    pl->ass = req->captions_ass && *req->captions_ass && !yaa_str_eq(pl->style, "none") &&
              (pl->vertical || !yaa_str_eq(pl->style, "soft"));
    if (pl->ass && (rc = need_file("captions", req->captions_ass, err))) return rc;
    pl->bgm = !pl->premixed && req->bgm_path && *req->bgm_path; /* the track holds the music */
    if (pl->bgm && (rc = need_file("background music", req->bgm_path, err))) return rc;
    pl->bgm_vol = req->bgm_volume > 0 ? fmin(req->bgm_volume, 1.0) : 0.15;
    pl->intro = (clip){req->intro_path, 0, false, -1};
    pl->outro = (clip){req->outro_path, 0, false, -1};
    if ((rc = check_clip(pl, &pl->intro, &pl->has_intro, "intro", err)) ||
        (rc = check_clip(pl, &pl->outro, &pl->has_outro, "outro", err)))
        return rc;
    double fade = req->crossfade_sec < 0 ? 0 : req->crossfade_sec > 0 ? req->crossfade_sec : 0.5;
    if (fade > dmin * 0.4) fade = dmin * 0.4; /* every shot keeps a hold between its fades */
    pl->fade = fade < 1.0 / pl->fps ? 0 : fade;
    return 0;
}

/* ---- step 2: the work files (output directory, .part file, private subtitles copy) ---- */

static int too_long(const char *path, yaa_err *err) {
    return yaa_err_set(err, YAA_ELIMIT, "compose: the path '%s' is too long for its work files",
                       path);
}

/* The name and full path of a private subtitles copy; YAA_ELIMIT when either does not fit. */
static int subs_copy(const compose_plan *pl, const char *ext, char *name, size_t name_n, char *abs,
                     size_t abs_n) {
    int rc = yaa_host_temp_name(name, name_n, ".yaa-subs", NULL, ext);
    if (!rc && snprintf(abs, abs_n, "%s/%s", pl->work, name) >= (int)abs_n) rc = YAA_ELIMIT;
    if (rc) abs[0] = 0; /* the cleanup must not remove a cut path */
    return rc;
}

static int stage_files(compose_plan *pl, yaa_err *err) {
    pl->out_abs = yaa_media__abs_path(pl->req->out_path);
    pl->work = pl->out_abs ? dir_of(pl->out_abs) : NULL;
    if (!pl->work) return yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    int rc = yaa_media__fence_claim(pl->out_abs, pl->req->attempt, err);
    if (rc) return rc;
    if (yaa_media__part_path(pl->out_abs, pl->part, sizeof pl->part))
        return too_long(pl->out_abs, err);
    /* word-highlighted captions: drawn here once per change (caption_pages.c), overlaid by
     * the render */
    if (pl->ass && (rc = yaa_media__caption_band_write(pl->req->captions_ass, pl->W, pl->H,
                                                       pl->total, pl->work, &pl->band, err)))
        return rc;
    /* the subtitles and ass filters take a name without quoting trouble: a private copy
     * beside the output (.yaa-subs-<host>-<pid>-<n>.srt / .ass, core/host.h), referred to
     * relative to FFmpeg's working directory; the ass filter only for captions that move
     * (caption_pages.c) */
    if (pl->band.animated) {
        if (subs_copy(pl, ".ass", pl->ass_name, sizeof pl->ass_name, pl->ass_abs,
                      sizeof pl->ass_abs))
            return too_long(pl->work, err);
        if ((rc = copy_file(pl->req->captions_ass, pl->ass_abs, err))) return rc;
    }
    if (!pl->subs) return 0;
    if (subs_copy(pl, ".srt", pl->subs_name, sizeof pl->subs_name, pl->subs_abs,
                  sizeof pl->subs_abs))
        return too_long(pl->work, err);
    return copy_file(pl->req->srt_path, pl->subs_abs, err);
}

/* ---- step 3: the inputs ---- */

static void add_inputs(compose_plan *pl, yaa_media__argv *a) {
    static const char *const pre[] = {"-nostdin",  "-hide_banner", "-v", "error", "-nostats",
                                      "-progress", "pipe:1",       "-y", NULL};
    const yaa_compose_request *req = pl->req;
    yaa_media__argv_add(a, pl->env.ffmpeg);
    yaa_media__argv_add_list(a, pre);
    /* the pictures first (see compose_video.c), then the narration segments */
    double *len = calloc(pl->nshots, sizeof *len), sum = 0;
    for (size_t i = 0; i < pl->nshots; i++) sum += pl->shots[i].duration;
    for (size_t i = 0; len && i < pl->nshots; i++)
        len[i] = pl->shots[i].duration * pl->total / sum + pl->fade + 0.5;
    if (!len) a->oom = 1;
    int input =
        len ? yaa_media__compose_video_inputs(a, pl->shots, pl->nshots, pl->fps, pl->W, pl->H, len,
                                              0, pl->shot_in, pl->ovl_in, pl->lay_in, pl->lay_box)
            : 0;
    free(len);
    pl->audio_first = input;
    if (pl->premixed)
        yaa_media__argv_input(a, req->audio_track), input++;
    else
        for (size_t i = 0; i < pl->n; i++, input++) yaa_media__argv_input(a, req->audio[i]);
    pl->band_in = -1;
    if (pl->band.path[0]) { /* timed by its frame delays, however short (apng caps at 75/s) */
        yaa_media__argv_add_list(a, (const char *const[]){"-max_fps", "0", "-f", "apng", NULL});
        yaa_media__argv_input(a, pl->band.path);
        pl->band_in = input++;
    }
    pl->banner_in = -1;
    if (req->banner_png && *req->banner_png)
        yaa_media__argv_input(a, req->banner_png), pl->banner_in = input++;
    if (pl->has_intro) yaa_media__argv_input(a, pl->intro.path), pl->intro.input = input++;
    if (pl->has_outro) yaa_media__argv_input(a, pl->outro.path), pl->outro.input = input++;
    pl->bgm_in = pl->subs_in = -1;
    if (pl->bgm) {
        yaa_media__argv_add(a, "-stream_loop");
        yaa_media__argv_add(a, "-1");
        yaa_media__argv_input(a, req->bgm_path);
        pl->bgm_in = input++;
    }
    if (pl->soft) {
        if (pl->has_intro) {
            yaa_media__argv_add(a, "-itsoffset");
            yaa_media__argv_addf(a, "%.3f", pl->intro.dur);
        }
        yaa_media__argv_add(a, "-i");
        yaa_media__argv_add(a, pl->subs_name);
        pl->subs_in = input++;
    }
}

/* ---- step 4: the filtergraph ---- */

static const char *style_for(const char *name, bool vertical) {
    /* ASS sizes are relative to the 288-line script height FFmpeg gives SRT files. */
    if (yaa_str_eq(name, "bold"))
        return vertical
                   ? "FontSize=15,Bold=1,Outline=1.4,Shadow=0,MarginV=90,PrimaryColour=&H00FFFFFF,"
                     "OutlineColour=&H90000000"
                   : "FontSize=20,Bold=1,Outline=1.6,Shadow=0,MarginV=20,PrimaryColour=&H00FFFFFF,"
                     "OutlineColour=&H90000000";
    if (yaa_str_eq(name, "minimal"))
        return vertical ? "FontSize=12,Outline=0.8,Shadow=0,MarginV=90,PrimaryColour=&H00FFFFFF"
                        : "FontSize=15,Outline=0.8,Shadow=0,MarginV=16,PrimaryColour=&H00FFFFFF";
    return vertical ? "FontSize=14,Outline=1.2,Shadow=0,MarginV=90,PrimaryColour=&H00FFFFFF,"
                      "OutlineColour=&H80000000,BorderStyle=1"
                    : "FontSize=18,Outline=1.2,Shadow=0,MarginV=18,PrimaryColour=&H00FFFFFF,"
                      "OutlineColour=&H80000000,BorderStyle=1";
}

/* [vx] -> [vs]: burned subtitles in a font that holds their glyphs, or a pass-through; true
 * when they are drawn into every frame (each frame is then the render's own). */
static bool subtitle_filter(const compose_plan *pl, yaa_buf *g) {
    if (pl->band_in >= 0) {
        /* the band outlasts the picture (its last frame shows no caption), so the overlay
         * would go on past the picture's end: cut to the picture's frame count */
        yaa_buf_printf(g,
                       "[vx][%d:v]overlay=x=%d:y=%d:format=yuv420:eof_action=repeat,"
                       "trim=end_frame=%ld[vs];",
                       pl->band_in, pl->band.box[0], pl->band.box[1], lround(pl->total * pl->fps));
        return true;
    }
    if (pl->ass_name[0]) { /* captions that move, drawn into every frame */
        yaa_buf_printf(g, "[vx]ass=filename=%s[vs];", pl->ass_name);
        return true;
    }
    if (pl->ass || !pl->subs || pl->soft) { /* (ass: no caption is ever shown) */
        yaa_buf_puts(g, "[vx]null[vs];");
        return false;
    }
    char font[128];
    if (pl->req->subtitle_font && *pl->req->subtitle_font) {
        snprintf(font, sizeof font, "%s", pl->req->subtitle_font);
    } else {
        char *text = NULL;
        size_t tl = 0;
        if (!yaa_read_file(pl->subs_abs, 16u << 20, &text, &tl))
            yaa_media_font_pick(NULL, text ? text : "", font, sizeof font);
        else
            snprintf(font, sizeof font, "Noto Sans CJK KR");
        free(text);
    }
    for (char *c = font; *c; c++) /* characters that would end the filter's option */
        if (strchr(",':\\[];", *c)) *c = ' ';
    yaa_buf_printf(g, "[vx]subtitles=filename=%s:force_style='FontName=%s,%s'[vs];", pl->subs_name,
                   font, style_for(pl->style, pl->vertical));
    return true;
}

static void clip_graph(yaa_buf *g, const clip *c, const char *name, int W, int H, int fps) {
    yaa_buf_printf(
        g,
        "[%d:v]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,"
        "setsar=1,fps=%d,format=yuv420p,trim=duration=%.3f,setpts=PTS-STARTPTS[%sv];",
        c->input, W, H, W, H, fps, c->dur, name);
    if (c->audio)
        yaa_buf_printf(
            g, "[%d:a]" YAA_MEDIA_AFMT ",apad,atrim=duration=%.3f,asetpts=PTS-STARTPTS[%sa];",
            c->input, c->dur, name);
    else
        yaa_buf_printf(g, "anullsrc=r=44100:cl=stereo,atrim=duration=%.3f[%sa];", c->dur, name);
}

/* [vm][am] -> [vout][aout], with the intro and outro clips around them. */
static void bookends(const compose_plan *pl, yaa_buf *g) {
    if (!pl->has_intro && !pl->has_outro) {
        yaa_buf_puts(g, "[vm]null[vout];[am]anull[aout]");
        return;
    }
    int segs = 1;
    if (pl->has_intro) clip_graph(g, &pl->intro, "in", pl->W, pl->H, pl->fps), segs++;
    if (pl->has_outro) clip_graph(g, &pl->outro, "out", pl->W, pl->H, pl->fps), segs++;
    yaa_buf_printf(g, "%s[vm][am]%sconcat=n=%d:v=1:a=1[vout][aout]",
                   pl->has_intro ? "[inv][ina]" : "", pl->has_outro ? "[outv][outa]" : "", segs);
}

static int build_graph(const compose_plan *pl, yaa_buf *g, yaa_err *err) {
    const yaa_compose_request *req = pl->req;
    yaa_media__compose_video v = {
        pl->shots, pl->nshots, pl->shot_in, pl->ovl_in, pl->lay_in,       pl->lay_box,  pl->total,
        pl->fade,  pl->W,      pl->H,       pl->fps,    req->transitions, pl->banner_in};
    int rc = yaa_media__compose_video_graph(g, &v, err);
    if (rc) return rc;
    bool drawn = subtitle_filter(pl, g);
    rc = yaa_media__compose_video_overlays(g, &v, "vs", "vm", drawn, err);
    if (rc) return rc;
    rc = pl->premixed ? yaa_media__compose_audio_track_graph(g, pl->audio_first, pl->total, err)
                      : yaa_media__compose_audio_graph(g, (size_t)pl->audio_first, pl->n,
                                                       pl->bgm_in, pl->bgm_vol, pl->total, err);
    if (rc) return rc;
    bookends(pl, g);
    return g->len ? 0 : yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
}

/* ---- step 5: maps and encoder settings ---- */

static void add_output(const compose_plan *pl, yaa_media__argv *a, const char *graph) {
    static const char *const enc[] = {"-c:v",      "libx264",    "-pix_fmt", "yuv420p", "-c:a",
                                      "aac",       "-b:a",       "160k",     "-ar",     "44100",
                                      "-movflags", "+faststart", "-f",       "mp4",     NULL};
    yaa_media__argv_add(a, "-filter_complex");
    yaa_media__argv_add(a, graph);
    yaa_media__argv_add(a, "-filter_complex_threads");
    yaa_media__argv_addf(a, "%d", pl->env.ffmpeg_threads);
    yaa_media__argv_add_list(a, (const char *const[]){"-map", "[vout]", "-map", "[aout]", NULL});
    if (pl->soft) {
        yaa_media__argv_add(a, "-map");
        yaa_media__argv_addf(a, "%d:s", pl->subs_in);
        yaa_media__argv_add(a, "-c:s");
        yaa_media__argv_add(a, "mov_text");
    }
    yaa_media__argv_add_list(a, enc);
    yaa_media__argv_add(a, "-preset");
    yaa_media__argv_add(a, pl->env.x264_preset);
    yaa_media__argv_add(a, "-crf");
    yaa_media__argv_addf(a, "%d", pl->env.crf);
    yaa_media__argv_add(a, "-r");
    yaa_media__argv_addf(a, "%d", pl->fps);
    yaa_media__argv_add(a, "-threads");
    yaa_media__argv_addf(a, "%d", pl->env.ffmpeg_threads);
    yaa_media__argv_add(a, pl->part);
}

/* ---- step 6: render ---- */

static int render(const compose_plan *pl, yaa_media__argv *a, const char *graph,
                  yaa_compose_result *res, yaa_err *err) {
    double expected = pl->total + pl->intro.dur + pl->outro.dur;
    if (yaa_log_enabled(YAA_LOG_DEBUG)) { /* the command as a shell would take it, to re-run */
        yaa_buf cmd;
        yaa_buf_init(&cmd, 0);
        for (size_t i = 0; i < a->n; i++) {
            yaa_buf_puts(&cmd, i ? " '" : "'");
            for (const char *c = a->v[i]; *c; c++)
                *c == '\'' ? yaa_buf_puts(&cmd, "'\\''") : yaa_buf_putc(&cmd, *c);
            yaa_buf_putc(&cmd, '\'');
        }
        yaa_log_ev(YAA_LOG_DEBUG, "media", "ffmpeg command", YAA_F_STR("graph", graph),
                   YAA_F_STR("cwd", pl->work), YAA_F_STR("command", cmd.data ? cmd.data : ""),
                   YAA_F_END);
        yaa_buf_free(&cmd);
    }
    double cpu = 0;
    long rss_kb = 0;
    /* the address-space cap: explicit, or 4 GiB growing with the sections. A 1080p footage
     * section holds its decoder's frames to the end (~45 MB resident) and its inputs' threads
     * (an 8 MiB stack each): measured ~81 MiB of address space a section over ~850 MiB, so
     * 128 a section leaves room for a denser clip or a bigger machine's thread pools */
    long mem_mb = pl->env.render_mem_mb;
    if (pl->auto_mem) mem_mb = (long)fmax(4096, 2048 + 128 * (double)pl->n);
    if (yaa_media__render_acquire(&pl->env))
        return yaa_err_set(err, YAA_ECANCELLED,
                           "render: cancelled while waiting for a render slot");
    double t0 = yaa_mono_sec();
    yaa_media__progress(&pl->env, "render", 0);
    /* glibc returns freed blocks of a few MB to the kernel at once (mmap'd, or trimmed off
     * the heap's top), so a render that copies frames (a blend into a decoded frame must copy
     * it first) paid a fresh page-faulted 3 MB buffer per 1080p frame: about a fifth of the
     * filters' CPU with footage, in the kernel. Keeping them in the heap reuses the same
     * pages; peak memory is the same (measured 250 -> 256 MB). FFmpeg runs a thread per
     * input, and glibc gives threads their own arenas (each reserving 64 MiB) up to 8 per
     * core, so the address space counted against the cap grew with the machine's cores: four
     * arenas serve the few threads that do the work (measured: no CPU change, 770 MiB less
     * address space on 2 cores). An operator's own GLIBC_TUNABLES is left as it is. */
    static const char *const malloc_env[] = {
        "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold="
        "268435456:glibc.malloc.arena_max=4",
        NULL};
    yaa_media__proc_opts po = {.env = &pl->env,
                               .env_add = malloc_env,
                               .progress_total = expected,
                               .timeout_sec = pl->env.render_timeout_sec,
                               .mem_mb = mem_mb,
                               .mem_knob = "render_mem_mb",
                               .what = "render",
                               .cwd = pl->work,
                               .cpu_sec = &cpu,
                               .max_rss_kb = &rss_kb};
    int rc = yaa_media__run(a->v, &po, err);
    double took = yaa_mono_sec() - t0;
    yaa_media__render_release();
    cpu += pl->band.cpu_sec; /* the captions drawn before the run are part of its cost */
    if (!rc) rc = yaa_media__finalize(&pl->env, pl->part, pl->out_abs, pl->req->attempt, err);
    if (rc) {
        unlink(pl->part);
        return rc;
    }
    yaa_media__progress(&pl->env, "render", 1);
    if (res) {
        res->render_sec = took;
        res->cpu_sec = cpu;
        res->max_rss_mb = rss_kb / 1024;
        res->fps = pl->fps;
        yaa_media_probe_info pi;
        if (!yaa_media_probe(&pl->env, pl->out_abs, &pi, NULL)) res->duration_sec = pi.duration;
    }
    yaa_log_ev(YAA_LOG_INFO, "media", "video rendered", YAA_F_STR("path", pl->req->out_path),
               YAA_F_NUM("duration_sec", expected), YAA_F_NUM("render_sec", took),
               YAA_F_NUM("cpu_sec", cpu), YAA_F_INT("max_rss_mb", rss_kb / 1024),
               YAA_F_INT("segments", (long)pl->n), YAA_F_INT("fps", pl->fps),
               YAA_F_INT("caption_frames", (long)pl->band.frames),
               YAA_F_NUM("caption_cpu_sec", pl->band.cpu_sec), YAA_F_END);
    return 0;
}

static void free_plan(compose_plan *pl) {
    free(pl->shots);
    free(pl->shot_in);
    free(pl->ovl_in);
    free(pl->lay_in);
    free(pl->lay_box);
}

int yaa_media_compose(const yaa_media_env *env_in, const yaa_compose_request *req,
                      yaa_compose_result *res, yaa_err *err) {
    compose_plan pl = {0};
    yaa_media__env_defaults(env_in, &pl.env);
    pl.auto_mem = !env_in || env_in->render_mem_mb == 0;
    if (res) memset(res, 0, sizeof *res);
    int rc = check_request(&pl, req, err);
    if (rc) {
        free_plan(&pl);
        return rc;
    }
    yaa_media__argv a = {0};
    yaa_buf g;
    yaa_buf_init(&g, 1u << 20);
    if (!(rc = stage_files(&pl, err))) {
        add_inputs(&pl, &a);
        rc = build_graph(&pl, &g, err);
    }
    if (!rc) {
        add_output(&pl, &a, g.data);
        if (a.oom) rc = yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    }
    if (!rc) rc = render(&pl, &a, g.data, res, err);
    if (pl.subs_abs[0]) unlink(pl.subs_abs);
    if (pl.band.path[0]) unlink(pl.band.path);
    if (pl.ass_abs[0]) unlink(pl.ass_abs);
    free_plan(&pl);
    yaa_buf_free(&g);
    yaa_media__argv_free(&a);
    free(pl.work);
    free(pl.out_abs);
    return rc;
}
