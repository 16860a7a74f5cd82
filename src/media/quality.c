/* quality.c - quality.json: what a viewer (and YouTube) will notice, measured on a run's
 * final files: loudness and true peak of the video (EBU R128), the longest still stretch
 * (freezedetect) - both from one decode - captions against the spoken words (coverage,
 * overlaps, words missing from their cue), what the picture side recorded in media.json
 * (text overflows, contrast, footage vs cards) and the metadata against YouTube's limits.
 * A file that is missing makes its checks "skipped"; only a missing video is an error.
 * Every writer of a run's metadata refreshes the metadata part alone
 * (yaa_media_quality_metadata_refresh: no decode, a few file reads). */
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

#define STILL_LIMIT_SEC 3.0

/* "freeze_start: 12.3" and the like in FFmpeg's log. */
static bool number_after(const char *text, const char *key, double *out) {
    const char *p = text ? strstr(text, key) : NULL;
    if (!p) return false;
    char *end;
    double d = strtod(p + strlen(key), &end);
    if (end == p + strlen(key)) return false;
    *out = d;
    return true;
}

/* One decode of the video: ebur128 on the sound, freezedetect on a small copy of the picture
 * (its noise floor is the one `ffmpeg -vf freezedetect=n=-60dB` uses on the full frame). */
static int measure_video(const yaa_media_env *env, const char *video, double duration, json_t *o,
                         yaa_quality *q, yaa_err *err) {
    static const char graph[] = "[0:v:0]scale=480:-2,freezedetect=n=-60dB:d=0.5[v];"
                                "[0:a:0]ebur128=peak=true:framelog=verbose[a]";
    yaa_buf e;
    yaa_buf_init(&e, 16u << 20);
    char *argv[] = {(char *)env->ffmpeg,
                    "-nostdin",
                    "-hide_banner",
                    "-nostats",
                    "-v",
                    "info",
                    "-i",
                    (char *)video,
                    "-filter_complex",
                    (char *)graph,
                    "-map",
                    "[v]",
                    "-map",
                    "[a]",
                    "-f",
                    "null",
                    "-",
                    NULL};
    yaa_media__proc_opts po = {.env = env, .timeout_sec = 1800, .what = "quality", .err_out = &e};
    int rc = yaa_media__run(argv, &po, err);
    if (rc) {
        yaa_buf_free(&e);
        return rc;
    }
    const char *t = e.data ? e.data : "";
    yaa_loudness l = {-70, -99, 0};
    if (yaa_media__r128_summary(t, &l)) {
        yaa_buf_free(&e);
        return yaa_err_set(err, YAA_EPARSE, "quality: no EBU R128 summary from FFmpeg for '%s'",
                           video);
    }
    /* stills: each freeze_start is followed by its freeze_duration, or runs to the end */
    double longest = 0;
    int stills = 0;
    for (const char *p = strstr(t, "freeze_start:"); p; p = strstr(p + 1, "freeze_start:")) {
        double st = 0, du = -1;
        number_after(p, "freeze_start:", &st);
        const char *next = strstr(p + 1, "freeze_start:");
        const char *d = strstr(p, "freeze_duration:");
        if (d && (!next || d < next))
            number_after(d, "freeze_duration:", &du);
        else
            du = duration - st;
        if (du >= STILL_LIMIT_SEC) stills++;
        if (du > longest) longest = du;
    }
    yaa_buf_free(&e);
    q->lufs = l.integrated_lufs;
    q->true_peak = l.true_peak_dbtp;
    q->longest_still_sec = longest;
    json_object_set_new(o, "loudness",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:b}", "integrated_lufs", q->lufs,
                                  "true_peak_dbtp", q->true_peak, "lra", l.lra, "target_lufs",
                                  -14.0, "max_true_peak_dbtp", -1.0, "ok",
                                  fabs(q->lufs + 14) <= 1 && q->true_peak <= -1));
    json_object_set_new(o, "stills",
                        json_pack("{s:f, s:i, s:f, s:b}", "longest_sec", longest,
                                  "stretches_over_limit", stills, "limit_sec", STILL_LIMIT_SEC,
                                  "ok", longest < STILL_LIMIT_SEC));
    return 0;
}

/* ---- captions ---- */

typedef struct cue {
    double a, z;
    char *text;
} cue;

static bool srt_time(const char *s, double *out) {
    int h, m, sec, ms;
    if (sscanf(s, "%d:%d:%d,%d", &h, &m, &sec, &ms) != 4) return false;
    *out = h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
    return true;
}

/* The cues of an SRT file (text lines joined with '\n'). */
static cue *read_srt(const char *path, size_t *n) {
    char *text = NULL;
    size_t len = 0, cap = 0;
    *n = 0;
    if (yaa_read_file(path, 16u << 20, &text, &len)) return NULL;
    cue *c = NULL;
    char *save = NULL;
    cue *cur = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = 0;
        char *arrow = strstr(line, " --> ");
        double a, z;
        if (arrow && srt_time(line, &a) && srt_time(arrow + 5, &z)) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                cue *t = realloc(c, cap * sizeof *t);
                if (!t) break;
                c = t;
            }
            cur = &c[(*n)++];
            *cur = (cue){a, z, NULL};
        } else if (cur && l) {
            char *j = NULL;
            if (asprintf(&j, "%s%s%s", cur->text ? cur->text : "", cur->text ? "\n" : "", line) < 0)
                break;
            free(cur->text);
            cur->text = j;
        }
    }
    free(text);
    /* a number line right before the next cue's times was read as text: drop it */
    for (size_t i = 0; i < *n; i++) {
        char *t = c[i].text;
        if (!t) continue;
        char *last = strrchr(t, '\n');
        const char *tail = last ? last + 1 : t;
        if (i + 1 < *n && *tail && strspn(tail, "0123456789") == strlen(tail)) {
            if (last)
                *last = 0;
            else
                *t = 0;
        }
    }
    return c;
}

static bool contains_ignoring_breaks(const char *hay, const char *needle) {
    size_t hl = strlen(hay), nl = strlen(needle);
    for (size_t i = 0; i + nl <= hl; i++) {
        size_t k = 0;
        while (k < nl && (hay[i + k] == needle[k] || (hay[i + k] == '\n' && needle[k] == ' '))) k++;
        if (k == nl) return true;
    }
    return false;
}

static void check_captions(const char *dir, json_t *o, yaa_quality *q) {
    char wp[4096], sp[4096];
    snprintf(wp, sizeof wp, "%s/words.json", dir);
    snprintf(sp, sizeof sp, "%s/subtitles.srt", dir);
    yaa_words w;
    yaa_err e = {0};
    size_t nc = 0;
    if (access(wp, R_OK) || access(sp, R_OK) || yaa_media_words_read_json(wp, &w, &e)) {
        json_object_set_new(o, "captions",
                            json_pack("{s:s, s:s}", "status", "skipped", "why",
                                      access(wp, R_OK)   ? "no words.json"
                                      : access(sp, R_OK) ? "no subtitles.srt"
                                                         : e.msg));
        q->caption_coverage = -1;
        return;
    }
    cue *c = read_srt(sp, &nc);
    double spoken = 0, covered = 0;
    size_t matched = 0, ci = 0;
    for (size_t i = 0; i < w.n; i++) {
        double a = w.w[i].start, z = w.w[i].end, mid = (a + z) / 2;
        spoken += z - a;
        for (size_t k = 0; k < nc; k++) { /* the overlap of [a,z] with every cue */
            double lo = fmax(a, c[k].a), hi = fmin(z, c[k].z);
            if (hi > lo) covered += hi - lo;
        }
        while (ci + 1 < nc && c[ci].z <= mid) ci++;
        if (ci < nc && c[ci].a <= mid && mid < c[ci].z && c[ci].text &&
            contains_ignoring_breaks(c[ci].text, w.w[i].text))
            matched++;
    }
    int overlaps = 0;
    for (size_t k = 1; k < nc; k++) overlaps += c[k].a < c[k - 1].z - 0.0005;
    q->caption_coverage = spoken > 0 ? fmin(1, covered / spoken) : 1;
    q->caption_overlaps = overlaps;
    double match = w.n ? (double)matched / (double)w.n : 1;
    json_object_set_new(o, "captions",
                        json_pack("{s:i, s:i, s:f, s:f, s:i, s:f, s:b}", "words", (int)w.n, "cues",
                                  (int)nc, "spoken_sec", spoken, "coverage", q->caption_coverage,
                                  "overlaps", overlaps, "words_in_their_cue", match, "ok",
                                  q->caption_coverage >= 0.95 && overlaps == 0 && match >= 0.95));
    for (size_t k = 0; k < nc; k++) free(c[k].text);
    free(c);
    yaa_media_words_free(&w);
}

/* dir/name parsed, or NULL with o[part] marked skipped (saying why). */
static json_t *load_part(const char *dir, const char *name, json_t *o, const char *part) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    json_error_t je;
    json_t *m = json_load_file(p, 0, &je);
    if (!m) {
        char why[300];
        snprintf(why, sizeof why, "%s: %s", name, access(p, R_OK) ? "missing" : je.text);
        json_object_set_new(o, part, json_pack("{s:s, s:s}", "status", "skipped", "why", why));
    }
    return m;
}

/* ---- what the picture side recorded (media.json) ---- */

static bool text_overflowed(const json_t *shot) {
    json_t *ov = json_object_get(shot, "text_overflow");
    return json_is_true(ov) || json_integer_value(ov) > 0;
}

static void check_pictures(const char *dir, json_t *o) {
    json_t *m = load_part(dir, "media.json", o, "pictures");
    if (!m) return;
    const json_t *shots = json_object_get(m, "shots");
    if (!json_is_array(shots)) shots = json_object_get(m, "sections");
    size_t i, n = json_array_size(shots), cards = 0, overflows = 0;
    double min_contrast = INFINITY;
    json_t *s, *which = json_array(); /* what overflowed: "section 2", "banner", ... */
    json_array_foreach(shots, i, s) {
        const char *src = json_string_value(json_object_get(s, "source"));
        if (!src || !strcmp(src, "card") || !strcmp(src, "cards")) cards++;
        if (text_overflowed(s)) {
            overflows++;
            json_array_append_new(which, json_sprintf("section %zu", i + 1));
        }
        json_t *ct = json_object_get(s, "contrast");
        if (json_is_number(ct)) min_contrast = fmin(min_contrast, json_number_value(ct));
    }
    /* the title card, thumbnail and a Short's topic banner: their text overflows count, they
     * are not shots */
    json_array_foreach(json_object_get(m, "stills"), i, s) {
        const char *src = json_string_value(json_object_get(s, "source"));
        if (text_overflowed(s)) {
            overflows++;
            json_array_append_new(which, json_string(src ? src : "still"));
        }
    }
    json_t *top = json_object_get(m, "min_contrast");
    if (json_is_number(top)) min_contrast = fmin(min_contrast, json_number_value(top));
    json_t *r =
        json_pack("{s:i, s:i, s:f, s:i}", "shots", (int)n, "cards", (int)cards, "footage_share",
                  n ? (double)(n - cards) / (double)n : 0.0, "text_overflows", (int)overflows);
    json_object_set_new(r, "overflowed", which);
    if (isfinite(min_contrast))
        json_object_set_new(r, "min_contrast", json_real(min_contrast));
    else
        json_object_set_new(r, "min_contrast", json_null());
    json_object_set_new(
        r, "ok", json_boolean(overflows == 0 && (!isfinite(min_contrast) || min_contrast >= 4.5)));
    json_object_set_new(o, "pictures", r);
    json_decref(m);
}

/* ---- metadata against YouTube's limits ---- */

/* The run's metadata as a viewer gets it: what the publisher uploaded (publish.json's
 * "metadata": the reviewed text with the measured chapters and the credits) once the run is
 * published, else metadata.json (the SEO stage's, with the credits, or a reviewer's edit).
 * NULL with o["metadata"] marked skipped when neither can be read. */
static json_t *load_metadata(const char *dir, json_t *o, const char **source) {
    char p[4096];
    snprintf(p, sizeof p, "%s/publish.json", dir);
    json_t *pub = access(p, R_OK) == 0 ? json_load_file(p, 0, NULL) : NULL;
    json_t *up = json_object_get(pub, "metadata");
    if (json_is_object(up)) {
        json_incref(up);
        json_decref(pub);
        *source = "publish.json";
        return up;
    }
    json_decref(pub);
    *source = "metadata.json";
    return load_part(dir, "metadata.json", o, "metadata");
}

static void check_metadata(const char *dir, json_t *o) {
    const char *source = NULL;
    json_t *m = load_metadata(dir, o, &source);
    if (!m) return;
    const char *title = json_string_value(json_object_get(m, "title"));
    const char *desc = json_string_value(json_object_get(m, "description"));
    size_t tl = title ? yaa_utf8_len(title) : 0, dl = desc ? strlen(desc) : 0, tags_len = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(m, "tags"), i, t) {
        const char *s = json_string_value(t);
        /* YouTube counts a tag with a space as if quoted, and a comma between tags */
        if (s) tags_len += yaa_utf8_len(s) + (strchr(s, ' ') ? 2 : 0) + (i ? 1 : 0);
    }
    bool angle = (title && strpbrk(title, "<>")) || (desc && strpbrk(desc, "<>"));
    const json_t *ch = json_object_get(m, "chapters");
    size_t nch = json_array_size(ch);
    bool chapters_ok = nch == 0 || (nch >= 3 && json_number_value(json_object_get(
                                                    json_array_get(ch, 0), "start_seconds")) == 0);
    json_t *r =
        json_pack("{s:s, s:i, s:i, s:i, s:i, s:b, s:b}", "source", source, "title_chars", (int)tl,
                  "description_bytes", (int)dl, "tags_chars", (int)tags_len, "chapters", (int)nch,
                  "angle_brackets", angle, "chapters_ok", chapters_ok);
    json_object_set_new(r, "ok",
                        json_boolean(tl > 0 && tl <= 100 && dl <= 5000 && tags_len <= 500 &&
                                     !angle && chapters_ok));
    json_object_set_new(o, "metadata", r);
    json_decref(m);
}

/* The verdict over the parts (o["failed"], o["ok"], q), then o written to path. */
static int finish_report(json_t *o, const char *path, yaa_quality *q, yaa_err *err) {
    static const char *const parts[] = {"loudness", "stills", "captions", "pictures", "metadata"};
    json_t *failed = json_array();
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *ok = json_object_get(json_object_get(o, parts[i]), "ok");
        if (json_is_false(ok)) json_array_append_new(failed, json_string(parts[i]));
    }
    q->failed = (int)json_array_size(failed);
    q->ok = q->failed == 0;
    json_object_set_new(o, "failed", failed);
    json_object_set_new(o, "ok", json_boolean(q->ok));
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (!s) return yaa_err_set(err, YAA_ENOMEM, "quality: out of memory");
    int rc = 0;
    if (yaa_write_file(path, s, strlen(s)))
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    free(s);
    return rc;
}

int yaa_media_quality_metadata_refresh(const char *run_dir, yaa_err *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/quality.json", run_dir);
    if (access(path, F_OK) != 0) return 0; /* no report yet: the video makes the first */
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return yaa_err_set(err, YAA_EPARSE,
                           "quality: '%s' is not a quality report (%s); run `yaa check %s`", path,
                           je.text, run_dir);
    }
    check_metadata(run_dir, o); /* replaces the part in place */
    yaa_quality q;
    memset(&q, 0, sizeof q);
    int rc = finish_report(o, path, &q, err);
    json_decref(o);
    return rc;
}

int yaa_media_quality_check(const yaa_media_env *env_in, const char *run_dir, yaa_quality *q,
                            yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    yaa_quality dummy;
    if (!q) q = &dummy;
    memset(q, 0, sizeof *q);
    char video[4096], out[4096];
    snprintf(video, sizeof video, "%s/video.mp4", run_dir);
    snprintf(out, sizeof out, "%s/quality.json", run_dir);
    if (access(video, R_OK))
        return yaa_err_set(err, YAA_ENOTFOUND, "quality: no video in '%s' (%s: %s)", run_dir, video,
                           strerror(errno));
    yaa_media_probe_info pi;
    int rc = yaa_media_probe(&env, video, &pi, err);
    if (rc) return rc;
    if (!pi.audio_streams || !pi.video_streams)
        return yaa_err_set(err, YAA_EINVAL, "quality: '%s' needs a picture and a sound track",
                           video);
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "video",
                        json_pack("{s:s, s:f, s:i, s:i}", "path", "video.mp4", "duration_sec",
                                  pi.duration, "width", pi.width, "height", pi.height));
    rc = measure_video(&env, video, pi.duration, o, q, err);
    if (rc) {
        json_decref(o);
        return rc;
    }
    check_captions(run_dir, o, q);
    check_pictures(run_dir, o);
    check_metadata(run_dir, o);
    rc = finish_report(o, out, q, err);
    json_decref(o);
    return rc;
}
