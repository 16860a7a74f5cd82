/* tts.c - speech behind one call, ending as a 16-bit mono WAV with the word timings the engine
 * knows: the local voices (Flite for English: cmu_us_rms, or slt / awb by name; libespeak-ng
 * for the rest; each serialised, neither is thread-safe) with their word positions, and the
 * hosted ones (ElevenLabs, OpenAI and OpenAI-compatible /v1/audio/speech) decoded by FFmpeg.
 * Every segment's silence is trimmed to a short lead-in and the trailing pause. */
#include "core/log.h"
#include "media/audio.h"
#include "media/media_internal.h"
#include "net/net.h"
#include "net/usage.h"

#include <espeak-ng/speak_lib.h>
#include <flite/flite.h>
#include <jansson.h>
#include <sodium.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SEGMENT_SEC 1200 /* one narration segment never needs more than 20 minutes */
#define LOUD 300             /* |sample| above this is sound, not silence (-40 dBFS) */
#define LEAD_SEC 0.05        /* silence kept before the first word of a segment */

static double pause_sec(const yaa_voice *v) {
    if (v->trailing_pause_sec < 0) return 0;
    return v->trailing_pause_sec > 0 ? v->trailing_pause_sec : 0.3;
}

/* ---- samples and marks being collected ---- */

typedef struct pcm {
    short *s;
    size_t n, cap, max;
    int oom;
    yaa_word_mark *marks;
    size_t nmarks, mcap;
} pcm;

static int pcm_push(pcm *p, const short *s, size_t n) {
    if (!n) return 0;
    if (p->n + n > p->max) return -1;
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 65536;
        while (cap < p->n + n) cap *= 2;
        short *t = realloc(p->s, cap * sizeof *t);
        if (!t) return -1;
        p->s = t;
        p->cap = cap;
    }
    if (!p->s) return -1;
    memcpy(p->s + p->n, s, n * sizeof *s);
    p->n += n;
    return 0;
}

static int mark_push(pcm *p, size_t offset, double start, double end) {
    if (p->nmarks == p->mcap) {
        size_t cap = p->mcap ? p->mcap * 2 : 64;
        yaa_word_mark *t = realloc(p->marks, cap * sizeof *t);
        if (!t) return -1;
        p->marks = t;
        p->mcap = cap;
    }
    p->marks[p->nmarks++] = (yaa_word_mark){offset, start, end};
    return 0;
}

static void pcm_free(pcm *p) {
    free(p->s);
    free(p->marks);
}

/* Byte offset of the cp-th code point of text (espeak-ng counts characters from 1). */
static size_t byte_of_char(const char *text, long cp) {
    size_t i = 0;
    for (long k = 1; k < cp && text[i]; k++) yaa_media__utf8_next(text, &i);
    return i;
}

/* The last sound at or before sample `to` (a 10 ms window above LOUD), not before `from`. */
static size_t last_sound(const pcm *p, size_t from, size_t to, int sr) {
    size_t win = (size_t)sr / 100;
    for (size_t i = to; i > from; i--)
        if (abs(p->s[i - 1]) > LOUD) {
            size_t hits = 0;
            for (size_t k = i > win ? i - win : 0; k < i; k++) hits += abs(p->s[k]) > LOUD;
            if (hits > win / 10) return i;
        }
    return from;
}

/* The common end of every engine: silence before the first sound cut to LEAD_SEC and after
 * the last sound to the voice's pause; marks shifted to match and given ends where the
 * engine had none (the last sound before the next word); then the WAV is written. */
static int finish(pcm *p, int sr, const char *text, const yaa_voice *v, const char *wav_path,
                  yaa_tts_result *out, yaa_err *err) {
    size_t first = 0, last = p->n;
    while (first < p->n && abs(p->s[first]) <= LOUD) first++;
    if (first < p->n) last = last_sound(p, first, p->n, sr);
    if (first >= p->n) first = 0, last = p->n; /* silence: kept as it is */
    size_t lead = (size_t)lround(LEAD_SEC * sr);
    size_t cut = first > lead ? first - lead : 0;
    size_t keep_end = last + (size_t)sr / 50 < p->n ? last + (size_t)sr / 50 : p->n;
    double shift = (double)cut / sr;
    /* marks: onto the trimmed timeline, ends from the audio where missing */
    for (size_t k = 0; k < p->nmarks; k++) {
        yaa_word_mark *m = &p->marks[k];
        m->start = fmax(0, m->start - shift);
        if (m->end >= 0) {
            m->end = fmax(m->start, m->end - shift);
        } else {
            double next = k + 1 < p->nmarks ? p->marks[k + 1].start + shift : (double)keep_end / sr;
            size_t a = (size_t)lround((m->start + shift) * sr), z = (size_t)lround(next * sr);
            if (z > p->n) z = p->n;
            if (a < z) m->end = fmax(m->start, (double)last_sound(p, a, z, sr) / sr - shift);
        }
    }
    size_t kept = keep_end - cut, pad = (size_t)lround(pause_sec(v) * sr);
    if (kept && p->s) memmove(p->s, p->s + cut, kept * sizeof *p->s);
    p->n = kept;
    if (pad) {
        short *zeros = calloc(pad, sizeof *zeros);
        int bad = !zeros || pcm_push(p, zeros, pad);
        free(zeros);
        if (bad) return yaa_err_set(err, YAA_ENOMEM, "tts: out of memory");
    }
    int rc = yaa_media_wav_write(wav_path, p->s, p->n, sr, err);
    if (rc) return rc;
    out->duration = (double)p->n / sr;
    out->trimmed_sec = shift;
    out->speech_start = (double)(first - cut) / sr;
    out->speech_end = (double)(last - cut) / sr;
    if (first == 0 && last == kept) out->speech_start = 0, out->speech_end = (double)kept / sr;
    out->marks = p->marks;
    out->nmarks = p->nmarks;
    p->marks = NULL;
    p->nmarks = 0;
    (void)text;
    return 0;
}

/* ---- espeak-ng ---- */

static pthread_mutex_t espeak_mu = PTHREAD_MUTEX_INITIALIZER;
static int espeak_rate;  /* sample rate once initialised, -1 on failure */
static pcm *espeak_sink; /* only touched with espeak_mu held */
static const char *espeak_text;

static int espeak_cb(short *wav, int numsamples, espeak_EVENT *events) {
    if (!espeak_sink) return 0;
    for (espeak_EVENT *e = events; e && e->type != espeakEVENT_LIST_TERMINATED; e++)
        if (e->type == espeakEVENT_WORD &&
            mark_push(espeak_sink, byte_of_char(espeak_text, e->text_position),
                      e->audio_position / 1000.0, -1)) {
            espeak_sink->oom = 1;
            return 1;
        }
    if (numsamples <= 0 || !wav) return 0;
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
                      const char *wav_path, yaa_tts_result *out, yaa_err *err) {
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
    espeak_text = text;
    espeak_ERROR e =
        espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
    if (e == EE_OK) espeak_Synchronize();
    espeak_sink = NULL;
    espeak_text = NULL;
    if (e != EE_OK)
        rc = yaa_err_set(err, YAA_EIO, "espeak-ng failed to synthesize (error %d)", (int)e);
    else if (p.oom)
        rc = yaa_err_set(err, YAA_ELIMIT, "espeak-ng: segment longer than %d s or out of memory",
                         MAX_SEGMENT_SEC);
unlock:;
    int sr = espeak_rate;
    pthread_mutex_unlock(&espeak_mu);
    if (!rc) rc = finish(&p, sr, text, v, wav_path, out, err);
    if (!rc) {
        out->provider = "espeak";
        yaa_media__usage(env, YAA_USAGE_TTS, "espeak", "espeak-ng", (long)yaa_utf8_len(text), 0,
                         NULL);
    }
    pcm_free(&p);
    return rc;
}

/* ---- Flite: the US English voices libflite1 ships (rms by default; slt, awb) ---- */

cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);

static pthread_mutex_t flite_mu = PTHREAD_MUTEX_INITIALIZER;

/* The first is the default: of the four, rms was understood best by an offline recogniser and
 * moves its pitch most (docs/MEDIA.md, *Choosing the English voice*); kal, a diphone voice,
 * was understood half as well and is left out. */
typedef struct flite_voice {
    const char *name; /* "rms", also accepted as "cmu_us_rms" */
    cst_voice *(*load)(const char *voxdir);
    cst_voice *voice; /* loaded once, under flite_mu */
    float base_f0;    /* its own int_f0_target_mean, before the channel's pitch offset */
} flite_voice;

static flite_voice FLITE[] = {{"rms", register_cmu_us_rms, NULL, 0},
                              {"slt", register_cmu_us_slt, NULL, 0},
                              {"awb", register_cmu_us_awb, NULL, 0}};

/* The Flite voice name asks for; NULL for no name or a name Flite lacks. */
static flite_voice *flite_voice_find(const char *name) {
    const char *n = name && !strncasecmp(name, "cmu_us_", 7) ? name + 7 : name;
    for (size_t i = 0; n && i < sizeof FLITE / sizeof FLITE[0]; i++)
        if (!strcasecmp(n, FLITE[i].name)) return &FLITE[i];
    return NULL;
}

/* ... and the default (rms) instead of NULL: e.g. an OpenAI voice such as "alloy" when the
 * hosted voice fell back to the local one. */
static flite_voice *flite_voice_named(const char *name) {
    flite_voice *fv = flite_voice_find(name);
    return fv ? fv : &FLITE[0];
}

/* A name of a local voice (espeak-ng, a Flite voice): not one to send to a hosted service. */
static bool local_voice_name(const char *name) {
    return name && (!strcasecmp(name, "espeak-ng") || !strcasecmp(name, "espeak") ||
                    flite_voice_find(name));
}

/* Word marks from the utterance: each Token (the text as written, minus punctuation) is
 * found in the text from where the previous one ended; its time runs from its first
 * segment's start to its last segment's end. */
static int flite_marks(cst_utterance *u, const char *text, pcm *p) {
    size_t cursor = 0;
    for (cst_item *t = relation_head(utt_relation(u, "Token")); t; t = item_next(t)) {
        cst_item *w0 = item_daughter(t), *w1 = item_last_daughter(t);
        if (!w0 || !w1) continue;
        const char *name = item_feat_string(t, "name");
        const char *at = name && *name ? strstr(text + cursor, name) : NULL;
        if (!at) continue;
        cursor = (size_t)(at - text) + strlen(name);
        float a = ffeature_float(w0, "R:SylStructure.daughter1.daughter1.R:Segment.p.end");
        float z = ffeature_float(w1, "R:SylStructure.daughtern.daughtern.R:Segment.end");
        if (mark_push(p, (size_t)(at - text), a, z >= a ? z : -1)) return -1;
    }
    return 0;
}

static int tts_flite(const yaa_media_env *env, const yaa_voice *v, const char *text,
                     const char *wav_path, yaa_tts_result *out, yaa_err *err) {
    pcm p = {.max = (size_t)MAX_SEGMENT_SEC * 48000};
    int rc = 0, sr = 16000;
    flite_voice *fv = flite_voice_named(v->name && *v->name ? v->name : env->tts_voice);
    pthread_mutex_lock(&flite_mu);
    if (!fv->voice) {
        static bool initialised;
        if (!initialised) {
            flite_init();
            initialised = true;
        }
        fv->voice = fv->load(NULL);
        if (fv->voice)
            fv->base_f0 = get_param_float(fv->voice->features, "int_f0_target_mean", 160);
    }
    cst_utterance *u = NULL;
    if (!fv->voice) {
        rc = yaa_err_set(err, YAA_EUNAVAILABLE,
                         "Flite's cmu_us_%s voice could not load (apt-get install flite1-dev)",
                         fv->name);
        goto unlock;
    }
    double rate = v->rate > 0 ? v->rate : 1.0;
    feat_set_float(fv->voice->features, "duration_stretch", (float)(1.0 / rate));
    feat_set_float(fv->voice->features, "int_f0_target_mean",
                   (float)(fv->base_f0 * pow(2.0, v->pitch / 12.0)));
    u = flite_synth_text(text, fv->voice);
    cst_wave *w = u ? utt_wave(u) : NULL;
    if (!w) {
        rc = yaa_err_set(err, YAA_EIO, "Flite failed to synthesize");
        goto unlock;
    }
    sr = w->sample_rate;
    if (w->num_channels != 1 || pcm_push(&p, w->samples, (size_t)w->num_samples) ||
        flite_marks(u, text, &p))
        rc = yaa_err_set(err, YAA_ELIMIT, "Flite: segment longer than %d s or out of memory",
                         MAX_SEGMENT_SEC);
unlock:
    if (u) delete_utterance(u);
    pthread_mutex_unlock(&flite_mu);
    if (!rc) rc = finish(&p, sr, text, v, wav_path, out, err);
    if (!rc) {
        out->provider = "flite";
        char model[32];
        snprintf(model, sizeof model, "cmu_us_%s", fv->name);
        yaa_media__usage(env, YAA_USAGE_TTS, "flite", model, (long)yaa_utf8_len(text), 0, NULL);
    }
    pcm_free(&p);
    return rc;
}

/* English goes to Flite unless the voice asks for espeak-ng; other languages to espeak-ng. */
static bool wants_flite(const yaa_media_env *env, const yaa_voice *v) {
    const char *lang = v->language && *v->language ? v->language : "en";
    const char *name = v->name && *v->name ? v->name : env->tts_voice;
    bool english = !strncasecmp(lang, "en", 2) && (!lang[2] || lang[2] == '-' || lang[2] == '_');
    return english && !(name && (!strcasecmp(name, "espeak-ng") || !strcasecmp(name, "espeak")));
}

int yaa_media_tts_speak_local(const yaa_media_env *env_in, const yaa_voice *v, const char *text,
                              const char *wav_path, yaa_tts_result *out, yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    memset(out, 0, sizeof *out);
    yaa_voice dv = {0};
    if (!v) v = &dv;
    if (!text || !wav_path) return yaa_err_set(err, YAA_EINVAL, "tts: missing text or path");
    return wants_flite(&env, v) ? tts_flite(&env, v, text, wav_path, out, err)
                                : tts_espeak(&env, v, text, wav_path, out, err);
}

/* ---- hosted voices: the reply's audio decoded by FFmpeg, then finished like the rest ---- */

static int decode_reply(const yaa_media_env *env, const yaa_buf *reply, const char *ext,
                        const char *text, const yaa_voice *v, const char *wav_path,
                        yaa_tts_result *out, yaa_err *err) {
    char tmp[4096], raw[4096];
    snprintf(tmp, sizeof tmp, "%s.%s", wav_path, ext);
    snprintf(raw, sizeof raw, "%s.raw.wav", wav_path);
    if (yaa_write_file(tmp, reply->data, reply->len))
        return yaa_err_set(err, YAA_EIO, "tts: cannot write '%s'", tmp);
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
                    "-c:a",
                    "pcm_s16le",
                    "-f",
                    "wav",
                    raw,
                    NULL};
    yaa_media__proc_opts po = {.env = env, .timeout_sec = 300, .what = "voice decode"};
    int rc = yaa_media__run(argv, &po, err);
    unlink(tmp);
    pcm p = {0};
    int sr = 0;
    if (!rc) rc = yaa_media__wav_read(raw, &p.s, &p.n, &sr, err);
    unlink(raw);
    if (!rc && p.n == 0) rc = yaa_err_set(err, YAA_EPROVIDER, "the voice server sent no audio");
    p.cap = p.n;
    p.max = (size_t)-1;
    if (!rc) rc = finish(&p, sr, text, v, wav_path, out, err);
    pcm_free(&p);
    return rc;
}

static int http_code(long status) {
    return status == 401 || status == 403 ? YAA_EAUTH : status == 429 ? YAA_ELIMIT : YAA_EPROVIDER;
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

/* The /with-timestamps reply: the MP3 (base64) into mp3, and one mark per character of text
 * from the alignment (its characters are the text's code points, in order). */
static int elevenlabs_audio(const yaa_buf *reply, const char *text, yaa_buf *mp3, pcm *marks,
                            yaa_err *err) {
    json_error_t je;
    json_t *j = json_loadb(reply->data ? reply->data : "", reply->len, 0, &je);
    const char *b64 = json_string_value(json_object_get(j, "audio_base64"));
    int rc = 0;
    if (!b64) {
        json_decref(j);
        return yaa_err_set(err, YAA_EPROVIDER, "ElevenLabs API returned no audio_base64");
    }
    size_t cap = strlen(b64) / 4 * 3 + 3, n = 0;
    unsigned char *bin = malloc(cap);
    if (!bin || sodium_base642bin(bin, cap, b64, strlen(b64), "\n\r ", &n, NULL,
                                  sodium_base64_VARIANT_ORIGINAL))
        rc = yaa_err_set(err, YAA_EPROVIDER, "ElevenLabs API: audio_base64 is not base64");
    else if (n == 0 || yaa_buf_append(mp3, bin, n))
        rc = yaa_err_set(err, YAA_EPROVIDER, "ElevenLabs API returned no audio (or too much)");
    free(bin);
    const json_t *al = json_object_get(j, "alignment");
    const json_t *st = json_object_get(al, "character_start_times_seconds");
    const json_t *en = json_object_get(al, "character_end_times_seconds");
    size_t off = 0, len = strlen(text);
    for (size_t k = 0; !rc && k < json_array_size(st) && off < len; k++) {
        size_t at = off;
        yaa_media__utf8_next(text, &off);
        const json_t *e = json_array_get(en, k);
        if (mark_push(marks, at, json_number_value(json_array_get(st, k)),
                      json_is_number(e) ? json_number_value(e) : -1))
            rc = yaa_err_set(err, YAA_ENOMEM, "elevenlabs: out of memory");
    }
    json_decref(j);
    return rc;
}

static int tts_elevenlabs(const yaa_media_env *env, const yaa_voice *v, const char *text,
                          const char *wav_path, yaa_tts_result *out, yaa_err *err) {
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
    char url[1024], key_hdr[512];
    const char *base = env->elevenlabs_base_url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    snprintf(url, sizeof url,
             "%.*s/v1/text-to-speech/%s/with-timestamps?output_format=mp3_44100_128", (int)bl, base,
             v->elevenlabs_voice_id);
    snprintf(key_hdr, sizeof key_hdr, "xi-api-key: %s", env->elevenlabs_api_key);
    const char *hdrs[] = {key_hdr, "Content-Type: application/json", "Accept: application/json",
                          NULL};
    yaa_http_reply rep;
    yaa_net_http_reply_init(&rep);
    int rc = yaa_media__http_post(env, url, hdrs, 3, bs, &rep, err);
    free(bs);
    long status = rep.status;
    const yaa_buf *reply = &rep.body;
    if (rc) {
        if (rc != YAA_ECANCELLED) yaa_err_prefix(err, "ElevenLabs API connection failed: ");
        yaa_media__usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model, 0, rep.elapsed_ms,
                         err->msg);
        goto out;
    }
    if (status < 200 || status > 299) {
        char detail[256];
        elevenlabs_detail(reply, detail, sizeof detail);
        rc = yaa_err_set(err, http_code(status), "ElevenLabs API error (HTTP %ld): %s", status,
                         detail);
        yaa_media__usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model, 0, rep.elapsed_ms,
                         err->msg);
        goto out;
    }
    if (reply->len == 0) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "ElevenLabs API returned no audio");
        goto out;
    }
    yaa_buf mp3;
    yaa_buf_init(&mp3, (size_t)64 << 20);
    pcm marks = {0};
    rc = elevenlabs_audio(reply, text, &mp3, &marks, err);
    if (!rc) rc = decode_reply(env, &mp3, "mp3", text, v, wav_path, out, err);
    if (!rc) { /* the character alignment, onto the trimmed timeline */
        for (size_t k = 0; k < marks.nmarks; k++) {
            marks.marks[k].start = fmax(0, marks.marks[k].start - out->trimmed_sec);
            marks.marks[k].end = fmax(marks.marks[k].start, marks.marks[k].end - out->trimmed_sec);
        }
        free(out->marks);
        out->marks = marks.marks;
        out->nmarks = marks.nmarks;
        marks.marks = NULL;
    }
    pcm_free(&marks);
    yaa_buf_free(&mp3);
    if (!rc) {
        out->provider = "elevenlabs";
        yaa_media__usage(env, YAA_USAGE_TTS, "elevenlabs", env->elevenlabs_model,
                         (long)yaa_utf8_len(text), rep.elapsed_ms, NULL);
    }
out:
    yaa_net_http_reply_free(&rep);
    return rc;
}

/* ---- OpenAI and OpenAI-compatible: POST {base}/v1/audio/speech ---- */

static void openai_detail(const yaa_buf *body, char *out, size_t n) {
    json_error_t je;
    json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, &je);
    json_t *e = j ? json_object_get(j, "error") : NULL;
    const char *msg = json_is_object(e)   ? json_string_value(json_object_get(e, "message"))
                      : json_is_string(e) ? json_string_value(e)
                      : j                 ? json_string_value(json_object_get(j, "detail"))
                                          : NULL;
    if (msg)
        snprintf(out, n, "%.200s", msg);
    else
        snprintf(out, n, "%.200s", body->len ? body->data : "(empty reply)");
    json_decref(j);
}

static int tts_openai(const yaa_media_env *env, const yaa_voice *v, const char *text,
                      const char *wav_path, yaa_tts_result *out, yaa_err *err) {
    bool compat = yaa_str_eq(env->tts_provider, "openai-compatible");
    const char *who = compat ? "openai-compatible" : "openai";
    const char *base = compat ? env->tts_base_url : env->openai_base_url;
    if (compat && (!base || !*base))
        return yaa_err_set(err, YAA_ECONFIG,
                           "TTS_PROVIDER=openai-compatible needs TTS_BASE_URL (the server with "
                           "/v1/audio/speech, e.g. http://localhost:8880/v1)");
    if (!compat && (!env->openai_api_key || !*env->openai_api_key))
        return yaa_err_set(err, YAA_ECONFIG,
                           "TTS_PROVIDER=openai needs OPENAI_API_KEY (or use TTS_PROVIDER=espeak)");
    const char *voice = v->name && *v->name ? v->name : env->tts_voice;
    if (!voice || !*voice || local_voice_name(voice)) voice = "alloy";
    double rate = v->rate > 0 ? v->rate : 1.0;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:f}", "model", env->tts_model, "input", text,
                             "voice", voice, "response_format", "wav", "speed",
                             rate < 0.25 ? 0.25
                             : rate > 4  ? 4
                                         : rate);
    char *bs = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!bs) return yaa_err_set(err, YAA_EINVAL, "%s: text is not valid UTF-8", who);
    char url[1024], auth[512];
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    bool has_v1 = bl >= 3 && !strncmp(base + bl - 3, "/v1", 3);
    snprintf(url, sizeof url, "%.*s%s/audio/speech", (int)bl, base, has_v1 ? "" : "/v1");
    const char *key = env->openai_api_key;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key ? key : "");
    const char *hdrs[] = {"Content-Type: application/json", "Accept: audio/wav", auth, NULL};
    yaa_http_reply rep;
    yaa_net_http_reply_init(&rep);
    int rc = yaa_media__http_post(env, url, hdrs, key && *key ? 3 : 2, bs, &rep, err);
    free(bs);
    if (rc) {
        if (rc != YAA_ECANCELLED) yaa_err_prefix(err, "%s speech API connection failed: ", who);
    } else if (rep.status < 200 || rep.status > 299) {
        char detail[256];
        openai_detail(&rep.body, detail, sizeof detail);
        rc = yaa_err_set(err, http_code(rep.status), "%s speech API error (HTTP %ld): %s", who,
                         rep.status, detail);
    } else {
        rc = decode_reply(env, &rep.body, "audio", text, v, wav_path, out, err);
    }
    if (!rc) out->provider = compat ? "openai-compatible" : "openai";
    yaa_media__usage(env, YAA_USAGE_TTS, who, env->tts_model, rc ? 0 : (long)yaa_utf8_len(text),
                     rep.elapsed_ms, rc && rc != YAA_ECANCELLED ? err->msg : NULL);
    yaa_net_http_reply_free(&rep);
    return rc;
}

void yaa_media_tts_result_free(yaa_tts_result *r) {
    if (!r) return;
    free(r->marks);
    memset(r, 0, sizeof *r);
}

int yaa_media_tts_speak(const yaa_media_env *env_in, const yaa_voice *voice, const char *text,
                        const char *wav_path, yaa_tts_result *out, yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    memset(out, 0, sizeof *out);
    yaa_voice dv = {0};
    if (!voice) voice = &dv;
    if (!text || !wav_path) return yaa_err_set(err, YAA_EINVAL, "tts: missing text or path");
    if (!yaa_utf8_valid(text, strlen(text)))
        return yaa_err_set(err, YAA_EINVAL, "tts: text is not valid UTF-8");
    const char *p = env.tts_provider;
    if (yaa_str_eq(p, "espeak"))
        return yaa_media_tts_speak_local(&env, voice, text, wav_path, out, err);
    if (yaa_str_eq(p, "elevenlabs")) return tts_elevenlabs(&env, voice, text, wav_path, out, err);
    if (yaa_str_eq(p, "openai") || yaa_str_eq(p, "openai-compatible"))
        return tts_openai(&env, voice, text, wav_path, out, err);
    return yaa_err_set(err, YAA_ECONFIG,
                       "TTS_PROVIDER '%s' is unknown (espeak, elevenlabs, openai or "
                       "openai-compatible)",
                       p);
}

int yaa_media_tts_synthesize(const yaa_media_env *env, const yaa_voice *voice, const char *text,
                             const char *wav_path, double *duration, yaa_err *err) {
    if (!duration) return yaa_err_set(err, YAA_EINVAL, "tts: missing duration");
    yaa_tts_result r;
    int rc = yaa_media_tts_speak(env, voice, text, wav_path, &r, err);
    if (!rc) *duration = r.duration;
    yaa_media_tts_result_free(&r);
    return rc;
}
