/* env.c - media environment defaults, hooks, the process-wide render semaphore, UTF-8 bits. */
#include "media/media_internal.h"
#include "core/log.h"
#include "net/net.h"
#include "net/usage.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void yaa_media_env_from_config(yaa_media_env *env, const yaa_config *cfg) {
    memset(env, 0, sizeof *env);
    if (!cfg) return;
    env->tts_provider = cfg->tts_provider;
    env->image_provider = cfg->image_provider;
    env->elevenlabs_api_key = cfg->elevenlabs_api_key;
    env->elevenlabs_base_url = cfg->elevenlabs_base_url;
    env->tts_base_url = cfg->tts_base_url;
    env->tts_model = cfg->tts_model;
    env->tts_voice = cfg->tts_voice;
    env->openai_api_key = cfg->openai_api_key;
    env->openai_base_url = cfg->openai_base_url;
    env->openai_image_model = cfg->openai_image_model;
    env->image_base_url = cfg->image_base_url;
    env->pexels_api_key = cfg->pexels_api_key;
    env->pexels_base_url = cfg->pexels_base_url;
    env->pixabay_api_key = cfg->pixabay_api_key;
    env->pixabay_base_url = cfg->pixabay_base_url;
    env->stock_cache_dir = cfg->stock_cache_dir;
    env->stock_cache_mb = cfg->stock_cache_mb;
    env->x264_preset = cfg->media_preset;
    env->workers = (int)cfg->media_workers;
    env->fps = (int)cfg->media_fps;
    env->ffmpeg_threads = (int)cfg->media_threads;
    if (cfg->media_max_renders) yaa_media_set_max_renders((int)cfg->media_max_renders);
}

static const char *or_default(const char *s, const char *def) { return s && *s ? s : def; }

void yaa_media__env_defaults(const yaa_media_env *env, yaa_media_env *out) {
    if (env)
        *out = *env;
    else
        memset(out, 0, sizeof *out);
    out->tts_provider = or_default(out->tts_provider, "espeak");
    out->image_provider = or_default(out->image_provider, "cards");
    out->elevenlabs_base_url = or_default(out->elevenlabs_base_url, "https://api.elevenlabs.io");
    out->elevenlabs_model = or_default(out->elevenlabs_model, "eleven_multilingual_v2");
    out->tts_model = or_default(out->tts_model, "gpt-4o-mini-tts");
    out->openai_base_url = or_default(out->openai_base_url, "https://api.openai.com");
    out->openai_image_model = or_default(out->openai_image_model, "dall-e-3");
    out->pexels_base_url = or_default(out->pexels_base_url, "https://api.pexels.com");
    out->pixabay_base_url = or_default(out->pixabay_base_url, "https://pixabay.com");
    out->stock_cache_dir = or_default(out->stock_cache_dir, "./data/stock");
    if (out->stock_cache_mb <= 0) out->stock_cache_mb = 2048;
    if (out->stock_timeout_ms <= 0) out->stock_timeout_ms = 60000;
    out->ffmpeg = or_default(out->ffmpeg, "ffmpeg");
    out->ffprobe = or_default(out->ffprobe, "ffprobe");
    out->x264_preset = or_default(out->x264_preset, "veryfast");
    if (out->http_timeout_ms <= 0) out->http_timeout_ms = 120000;
    if (out->workers <= 0) out->workers = 2;
    if (out->workers > 16) out->workers = 16;
    if (out->crf <= 0 || out->crf > 51) out->crf = 23;
    if (out->fps < 0 || out->fps > 60) out->fps = 0; /* 0: the footage's rate (compose.c) */
    if (out->ffmpeg_threads <= 0) out->ffmpeg_threads = 2;
    if (out->render_timeout_sec <= 0) out->render_timeout_sec = 1800;
    if (out->render_mem_mb == 0) out->render_mem_mb = 4096;
    if (out->render_mem_mb < 0) out->render_mem_mb = 0;
}

void yaa_media__usage(const yaa_media_env *env, int kind, const char *provider, const char *model,
                      long units, double latency_ms, const char *error) {
    if (env && env->on_usage) {
        yaa_media_usage u = {kind == YAA_USAGE_TTS ? "tts" : "image",
                             provider,
                             model,
                             error ? 0 : units,
                             latency_ms,
                             error,
                             yaa_media__local(provider)};
        env->on_usage(env->usage_ud, &u);
        return;
    }
    yaa_usage_event ev = {.provider = provider,
                          .model = model,
                          .kind = (yaa_usage_kind)kind,
                          .units = error ? 0 : units,
                          .cost_usd = yaa_media__local(provider) ? 0 : -1,
                          .latency_ms = latency_ms,
                          .outcome = error ? YAA_USAGE_ERROR : YAA_USAGE_OK,
                          .error = error};
    yaa_net_usage_report(env ? env->usage_ctx : NULL, &ev);
}

bool yaa_media__local(const char *provider) {
    return yaa_str_eq(provider, "espeak") || yaa_str_eq(provider, "flite") ||
           yaa_str_eq(provider, "cards");
}

static bool http_cancel(void *ud) { return yaa_media__cancelled(ud); }

int yaa_media__http_post(const yaa_media_env *env, const char *url, const char *const *headers,
                         size_t nheaders, const char *body, yaa_http_reply *rep, yaa_err *err) {
    yaa_http_request req = {.method = "POST",
                            .url = url,
                            .headers = headers,
                            .nheaders = nheaders,
                            .body = body,
                            .body_len = strlen(body),
                            .timeout_ms = env->http_timeout_ms,
                            .max_reply = (size_t)64 << 20,
                            .cancel = http_cancel,
                            .cancel_ud = (void *)env};
    yaa_http_retry policy = {.max_attempts = 3, .cancel = http_cancel, .cancel_ud = (void *)env};
    return yaa_net_http_send(&req, &policy, rep, err);
}

bool yaa_media__cancelled(const yaa_media_env *env) {
    return env && env->should_cancel && env->should_cancel(env->cancel_ud);
}

void yaa_media__progress(const yaa_media_env *env, const char *what, double fraction) {
    if (!env || !env->on_progress) return;
    if (fraction < 0) fraction = 0;
    if (fraction > 1) fraction = 1;
    env->on_progress(env->progress_ud, what, fraction);
}

/* ---- render semaphore ---- */

static pthread_mutex_t sem_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sem_cv = PTHREAD_COND_INITIALIZER;
static int sem_max; /* 0 = not set yet */
static int sem_used;

static int default_max(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 4 ? (int)(n / 2) : 1;
}

void yaa_media_set_max_renders(int n) {
    pthread_mutex_lock(&sem_mu);
    sem_max = n > 0 ? n : default_max();
    pthread_cond_broadcast(&sem_cv);
    pthread_mutex_unlock(&sem_mu);
}

int yaa_media__render_acquire(const yaa_media_env *env) {
    pthread_mutex_lock(&sem_mu);
    if (!sem_max) sem_max = default_max();
    while (sem_used >= sem_max) {
        /* wait in short slices so a queued render can still be cancelled */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&sem_cv, &sem_mu, &ts);
        if (sem_used >= sem_max && yaa_media__cancelled(env)) {
            pthread_mutex_unlock(&sem_mu);
            return YAA_ECANCELLED;
        }
    }
    sem_used++;
    pthread_mutex_unlock(&sem_mu);
    return 0;
}

void yaa_media__render_release(void) {
    pthread_mutex_lock(&sem_mu);
    sem_used--;
    pthread_cond_signal(&sem_cv);
    pthread_mutex_unlock(&sem_mu);
}

/* ---- UTF-8 ---- */

uint32_t yaa_media__utf8_next(const char *s, size_t *i) {
    const unsigned char *p = (const unsigned char *)s + *i;
    uint32_t c = p[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len) {
        (*i)++;
        return 0xFFFD;
    }
    if (len == 1) {
        (*i)++;
        return c;
    }
    c &= 0x7Fu >> len;
    for (int k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        c = (c << 6) | (p[k] & 0x3Fu);
    }
    *i += (size_t)len;
    return c;
}

bool yaa_media__is_wide(uint32_t cp) {
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x2E80 && cp <= 0x9FFF) ||
           (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}
