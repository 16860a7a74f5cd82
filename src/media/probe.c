/* probe.c - ffprobe: the duration, stream counts, codecs, size and frame rate of a media file, and
 * the check compose makes of an intro/outro clip before it goes into the filtergraph. */
#include "core/util.h"
#include "media/media_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frame rate as ffprobe writes it ("30000/1001", "25/1"); 0 when absent or "0/0". */
static double rate(const json_t *v) {
    const char *s = json_string_value(v);
    long num = 0, den = 0;
    if (!s || sscanf(s, "%ld/%ld", &num, &den) != 2 || num <= 0 || den <= 0) return 0;
    return (double)num / (double)den;
}

/* Fills out from ffprobe's JSON (format duration; first video/audio stream of each kind). */
static void probe_parse(json_t *j, yaa_media_probe_info *out) {
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
                out->fps = rate(json_object_get(s, "avg_frame_rate"));
                if (!(out->fps > 0)) out->fps = rate(json_object_get(s, "r_frame_rate"));
            }
        } else if (yaa_str_eq(type, "audio")) {
            if (!out->audio_streams++)
                snprintf(out->audio_codec, sizeof out->audio_codec, "%s", codec ? codec : "");
        } else if (yaa_str_eq(type, "subtitle")) {
            out->subtitle_streams++;
        }
    }
}

int yaa_media_probe(const yaa_media_env *env_in, const char *path, yaa_media_probe_info *out,
                    yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    memset(out, 0, sizeof *out);
    yaa_buf b;
    yaa_buf_init(&b, 4u << 20);
    char *argv[] = {(char *)env.ffprobe, "-v",         "error",
                    "-print_format",     "json",       "-show_format",
                    "-show_streams",     (char *)path, NULL};
    yaa_media__proc_opts po = {.env = NULL, .timeout_sec = 60, .what = "probe", .out = &b};
    int rc = yaa_media__run(argv, &po, err);
    if (rc) {
        yaa_buf_free(&b);
        return rc;
    }
    json_error_t je;
    json_t *j = json_loadb(b.data ? b.data : "", b.len, 0, &je);
    yaa_buf_free(&b);
    if (!j) return yaa_err_set(err, YAA_EPARSE, "probe '%s': ffprobe output unreadable", path);
    probe_parse(j, out);
    json_decref(j);
    return 0;
}

int yaa_media__probe_clip(const yaa_media_env *env, const char *what, const char *path, double *dur,
                          bool *has_audio, yaa_err *err) {
    yaa_media_probe_info pi;
    int rc = yaa_media_probe(env, path, &pi, err);
    if (rc) return yaa_err_prefix(err, "%s clip: ", what);
    if (!pi.video_streams || pi.duration <= 0)
        return yaa_err_set(err, YAA_EINVAL, "%s clip '%s' has no video", what, path);
    *dur = pi.duration;
    if (has_audio) *has_audio = pi.audio_streams > 0;
    return 0;
}
