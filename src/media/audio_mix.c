/* audio_mix.c - the one sound track of a video: the narration segments back to back, music
 * ducked under the voice (sidechaincompress keyed by the narration), effects at their times,
 * then loudness-normalised to YouTube's -14 LUFS with the true peak under -1 dBTP by
 * FFmpeg's loudnorm in two passes (measure, then apply the measured values - linear gain when
 * the peak headroom allows it). Also the EBU R128 measurement the quality report uses. */
#include "core/log.h"
#include "media/audio.h"
#include "media/media_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ebur128 runs with framelog=verbose: hidden per-frame lines at -v info; framelog=quiet makes
 * FFmpeg 5.1 print a summary of zeros. */
#define MIX_FMT "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"

/* The number after `key` in the text after `from` (e.g. "I:" in ebur128's summary). */
static bool number_after(const char *text, const char *from, const char *key, double *out) {
    const char *p = from ? strstr(text, from) : text;
    p = p ? strstr(p, key) : NULL;
    if (!p) return false;
    p += strlen(key);
    while (*p == ' ' || *p == '"' || *p == ':') p++;
    char *end;
    double d = strtod(p, &end);
    if (end == p) {
        if (!strncmp(p, "-inf", 4)) {
            *out = -INFINITY;
            return true;
        }
        return false;
    }
    *out = d;
    return true;
}

int yaa_media__r128_summary(const char *log, yaa_loudness *out) {
    /* the last summary: FFmpeg may configure a graph twice, and the first one's is empty */
    const char *sum = NULL;
    for (const char *p = strstr(log, "Summary:"); p; p = strstr(p + 1, "Summary:")) sum = p;
    if (!sum || !number_after(sum, "Integrated loudness", "I:", &out->integrated_lufs) ||
        !number_after(sum, "Loudness range", "LRA:", &out->lra) ||
        !number_after(sum, "True peak", "Peak:", &out->true_peak_dbtp))
        return YAA_EPARSE;
    if (!isfinite(out->integrated_lufs)) out->integrated_lufs = -70; /* silence */
    if (!isfinite(out->true_peak_dbtp)) out->true_peak_dbtp = -99;
    return 0;
}

int yaa_media_audio_loudness(const yaa_media_env *env_in, const char *path, yaa_loudness *out,
                             yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    yaa_buf e;
    yaa_buf_init(&e, 4u << 20);
    char *argv[] = {(char *)env.ffmpeg,
                    "-nostdin",
                    "-hide_banner",
                    "-nostats",
                    "-v",
                    "info",
                    "-i",
                    (char *)path,
                    "-map",
                    "0:a:0",
                    "-af",
                    "ebur128=peak=true:framelog=verbose",
                    "-f",
                    "null",
                    "-",
                    NULL};
    yaa_media__proc_opts po = {.env = &env, .timeout_sec = 600, .what = "loudness", .err_out = &e};
    int rc = yaa_media__run(argv, &po, err);
    if (!rc && yaa_media__r128_summary(e.data ? e.data : "", out))
        rc =
            yaa_err_set(err, YAA_EPARSE, "loudness of '%s': no EBU R128 summary from FFmpeg", path);
    yaa_buf_free(&e);
    return rc;
}

/* The filtergraph up to [mix]: narration, ducked music, effects. Inputs: narration 0..n-1,
 * music at n (if any), effects after it. */
static int premix_graph(yaa_buf *g, const yaa_mix_request *r, double total) {
    size_t n = r->n;
    for (size_t i = 0; i < n; i++) yaa_buf_printf(g, "[%zu:a]" MIX_FMT "[n%zu];", i, i);
    for (size_t i = 0; i < n; i++) yaa_buf_printf(g, "[n%zu]", i);
    yaa_buf_printf(g, "concat=n=%zu:v=0:a=1[narr];", n);
    const char *voice = "narr";
    if (r->nmusic) {
        double vol = r->music_volume > 0 ? fmin(r->music_volume, 1.0) : 0.15;
        yaa_buf_printf(g,
                       "[%zu:a]" MIX_FMT ",volume=%.3f,atrim=duration=%.3f,asetpts=PTS-STARTPTS,"
                       "afade=t=out:st=%.3f:d=1.5[bg];"
                       "[narr]asplit=2[sc][vo];"
                       "[bg][sc]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400:"
                       "makeup=1[duck];"
                       "[vo][duck]amix=inputs=2:duration=first:dropout_transition=0:normalize=0"
                       "[withmusic];",
                       n, vol, total, fmax(0, total - 1.5));
        voice = "withmusic";
    }
    if (r->neffects) {
        size_t first = n + (r->nmusic ? 1 : 0);
        for (size_t k = 0; k < r->neffects; k++) {
            long ms = lround(fmax(0, r->effects[k].at_sec) * 1000);
            double v = r->effects[k].volume > 0 ? fmin(r->effects[k].volume, 1.0) : 0.5;
            yaa_buf_printf(g, "[%zu:a]" MIX_FMT ",volume=%.3f,adelay=%ld|%ld[fx%zu];", first + k, v,
                           ms, ms, k);
        }
        yaa_buf_printf(g, "[%s]", voice);
        for (size_t k = 0; k < r->neffects; k++) yaa_buf_printf(g, "[fx%zu]", k);
        yaa_buf_printf(g, "amix=inputs=%zu:duration=first:dropout_transition=0:normalize=0[mix];",
                       r->neffects + 1);
    } else {
        yaa_buf_printf(g, "[%s]anull[mix];", voice);
    }
    return yaa_buf_printf(g, "[mix]apad,atrim=duration=%.3f[premix]", total);
}

static void add(char **argv, size_t *k, const char *s) { argv[(*k)++] = (char *)s; }

/* Appends a NULL-terminated list of arguments. */
static void add_all(char **argv, size_t *k, const char *const *list) {
    for (; *list; list++) add(argv, k, *list);
}

/* A pass's end of the command line: the graph, its [out] and the output options, from
 * argv[k] on (each pass reuses the inputs before k). */
static void add_pass(char **argv, size_t k, const char *graph, const char *const *output) {
    const char *const head[] = {"-filter_complex", graph, "-map", "[out]", NULL};
    add_all(argv, &k, head);
    add_all(argv, &k, output);
    argv[k] = NULL;
}

int yaa_media_audio_mix(const yaa_media_env *env_in, const yaa_mix_request *r, yaa_mix_result *res,
                        yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    yaa_mix_result dummy;
    if (!res) res = &dummy;
    memset(res, 0, sizeof *res);
    if (!r || !r->out_path || !r->n || !r->narration || !r->durations)
        return yaa_err_set(err, YAA_EINVAL, "mix: needs an output path and narration segments");
    double total = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->narration[i] || access(r->narration[i], R_OK))
            return yaa_err_set(err, YAA_ENOTFOUND, "mix: narration %zu '%s': %s", i + 1,
                               r->narration[i] ? r->narration[i] : "", strerror(errno));
        total += r->durations[i] > 0 ? r->durations[i] : 0;
    }
    for (size_t i = 0; i < r->nmusic; i++)
        if (!r->music[i] || access(r->music[i], R_OK))
            return yaa_err_set(err, YAA_ENOTFOUND, "mix: music '%s': %s",
                               r->music[i] ? r->music[i] : "", strerror(errno));
    for (size_t i = 0; i < r->neffects; i++)
        if (!r->effects[i].path || access(r->effects[i].path, R_OK))
            return yaa_err_set(err, YAA_ENOTFOUND, "mix: effect '%s': %s",
                               r->effects[i].path ? r->effects[i].path : "", strerror(errno));
    double I = r->target_lufs < 0 ? r->target_lufs : -14, TP = r->target_tp < 0 ? r->target_tp : -2;
    size_t nin = r->n + (r->nmusic ? 1 : 0) + r->neffects;
    char **argv = calloc(2 * nin + 32, sizeof *argv);
    yaa_buf g, e;
    yaa_buf_init(&g, 1u << 20);
    yaa_buf_init(&e, 4u << 20);
    char *graph2 = NULL, part[4096];
    int rc = 0;
    if (yaa_media__part_path(r->out_path, part, sizeof part)) {
        rc = yaa_err_set(err, YAA_ELIMIT, "mix: the path '%s' is too long", r->out_path);
        goto out;
    }
    if (!argv || premix_graph(&g, r, total)) {
        rc = yaa_err_set(err, YAA_ENOMEM, "mix: out of memory");
        goto out;
    }
    size_t k = 0;
    const char *const head[] = {env.ffmpeg, "-nostdin", "-hide_banner", "-nostats",
                                "-v",       "info",     "-y",           NULL};
    add_all(argv, &k, head);
    for (size_t i = 0; i < r->n; i++) add(argv, &k, "-i"), add(argv, &k, r->narration[i]);
    if (r->nmusic) { /* one piece per video, looped to length (chosen by the caller) */
        add(argv, &k, "-stream_loop");
        add(argv, &k, "-1");
        add(argv, &k, "-i");
        add(argv, &k, r->music[0]);
    }
    for (size_t i = 0; i < r->neffects; i++) add(argv, &k, "-i"), add(argv, &k, r->effects[i].path);
    size_t graph_at = k;
    /* pass 1: measure */
    yaa_buf_printf(&g, ";[premix]loudnorm=I=%.1f:TP=%.1f:LRA=11:print_format=json[out]", I, TP);
    const char *const measure[] = {"-f", "null", "-", NULL};
    add_pass(argv, graph_at, g.data, measure);
    yaa_media__proc_opts po = {
        .env = &env, .timeout_sec = 900, .what = "mix (measure)", .err_out = &e};
    if ((rc = yaa_media__run(argv, &po, err))) goto out;
    const char *js = e.data ? strrchr(e.data, '{') : NULL;
    json_error_t je;
    json_t *m = js ? json_loads(js, JSON_DISABLE_EOF_CHECK, &je) : NULL;
    const char *mi = json_string_value(json_object_get(m, "input_i"));
    const char *mtp = json_string_value(json_object_get(m, "input_tp"));
    const char *mlra = json_string_value(json_object_get(m, "input_lra"));
    const char *mth = json_string_value(json_object_get(m, "input_thresh"));
    const char *moff = json_string_value(json_object_get(m, "target_offset"));
    if (!mi || !mtp || !mlra || !mth || !moff) {
        json_decref(m);
        rc = yaa_err_set(err, YAA_EPARSE, "mix: FFmpeg's loudnorm gave no measurement");
        goto out;
    }
    res->input_lufs = atof(mi);
    bool silent = !isfinite(res->input_lufs) || res->input_lufs < -69;
    /* pass 2: apply (silence has nothing to normalise) */
    size_t cut = strlen(g.data) - strlen(strstr(g.data, ";[premix]loudnorm"));
    if (silent) {
        if (asprintf(&graph2, "%.*s;[premix]anull[out]", (int)cut, g.data) < 0) graph2 = NULL;
    } else if (asprintf(&graph2,
                        "%.*s;[premix]loudnorm=I=%.1f:TP=%.1f:LRA=11:measured_I=%s:measured_TP=%s:"
                        "measured_LRA=%s:measured_thresh=%s:offset=%s:linear=true,"
                        "aformat=sample_fmts=s16:sample_rates=48000:channel_layouts=stereo[out]",
                        (int)cut, g.data, I, TP, mi, mtp, mlra, mth, moff) < 0) {
        graph2 = NULL;
    }
    json_decref(m);
    if (!graph2) {
        rc = yaa_err_set(err, YAA_ENOMEM, "mix: out of memory");
        goto out;
    }
    const char *const apply[] = {"-c:a", "pcm_s16le", "-ar", "48000", "-f", "wav", part, NULL};
    add_pass(argv, graph_at, graph2, apply);
    yaa_media__proc_opts po2 = {.env = &env, .timeout_sec = 900, .what = "mix"};
    if ((rc = yaa_media__run(argv, &po2, err))) {
        unlink(part);
        goto out;
    }
    if (rename(part, r->out_path)) {
        rc = yaa_err_set(err, YAA_EIO, "mix: cannot write '%s': %s", r->out_path, strerror(errno));
        unlink(part);
        goto out;
    }
    res->duration_sec = total;
    yaa_loudness l;
    if (!yaa_media_audio_loudness(&env, r->out_path, &l, NULL)) {
        res->output_lufs = l.integrated_lufs;
        res->output_tp = l.true_peak_dbtp;
    }
    yaa_log_ev(YAA_LOG_INFO, "media", "audio mixed", YAA_F_NUM("input_lufs", res->input_lufs),
               YAA_F_NUM("output_lufs", res->output_lufs), YAA_F_NUM("true_peak", res->output_tp),
               YAA_F_INT("music", (long)r->nmusic), YAA_F_INT("effects", (long)r->neffects),
               YAA_F_END);
out:
    free(graph2);
    free(argv);
    yaa_buf_free(&g);
    yaa_buf_free(&e);
    return rc;
}
