/* compose.c - the video in one FFmpeg run and one filtergraph: each image held for its
 * narration, centred crossfades that keep the total equal to the narration, optional
 * intro/outro, burned (libass) or soft (mov_text) subtitles, BGM ducked under speech with
 * sidechaincompress, H.264 + AAC MP4 with +faststart. */
#include "core/log.h"
#include "core/util.h"
#include "media/internal.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct argv_list {
    char **v;
    size_t n, cap;
    int oom;
} argv_list;

static void arg(argv_list *a, const char *s) {
    if (a->oom) return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **t = realloc(a->v, cap * sizeof *t);
        if (!t) {
            a->oom = 1;
            return;
        }
        a->v = t;
        a->cap = cap;
    }
    char *c = strdup(s);
    if (!c) {
        a->oom = 1;
        return;
    }
    a->v[a->n++] = c;
    a->v[a->n] = NULL;
}

static void argf(argv_list *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argf(argv_list *a, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    arg(a, tmp);
}

static void argv_free(argv_list *a) {
    for (size_t i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
}

/* ---- ffprobe ---- */

int yaa_media_probe(const yaa_media_env *env_in, const char *path, yaa_media_probe_info *out,
                    yaa_err *err) {
    yaa_media_env env;
    yaa__media_env_defaults(env_in, &env);
    memset(out, 0, sizeof *out);
    yaa_buf b;
    yaa_buf_init(&b, 4u << 20);
    char *argv[] = {(char *)env.ffprobe, "-v",         "error",
                    "-print_format",     "json",       "-show_format",
                    "-show_streams",     (char *)path, NULL};
    yaa__proc_opts po = {.env = NULL, .timeout_sec = 60, .what = "probe", .out = &b};
    int rc = yaa__media_run(argv, &po, err);
    if (rc) {
        yaa_buf_free(&b);
        return rc;
    }
    json_error_t je;
    json_t *j = json_loadb(b.data ? b.data : "", b.len, 0, &je);
    yaa_buf_free(&b);
    if (!j) return yaa_err_set(err, YAA_EPARSE, "probe '%s': ffprobe output unreadable", path);
    const char *d = json_string_value(json_object_get(json_object_get(j, "format"), "duration"));
    if (d) out->duration = atof(d);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "streams"), i, s) {
        const char *type = json_string_value(json_object_get(s, "codec_type"));
        const char *codec = json_string_value(json_object_get(s, "codec_name"));
        if (yaa_str_eq(type, "video")) {
            if (!out->video_streams++) {
                snprintf(out->video_codec, sizeof out->video_codec, "%s", codec ? codec : "");
                out->width = (int)json_integer_value(json_object_get(s, "width"));
                out->height = (int)json_integer_value(json_object_get(s, "height"));
            }
        } else if (yaa_str_eq(type, "audio")) {
            if (!out->audio_streams++)
                snprintf(out->audio_codec, sizeof out->audio_codec, "%s", codec ? codec : "");
        } else if (yaa_str_eq(type, "subtitle")) {
            out->subtitle_streams++;
        }
    }
    json_decref(j);
    return 0;
}

/* ---- paths ---- */

/* Absolute form of p (the child runs in another directory). */
static char *abs_path(const char *p) {
    if (p[0] == '/') return strdup(p);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return NULL;
    char *o = NULL;
    if (asprintf(&o, "%s/%s", cwd, p) < 0) return NULL;
    return o;
}

static int need_file(const char *what, const char *p, yaa_err *err) {
    if (!p || !*p) return yaa_err_set(err, YAA_EINVAL, "compose: %s path is empty", what);
    if (access(p, R_OK))
        return yaa_err_set(err, YAA_ENOTFOUND, "compose: %s '%s': %s", what, p, strerror(errno));
    return 0;
}

/* ---- subtitle styles ---- */

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

/* ---- the graph ---- */

typedef struct clip {
    const char *path;
    double dur;
    bool audio;
    int input;
} clip;

static int probe_clip(const yaa_media_env *env, clip *c, const char *what, yaa_err *err) {
    yaa_media_probe_info pi;
    int rc = yaa_media_probe(env, c->path, &pi, err);
    if (rc) return yaa_err_prefix(err, "%s clip: ", what);
    if (!pi.video_streams || pi.duration <= 0)
        return yaa_err_set(err, YAA_EINVAL, "%s clip '%s' has no video", what, c->path);
    c->dur = pi.duration;
    c->audio = pi.audio_streams > 0;
    return 0;
}

#define AFMT "aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo"

static void clip_graph(yaa_buf *g, const clip *c, const char *name, int W, int H, int fps) {
    yaa_buf_printf(
        g,
        "[%d:v]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,"
        "setsar=1,fps=%d,format=yuv420p,trim=duration=%.3f,setpts=PTS-STARTPTS[%sv];",
        c->input, W, H, W, H, fps, c->dur, name);
    if (c->audio)
        yaa_buf_printf(g, "[%d:a]" AFMT ",apad,atrim=duration=%.3f,asetpts=PTS-STARTPTS[%sa];",
                       c->input, c->dur, name);
    else
        yaa_buf_printf(g, "anullsrc=r=44100:cl=stereo,atrim=duration=%.3f[%sa];", c->dur, name);
}

/* The picture track, cheap for still images: each image is one decoded frame, scaled and
 * converted once, then cut into pieces on the output frame grid - a hold while its narration
 * plays and a short xfade into the next image centred on the join, each made by `loop`
 * repeating that one frame on demand (so memory holds one frame per image, whatever the
 * length) - and the pieces are concatenated. Piece ends are rounded on absolute frame numbers, so
 * the track lasts the narration total to within half a frame however many segments there are, and
 * xfade only ever sees the few frames of a transition. Output label [vx]. */
typedef struct piece {
    size_t a, b; /* images; b == a for a hold */
    long frames;
} piece;

/* True when path is a PNG of exactly w x h (its IHDR), so it needs no scale/pad. */
static bool png_is_size(const char *path, int w, int h) {
    unsigned char hdr[24];
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool ok = fread(hdr, 1, sizeof hdr, f) == sizeof hdr && !memcmp(hdr, "\x89PNG\r\n\x1a\n", 8) &&
              !memcmp(hdr + 12, "IHDR", 4);
    fclose(f);
    if (!ok) return false;
    long pw = ((long)hdr[16] << 24) | (hdr[17] << 16) | (hdr[18] << 8) | hdr[19];
    long ph = ((long)hdr[20] << 24) | (hdr[21] << 16) | (hdr[22] << 8) | hdr[23];
    return pw == w && ph == h;
}

static int video_graph(yaa_buf *g, const char *const *images, const double *dur, size_t n,
                       double fade, int W, int H, int fps, yaa_err *err) {
    piece *p = calloc(2 * n, sizeof *p);
    int *uses = calloc(n, sizeof *uses), *used = calloc(n, sizeof *used);
    if (!p || !uses || !used) {
        free(p);
        free(uses);
        free(used);
        return yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    }
    size_t np = 0;
    double at = 0;
    for (size_t i = 0; i < n; i++) {
        double start = at + (i > 0 ? fade / 2 : 0), next = at + dur[i];
        double end = next - (i + 1 < n ? fade / 2 : 0);
        long frames = lround(end * fps) - lround(start * fps);
        if (frames > 0) p[np++] = (piece){i, i, frames}, uses[i]++;
        if (i + 1 < n && fade > 0) {
            frames = lround((next + fade / 2) * fps) - lround((next - fade / 2) * fps);
            if (frames > 0) p[np++] = (piece){i, i + 1, frames}, uses[i]++, uses[i + 1]++;
        }
        at = next;
    }
    for (size_t i = 0; i < n; i++) {
        /* cards are drawn at the output size: only foreign pictures are scaled and padded */
        if (png_is_size(images[i], W, H))
            yaa_buf_printf(g, "[%zu:v]format=yuv420p,setsar=1", i);
        else
            yaa_buf_printf(g,
                           "[%zu:v]format=yuv420p,scale=%d:%d:force_original_aspect_ratio=decrease,"
                           "pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1",
                           i, W, H, W, H);
        if (uses[i] > 1) {
            yaa_buf_printf(g, ",split=%d", uses[i]);
            for (int k = 0; k < uses[i]; k++) yaa_buf_printf(g, "[s%zu_%d]", i, k);
            yaa_buf_puts(g, ";");
        } else {
            yaa_buf_printf(g, "[s%zu_0];", i);
        }
    }
    for (size_t k = 0; k < np; k++) {
        if (p[k].a == p[k].b) {
            yaa_buf_printf(g, "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[p%zu];", p[k].a,
                           used[p[k].a]++, p[k].frames - 1, fps, k);
        } else { /* one spare frame each, trimmed after: xfade may end a frame early */
            yaa_buf_printf(g,
                           "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[pa%zu];"
                           "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[pb%zu];"
                           "[pa%zu][pb%zu]xfade=transition=fade:duration=%.6f:offset=0,"
                           "trim=end_frame=%ld[p%zu];",
                           p[k].a, used[p[k].a]++, p[k].frames, fps, k, p[k].b, used[p[k].b]++,
                           p[k].frames, fps, k, k, k, (double)p[k].frames / fps, p[k].frames, k);
        }
    }
    for (size_t k = 0; k < np; k++) yaa_buf_printf(g, "[p%zu]", k);
    /* one clean timeline: frame n at n/fps (xfade output carries no frame durations, which
     * would make concat overlap pieces and the muxer drop frames) */
    int rc = yaa_buf_printf(g, "concat=n=%zu:v=1:a=0,settb=1/%d,setpts=N/%d/TB[vx];", np, fps, fps);
    free(p);
    free(uses);
    free(used);
    return rc ? yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large") : 0;
}

static atomic_int subs_counter;

int yaa_media_compose(const yaa_media_env *env_in, const yaa_compose_request *req,
                      yaa_compose_result *res, yaa_err *err) {
    yaa_media_env env;
    yaa__media_env_defaults(env_in, &env);
    if (res) memset(res, 0, sizeof *res);
    if (!req || !req->out_path || !req->n || !req->images || !req->audio || !req->durations)
        return yaa_err_set(err, YAA_EINVAL,
                           "compose: needs an output path and at least one segment");
    const bool vertical = req->short_video;
    const int W = vertical ? 1080 : 1920, H = vertical ? 1920 : 1080, fps = env.fps;
    const size_t n = req->n;
    double total = 0, dmin = 1e9;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = need_file("image", req->images[i], err);
        if (!rc) rc = need_file("audio", req->audio[i], err);
        if (!rc && !(req->durations[i] > 0))
            rc = yaa_err_set(err, YAA_EINVAL, "compose: segment %zu has no duration", i + 1);
        if (!rc) total += req->durations[i], dmin = fmin(dmin, req->durations[i]);
    }
    if (rc) return rc;
    const char *style =
        req->subtitle_style && *req->subtitle_style ? req->subtitle_style : "default";
    bool subs = req->srt_path && *req->srt_path && !yaa_str_eq(style, "none");
    bool soft = subs && yaa_str_eq(style, "soft");
    if (subs && (rc = need_file("subtitles", req->srt_path, err))) return rc;
    bool bgm = req->bgm_path && *req->bgm_path;
    if (bgm && (rc = need_file("background music", req->bgm_path, err))) return rc;
    double bgm_vol = req->bgm_volume > 0 ? fmin(req->bgm_volume, 1.0) : 0.15;
    clip intro = {req->intro_path, 0, false, -1}, outro = {req->outro_path, 0, false, -1};
    bool has_intro = intro.path && *intro.path, has_outro = outro.path && *outro.path;
    if (has_intro && ((rc = need_file("intro", intro.path, err)) ||
                      (rc = probe_clip(&env, &intro, "intro", err))))
        return rc;
    if (has_outro && ((rc = need_file("outro", outro.path, err)) ||
                      (rc = probe_clip(&env, &outro, "outro", err))))
        return rc;
    double fade = req->crossfade_sec < 0 ? 0 : req->crossfade_sec > 0 ? req->crossfade_sec : 0.5;
    if (fade > dmin * 0.5) fade = dmin * 0.5;
    if (fade < 1.0 / fps) fade = 0;

    char *out_abs = abs_path(req->out_path);
    char *work = out_abs ? dir_of(out_abs) : NULL;
    char subs_name[64] = "", part[PATH_MAX] = "", subs_abs[PATH_MAX] = "";
    argv_list a = {0};
    yaa_buf g;
    yaa_buf_init(&g, 1u << 20);
    if (!work) {
        rc = yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
        goto out;
    }
    snprintf(part, sizeof part, "%s.part", out_abs);
    if (subs) {
        snprintf(subs_name, sizeof subs_name, ".yaa-subs-%d-%d.srt", (int)getpid(),
                 atomic_fetch_add(&subs_counter, 1));
        snprintf(subs_abs, sizeof subs_abs, "%s/%s", work, subs_name);
        if ((rc = copy_file(req->srt_path, subs_abs, err))) goto out;
    }

    arg(&a, env.ffmpeg);
    const char *pre[] = {"-nostdin",  "-hide_banner", "-v", "error", "-nostats",
                         "-progress", "pipe:1",       "-y", NULL};
    for (int i = 0; pre[i]; i++) arg(&a, pre[i]);
    int input = 0;
    /* inputs 0..n-1: the images, one frame each (scaled once, repeated by `loop`) */
    for (size_t i = 0; i < n; i++) {
        char *p = abs_path(req->images[i]);
        arg(&a, "-threads"); /* one decoder thread per picture: each would hold its own frames */
        arg(&a, "1");
        arg(&a, "-framerate");
        argf(&a, "%d", fps);
        arg(&a, "-i");
        arg(&a, p ? p : req->images[i]);
        free(p);
        input++;
    }
    for (size_t i = 0; i < n; i++) {
        char *p = abs_path(req->audio[i]);
        arg(&a, "-i");
        arg(&a, p ? p : req->audio[i]);
        free(p);
        input++;
    }
    if (has_intro) {
        char *p = abs_path(intro.path);
        arg(&a, "-i");
        arg(&a, p ? p : intro.path);
        free(p);
        intro.input = input++;
    }
    if (has_outro) {
        char *p = abs_path(outro.path);
        arg(&a, "-i");
        arg(&a, p ? p : outro.path);
        free(p);
        outro.input = input++;
    }
    int bgm_in = -1, subs_in = -1;
    if (bgm) {
        char *p = abs_path(req->bgm_path);
        arg(&a, "-stream_loop");
        arg(&a, "-1");
        arg(&a, "-i");
        arg(&a, p ? p : req->bgm_path);
        free(p);
        bgm_in = input++;
    }
    if (soft) {
        if (has_intro) {
            arg(&a, "-itsoffset");
            argf(&a, "%.3f", intro.dur);
        }
        arg(&a, "-i");
        arg(&a, subs_name);
        subs_in = input++;
    }

    /* video: see video_graph() */
    if ((rc = video_graph(&g, req->images, req->durations, n, fade, W, H, fps, err))) goto out;
    const char *last = "vx";
    if (subs && !soft) {
        char font[128];
        if (req->subtitle_font && *req->subtitle_font)
            snprintf(font, sizeof font, "%s", req->subtitle_font);
        else {
            char *text = NULL;
            size_t tl = 0;
            if (!yaa_read_file(subs_abs, 16u << 20, &text, &tl))
                yaa_font_pick(NULL, text ? text : "", font, sizeof font);
            else
                snprintf(font, sizeof font, "Noto Sans CJK KR");
            free(text);
        }
        for (char *c = font; *c; c++)
            if (*c == ',' || *c == '\'' || *c == ':' || *c == '\\' || *c == '[' || *c == ']' ||
                *c == ';')
                *c = ' ';
        yaa_buf_printf(&g, "[%s]subtitles=filename=%s:force_style='FontName=%s,%s'[vm];", last,
                       subs_name, font, style_for(style, vertical));
    } else {
        yaa_buf_printf(&g, "[%s]null[vm];", last);
    }
    /* audio: the narration segments back to back (exact), with ducked BGM under it */
    for (size_t i = 0; i < n; i++) yaa_buf_printf(&g, "[%zu:a]", n + i);
    yaa_buf_printf(&g, "concat=n=%zu:v=0:a=1," AFMT "[narr];", n);
    if (bgm) {
        yaa_buf_printf(
            &g,
            "[%d:a]" AFMT ",volume=%.3f,atrim=duration=%.3f,asetpts=PTS-STARTPTS[bg];"
            "[narr]asplit=2[sc][voice];"
            "[bg][sc]sidechaincompress=threshold=0.02:ratio=6:attack=20:release=350:makeup=1[duck];"
            "[voice][duck]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[am];",
            bgm_in, bgm_vol, total);
    } else {
        yaa_buf_puts(&g, "[narr]anull[am];");
    }
    if (has_intro || has_outro) {
        int segs = 1;
        if (has_intro) clip_graph(&g, &intro, "in", W, H, fps), segs++;
        if (has_outro) clip_graph(&g, &outro, "out", W, H, fps), segs++;
        yaa_buf_printf(&g, "%s[vm][am]%sconcat=n=%d:v=1:a=1[vout][aout]",
                       has_intro ? "[inv][ina]" : "", has_outro ? "[outv][outa]" : "", segs);
    } else {
        yaa_buf_puts(&g, "[vm]null[vout];[am]anull[aout]");
    }
    if (g.len == 0 || a.oom) {
        rc = yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
        goto out;
    }
    arg(&a, "-filter_complex");
    arg(&a, g.data);
    arg(&a, "-filter_complex_threads");
    argf(&a, "%d", env.ffmpeg_threads);
    arg(&a, "-map");
    arg(&a, "[vout]");
    arg(&a, "-map");
    arg(&a, "[aout]");
    if (soft) {
        arg(&a, "-map");
        argf(&a, "%d:s", subs_in);
        arg(&a, "-c:s");
        arg(&a, "mov_text");
    }
    const char *enc[] = {"-c:v",      "libx264",    "-pix_fmt", "yuv420p", "-tune", "stillimage",
                         "-c:a",      "aac",        "-b:a",     "160k",    "-ar",   "44100",
                         "-movflags", "+faststart", "-f",       "mp4",     NULL};
    for (int i = 0; enc[i]; i++) arg(&a, enc[i]);
    arg(&a, "-preset");
    arg(&a, env.x264_preset);
    arg(&a, "-crf");
    argf(&a, "%d", env.crf);
    arg(&a, "-r");
    argf(&a, "%d", fps);
    arg(&a, "-threads");
    argf(&a, "%d", env.ffmpeg_threads);
    arg(&a, part);
    if (a.oom) {
        rc = yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
        goto out;
    }
    double expected = total + intro.dur + outro.dur;
    yaa_log_ev(YAA_LOG_DEBUG, "media", "ffmpeg filtergraph", YAA_F_STR("graph", g.data), YAA_F_END);
    double cpu = 0;
    long rss_kb = 0;
    /* the address-space cap: explicit, or 4 GiB growing with the pictures held (~30 MB
     * resident per section at 1080p, measured; virtual size runs higher) */
    long mem_mb = env.render_mem_mb;
    if (!env_in || env_in->render_mem_mb == 0) mem_mb = (long)fmax(4096, 1024 + 64 * (double)n);
    if (yaa__render_acquire(&env)) {
        rc = yaa_err_set(err, YAA_ECANCELLED, "render: cancelled while waiting for a render slot");
        goto out;
    }
    double t0 = yaa_mono_sec();
    yaa__media_progress(&env, "render", 0);
    yaa__proc_opts po = {.env = &env,
                         .progress_total = expected,
                         .timeout_sec = env.render_timeout_sec,
                         .mem_mb = mem_mb,
                         .what = "render",
                         .cwd = work,
                         .cpu_sec = &cpu,
                         .max_rss_kb = &rss_kb};
    rc = yaa__media_run(a.v, &po, err);
    double took = yaa_mono_sec() - t0;
    yaa__render_release();
    if (rc) {
        unlink(part);
        goto out;
    }
    if (rename(part, out_abs)) {
        rc = yaa_err_set(err, YAA_EIO, "compose: cannot write '%s': %s", req->out_path,
                         strerror(errno));
        unlink(part);
        goto out;
    }
    yaa__media_progress(&env, "render", 1);
    if (res) {
        res->render_sec = took;
        res->cpu_sec = cpu;
        res->max_rss_mb = rss_kb / 1024;
        yaa_media_probe_info pi;
        if (!yaa_media_probe(&env, out_abs, &pi, NULL)) res->duration_sec = pi.duration;
    }
    yaa_log_ev(YAA_LOG_INFO, "media", "video rendered", YAA_F_STR("path", req->out_path),
               YAA_F_NUM("duration_sec", expected), YAA_F_NUM("render_sec", took),
               YAA_F_NUM("cpu_sec", cpu), YAA_F_INT("max_rss_mb", rss_kb / 1024),
               YAA_F_INT("segments", (long)n), YAA_F_END);
out:
    if (subs_abs[0]) unlink(subs_abs);
    yaa_buf_free(&g);
    argv_free(&a);
    free(work);
    free(out_abs);
    return rc;
}
