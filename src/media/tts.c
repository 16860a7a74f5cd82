/* tts.c - speech: libespeak-ng (local, serialised: the engine is not thread-safe) and the
 * ElevenLabs text-to-speech API behind one call, both ending as a 16-bit mono WAV. */
#include "core/log.h"
#include "media/internal.h"
#include "net/net.h"
#include "net/usage.h"

#include <espeak-ng/speak_lib.h>
#include <jansson.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SEGMENT_SEC 1200 /* one narration segment never needs more than 20 minutes */

double yaa_voice_rate_parse(const char *s) {
    if (!s || !*s) return 1.0;
    double d;
    if (!yaa_parse_double(s, &d) && d > 0) return d < 0.5 ? 0.5 : d > 2.0 ? 2.0 : d;
    if (!strcasecmp(s, "very slow")) return 0.7;
    if (!strcasecmp(s, "slow")) return 0.85;
    if (!strcasecmp(s, "fast")) return 1.2;
    if (!strcasecmp(s, "very fast")) return 1.4;
    return 1.0; /* moderate, normal, medium, unknown */
}

double yaa_voice_pitch_parse(const char *s) {
    if (!s || !*s) return 0;
    double d;
    if (!yaa_parse_double(s, &d)) return d < -10 ? -10 : d > 10 ? 10 : d;
    if (!strcasecmp(s, "low")) return -3;
    if (!strcasecmp(s, "high")) return 3;
    return 0;
}

static double pause_sec(const yaa_voice *v) {
    if (v->trailing_pause_sec < 0) return 0;
    return v->trailing_pause_sec > 0 ? v->trailing_pause_sec : 0.3;
}

/* ---- espeak-ng ---- */

static pthread_mutex_t espeak_mu = PTHREAD_MUTEX_INITIALIZER;
static int espeak_rate; /* sample rate once initialised, -1 on failure */

typedef struct pcm {
    short *s;
    size_t n, cap, max;
    int oom;
} pcm;
static pcm *espeak_sink; /* only touched with espeak_mu held */

static int pcm_push(pcm *p, const short *s, size_t n) {
    if (p->n + n > p->max) return -1;
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 65536;
        while (cap < p->n + n) cap *= 2;
        short *t = realloc(p->s, cap * sizeof *t);
        if (!t) return -1;
        p->s = t;
        p->cap = cap;
    }
    if (n) memcpy(p->s + p->n, s, n * sizeof *s);
    p->n += n;
    return 0;
}

static int espeak_cb(short *wav, int numsamples, espeak_EVENT *events) {
    (void)events;
    if (!espeak_sink || numsamples <= 0 || !wav) return 0;
    if (pcm_push(espeak_sink, wav, (size_t)numsamples)) {
        espeak_sink->oom = 1;
        return 1; /* abort synthesis */
    }
    return 0;
}

static int espeak_voice(const char *lang) {
    espeak_VOICE spec;
    memset(&spec, 0, sizeof spec);
    spec.languages = lang;
    if (espeak_SetVoiceByProperties(&spec) == EE_OK) return 0;
    return espeak_SetVoiceByName(lang) == EE_OK ? 0 : -1;
}

static int tts_espeak(const yaa_media_env *env, const yaa_voice *v, const char *text,
                      const char *wav_path, double *duration, yaa_err *err) {
    const char *lang = v->language && *v->language ? v->language : "en";
    double rate = v->rate > 0 ? v->rate : 1.0;
    int wpm = (int)lround(espeakRATE_NORMAL * rate);
    wpm = wpm < espeakRATE_MINIMUM   ? espeakRATE_MINIMUM
          : wpm > espeakRATE_MAXIMUM ? espeakRATE_MAXIMUM
                                     : wpm;
    int pitch = (int)lround(50 + 5 * v->pitch);
    pitch = pitch < 0 ? 0 : pitch > 100 ? 100 : pitch;

    pcm p = {.max = (size_t)MAX_SEGMENT_SEC * 48000};
    int rc = 0;
    pthread_mutex_lock(&espeak_mu);
    if (!espeak_rate) {
        espeak_rate =
            espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
        if (espeak_rate <= 0) espeak_rate = -1;
        if (espeak_rate > 0) espeak_SetSynthCallback(espeak_cb);
    }
    if (espeak_rate < 0) {
        rc = yaa_err_set(
            err, YAA_EUNAVAILABLE,
            "espeak-ng could not start (is espeak-ng-data installed? apt-get install espeak-ng)");
        goto unlock;
    }
    if (espeak_voice(lang)) {
        rc = yaa_err_set(err, YAA_EINVAL,
                         "espeak-ng has no voice for language '%s' (see espeak-ng --voices)", lang);
        goto unlock;
    }
    espeak_SetParameter(espeakRATE, wpm, 0);
    espeak_SetParameter(espeakPITCH, pitch, 0);
    espeak_sink = &p;
    espeak_ERROR e =
        espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
    if (e == EE_OK) espeak_Synchronize();
    espeak_sink = NULL;
    if (e != EE_OK)
        rc = yaa_err_set(err, YAA_EIO, "espeak-ng failed to synthesize (error %d)", (int)e);
    else if (p.oom)
        rc = yaa_err_set(err, YAA_ELIMIT, "espeak-ng: segment longer than %d s or out of memory",
                         MAX_SEGMENT_SEC);
unlock:;
    int sr = espeak_rate;
    pthread_mutex_unlock(&espeak_mu);
    if (rc) goto out;
    /* trailing pause, then write */
    size_t pad = (size_t)lround(pause_sec(v) * sr);
    if (pad) {
        short *zeros = calloc(pad, sizeof *zeros);
        if (!zeros || pcm_push(&p, zeros, pad)) {
            free(zeros);
            rc = yaa_err_set(err, YAA_ENOMEM, "espeak-ng: out of memory");
            goto out;
        }
        free(zeros);
    }
    rc = yaa_wav_write(wav_path, p.s, p.n, sr, err);
    if (!rc) *duration = (double)p.n / sr;
    if (!rc)
        yaa__media_usage(env, YAA_USAGE_TTS, "espeak", "espeak-ng", (long)yaa_utf8_len(text), 0,
                         NULL);
out:
    free(p.s);
    return rc;
}

/* ---- ElevenLabs ---- */

static void elevenlabs_detail(const yaa_buf *body, char *out, size_t n) {
    json_error_t je;
    json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, &je);
    json_t *d = j ? json_object_get(j, "detail") : NULL;
    const char *msg = NULL;
    if (json_is_object(d))
        msg = json_string_value(json_object_get(d, "message"));
    else if (json_is_string(d))
        msg = json_string_value(d);
    if (msg)
        snprintf(out, n, "%s", msg);
    else
        snprintf(out, n, "%.200s", body->len ? body->data : "(empty reply)");
    json_decref(j);
}

static int tts_elevenlabs(const yaa_media_env *env, const yaa_voice *v, const char *text,
                          const char *wav_path, double *duration, yaa_err *err) {
    if (!env->elevenlabs_api_key || !*env->elevenlabs_api_key)
        return yaa_err_set(
            err, YAA_ECONFIG,
            "TTS_PROVIDER=elevenlabs needs ELEVENLABS_API_KEY (or use TTS_PROVIDER=espeak)");
    if (!v->elevenlabs_voice_id || !*v->elevenlabs_voice_id)
        return yaa_err_set(err, YAA_ECONFIG,
                           "voice_design.elevenlabs_voice_id is empty: set it in brand_guide.yaml "
                           "or use TTS_PROVIDER=espeak");
    for (const char *c = v->elevenlabs_voice_id; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_'))
            return yaa_err_set(err, YAA_EINVAL,
                               "voice_design.elevenlabs_voice_id has invalid characters");
    double rate = v->rate > 0 ? v->rate : 1.0;
    double speed = rate < 0.7 ? 0.7 : rate > 1.2 ? 1.2 : rate;
    double stability = rate < 0.95 ? 0.85 : rate > 1.05 ? 0.55 : 0.70;
    json_t *body =
        json_pack("{s:s, s:s, s:{s:f, s:f, s:f, s:b, s:f}}", "text", text, "model_id",
                  env->elevenlabs_model, "voice_settings", "stability", stability,
                  "similarity_boost", 0.75, "style", 0.0, "use_speaker_boost", 1, "speed", speed);
    char *bs = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!bs) return yaa_err_set(err, YAA_EINVAL, "elevenlabs: text is not valid UTF-8");
    char url[1024], key_hdr[512], tmp[4096];
    const char *base = env->elevenlabs_base_url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    snprintf(url, sizeof url, "%.*s/v1/text-to-speech/%s?output_format=mp3_44100_128", (int)bl,
             base, v->elevenlabs_voice_id);
    snprintf(key_hdr, sizeof key_hdr, "xi-api-key: %s", env->elevenlabs_api_key);
    const char *hdrs[] = {key_hdr, "Content-Type: application/json", "Accept: audio/mpeg", NULL};
    yaa_http_reply rep;
    yaa_http_reply_init(&rep);
    int rc = yaa__media_http_post(env, url, hdrs, 3, bs, &rep, err);
    free(bs);
    long status = rep.status;
    const yaa_buf *reply = &rep.body;
    if (rc) {
        if (rc != YAA_ECANCELLED) yaa_err_prefix(err, "ElevenLabs API connection failed: ");
        yaa__media_usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model, 0, rep.elapsed_ms,
                         err->msg);
        goto out;
    }
    if (status < 200 || status > 299) {
        char detail[256];
        elevenlabs_detail(reply, detail, sizeof detail);
        int code = status == 401 || status == 403 ? YAA_EAUTH
                   : status == 429                ? YAA_ELIMIT
                                                  : YAA_EPROVIDER;
        rc = yaa_err_set(err, code, "ElevenLabs API error (HTTP %ld): %s", status, detail);
        yaa__media_usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model, 0, rep.elapsed_ms,
                         err->msg);
        goto out;
    }
    if (reply->len == 0) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "ElevenLabs API returned no audio");
        goto out;
    }
    snprintf(tmp, sizeof tmp, "%s.mp3", wav_path);
    if (yaa_write_file(tmp, reply->data, reply->len)) {
        rc = yaa_err_set(err, YAA_EIO, "elevenlabs: cannot write '%s'", tmp);
        goto out;
    }
    char pad[64];
    snprintf(pad, sizeof pad, "apad=pad_dur=%.3f", pause_sec(v));
    char rate_s[16];
    snprintf(rate_s, sizeof rate_s, "%d", YAA_MEDIA_RATE);
    char *argv[] = {(char *)env->ffmpeg,
                    "-nostdin",
                    "-hide_banner",
                    "-v",
                    "error",
                    "-y",
                    "-i",
                    tmp,
                    "-ac",
                    "1",
                    "-ar",
                    rate_s,
                    "-af",
                    pad,
                    "-c:a",
                    "pcm_s16le",
                    "-f",
                    "wav",
                    (char *)wav_path,
                    NULL};
    yaa__proc_opts po = {.env = env, .timeout_sec = 300, .what = "elevenlabs decode"};
    rc = yaa__media_run(argv, &po, err);
    unlink(tmp);
    if (rc) goto out;
    rc = yaa_wav_duration(wav_path, duration, err);
    if (!rc)
        yaa__media_usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model,
                         (long)yaa_utf8_len(text), rep.elapsed_ms, NULL);
out:
    yaa_http_reply_free(&rep);
    return rc;
}

int yaa_tts_synthesize(const yaa_media_env *env_in, const yaa_voice *voice, const char *text,
                       const char *wav_path, double *duration, yaa_err *err) {
    yaa_media_env env;
    yaa__media_env_defaults(env_in, &env);
    yaa_voice dv = {0};
    if (!voice) voice = &dv;
    if (!text || !wav_path || !duration)
        return yaa_err_set(err, YAA_EINVAL, "tts: missing text or path");
    if (!yaa_utf8_valid(text, strlen(text)))
        return yaa_err_set(err, YAA_EINVAL, "tts: text is not valid UTF-8");
    if (yaa_str_eq(env.tts_provider, "espeak"))
        return tts_espeak(&env, voice, text, wav_path, duration, err);
    if (yaa_str_eq(env.tts_provider, "elevenlabs"))
        return tts_elevenlabs(&env, voice, text, wav_path, duration, err);
    return yaa_err_set(err, YAA_ECONFIG, "TTS_PROVIDER '%s' is unknown (espeak or elevenlabs)",
                       env.tts_provider);
}
