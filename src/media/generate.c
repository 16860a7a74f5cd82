/* generate.c - the media_generator stage: narration audio per section (one TTS thread, since
 * the local engines are not thread-safe; a hosted voice that fails hands the section to the
 * local voice and says so), cards per section and the thumbnail (on the other workers, in
 * parallel), then words.json and the captions from the word timings. The caller's hooks are
 * serialised. */
#include "core/log.h"
#include "media/audio.h"
#include "media/visuals_internal.h"
#include "net/net.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen_ctx {
    const yaa_media_env *user; /* the caller's hooks */
    yaa_media_env env;         /* defaults applied, hooks replaced by the locked ones below */
    const yaa_media_gen_request *req;
    yaa_media_gen_result *res;
    pthread_mutex_t mu; /* guards err, the user's hooks and done */
    yaa_err err;
    int rc;
    atomic_int stop;
    atomic_size_t next_image; /* image jobs: 0..n-1 cards, n = thumbnail */
    yaa_tts_result *speech;   /* per section, from the TTS thread */
    size_t done, total;
} gen_ctx;

static void locked_usage(void *ud, const yaa_media_usage *u) {
    gen_ctx *c = ud;
    pthread_mutex_lock(&c->mu);
    c->user->on_usage(c->user->usage_ud, u);
    pthread_mutex_unlock(&c->mu);
}

static bool locked_cancel(void *ud) {
    gen_ctx *c = ud;
    if (atomic_load(&c->stop)) return true;
    pthread_mutex_lock(&c->mu);
    bool stop = yaa_media__cancelled(c->user);
    pthread_mutex_unlock(&c->mu);
    return stop;
}

static void job_done(gen_ctx *c, const char *what, int rc, const yaa_err *e) {
    pthread_mutex_lock(&c->mu);
    if (rc && !c->rc) {
        c->rc = rc;
        c->err = *e;
        atomic_store(&c->stop, 1);
    }
    c->done++;
    if (!rc) yaa_media__progress(c->user, what, (double)c->done / (double)c->total);
    pthread_mutex_unlock(&c->mu);
}

static bool should_stop(gen_ctx *c) {
    if (atomic_load(&c->stop)) return true;
    if (locked_cancel(c)) {
        pthread_mutex_lock(&c->mu);
        if (!c->rc) {
            c->rc = yaa_err_set(&c->err, YAA_ECANCELLED, "media generation cancelled");
        }
        atomic_store(&c->stop, 1);
        pthread_mutex_unlock(&c->mu);
        return true;
    }
    return false;
}

static void notice(gen_ctx *c, const char *msg) {
    yaa_log_ev(YAA_LOG_WARN, "media", "notice", YAA_F_STR("detail", msg), YAA_F_END);
    if (!c->user || !c->user->on_notice) return;
    pthread_mutex_lock(&c->mu);
    c->user->on_notice(c->user->notice_ud, msg);
    pthread_mutex_unlock(&c->mu);
}

/* One section's narration; a hosted voice's failure (other than a cancel) is said in the
 * run's events and the local voice speaks the section instead. */
static int speak_section(gen_ctx *c, size_t i, yaa_err *e) {
    const char *text = c->req->sections[i].narration ? c->req->sections[i].narration : "";
    yaa_tts_result *r = &c->speech[i];
    int rc = yaa_media_tts_speak(&c->env, &c->req->voice, text, c->res->audio_paths[i], r, e);
    if (rc && rc != YAA_ECANCELLED && !yaa_str_eq(c->env.tts_provider, "espeak")) {
        char msg[640];
        snprintf(msg, sizeof msg,
                 "section %zu: voice %s failed (%.400s); the local voice speaks it", i + 1,
                 c->env.tts_provider, e->msg);
        notice(c, msg);
        *e = (yaa_err){0};
        rc = yaa_media_tts_speak_local(&c->env, &c->req->voice, text, c->res->audio_paths[i], r, e);
    }
    if (!rc) c->res->durations[i] = r->duration;
    return rc;
}

static void *tts_worker(void *ud) {
    gen_ctx *c = ud;
    for (size_t i = 0; i < c->req->nsections && !should_stop(c); i++) {
        yaa_err e = {0};
        int rc = speak_section(c, i, &e);
        if (rc) yaa_err_prefix(&e, "section %zu narration: ", i + 1);
        job_done(c, "tts", rc, &e);
    }
    return NULL;
}

static char *path_in(const char *dir, const char *name, size_t i, const char *ext) {
    char *o = NULL;
    int r = ext ? asprintf(&o, "%s/%02zu.%s", dir, i + 1, ext) : asprintf(&o, "%s/%s", dir, name);
    return r < 0 ? NULL : o;
}

/* The thumbnail: the hook (the script's, else the title's first words) over poster (NULL =
 * none). An explicit hook cut to 5 words counts as shortened text. */
static int thumbnail(const yaa_media_gen_request *r, const char *poster, yaa_media_gen_result *res,
                     yaa_err *e) {
    bool own = r->thumbnail_hook && *r->thumbnail_hook;
    char *hook = yaa_media_text_hook(own ? r->thumbnail_hook : r->title, 5);
    res->thumbnail_overflow = own && hook && yaa_media_text_was_cut(r->thumbnail_hook, hook);
    int rc = yaa_media_thumbnail_render(&r->look, hook ? hook : r->title, poster,
                                        res->thumbnail_path, &res->thumbnail_overflow, e);
    free(hook);
    return rc ? yaa_err_prefix(e, "thumbnail: ") : 0;
}

/* One section card (the fallback picture, and the closing shot), or the thumbnail without a
 * picture (job n; redrawn over the chosen footage once visuals are picked). On-screen lines
 * are shortened at a phrase boundary, never inside a word. */
static int image_job(gen_ctx *c, size_t i, yaa_err *e) {
    const yaa_media_gen_request *r = c->req;
    size_t n = r->nsections;
    if (i == n) return thumbnail(r, NULL, c->res, e);
    const char *h0 = r->sections[i].heading ? r->sections[i].heading : "";
    const char *k0 = r->sections[i].on_screen_text ? r->sections[i].on_screen_text : "";
    char *heading = yaa_media_text_shorten(h0, 90);
    char *key = yaa_media_text_shorten(k0, 120);
    bool *ov = &c->res->card_overflow[i];
    *ov =
        heading && key && (yaa_media_text_was_cut(h0, heading) || yaa_media_text_was_cut(k0, key));
    yaa_card card = {(int)(i + 1), (int)n, heading, key, NULL, ov, .layers = true};
    int rc = yaa_media_card_render(&r->look, &card, r->short_video, c->res->image_paths[i], e);
    free(heading);
    free(key);
    return rc ? yaa_err_prefix(e, "section %zu card: ", i + 1) : 0;
}

/* After the visuals: the title card (over the first picture when there is one) and the
 * thumbnail's hook over the first footage/photo frame. */
static int finish_pictures(const yaa_media_env *env, const yaa_media_gen_request *req,
                           yaa_media_gen_result *res, yaa_err *err) {
    const char *poster = NULL;
    for (size_t i = 0; i < res->n && !poster; i++)
        if (res->visuals[i].poster) poster = res->visuals[i].poster;
    res->title_card = path_in(req->out_dir, "images/00.title.png", 0, NULL);
    if (!res->title_card) return yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    char *title = yaa_media_text_shorten(req->title ? req->title : "", 70);
    res->title_overflow = title && yaa_media_text_was_cut(req->title, title);
    yaa_card card = {0, 0, title, NULL, poster, &res->title_overflow, .layers = true};
    int rc = yaa_media_card_render(&req->look, &card, req->short_video, res->title_card, err);
    free(title);
    if (rc) return yaa_err_prefix(err, "title card: ");
    (void)env;
    return poster ? thumbnail(req, poster, res, err) : 0;
}

static void *image_worker(void *ud) {
    gen_ctx *c = ud;
    for (;;) {
        size_t i = atomic_fetch_add(&c->next_image, 1);
        if (i > c->req->nsections || should_stop(c)) break;
        yaa_err e = {0};
        int rc = image_job(c, i, &e);
        job_done(c, i == c->req->nsections ? "thumbnail" : "card", rc, &e);
    }
    return NULL;
}

/* dir/NN.ext for segment i (numbered from 01), or dir/name when ext is NULL. */
/* Spawned threads release their keep-alive curl handle when done. */
static void *tts_thread(void *ud) {
    tts_worker(ud);
    yaa_net_thread_cleanup();
    return NULL;
}

static void *image_thread(void *ud) {
    image_worker(ud);
    yaa_net_thread_cleanup();
    return NULL;
}

/* The brand's accent for the spoken word when it is light enough to read over the dark
 * outline (relative luminance >= 0.3); otherwise NULL (yellow). */
static const char *bright_accent(const yaa_brand_look *look) {
    unsigned r, g, b;
    const char *a = look->npalette > 1 ? look->palette[1] : NULL;
    if (!a || strlen(a) != 7 || sscanf(a, "#%2x%2x%2x", &r, &g, &b) != 3) return NULL;
    double lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0;
    return lum >= 0.3 ? a : NULL;
}

/* The words of every section on the narration timeline (from the engines' marks, or spread
 * over each section's measured speech), then words.json, subtitles.srt and captions.ass. */
static int write_captions(const yaa_media_gen_request *req, yaa_media_gen_result *res,
                          const yaa_tts_result *speech, yaa_err *err) {
    yaa_words w = {0};
    char providers[128] = "";
    int rc = 0;
    for (size_t i = 0; i < req->nsections && !rc; i++) {
        const yaa_tts_result *r = &speech[i];
        rc = yaa_media_words_align(req->sections[i].narration, r->marks, r->nmarks, r->speech_start,
                                   r->speech_end, (int)i, res->total_sec, &w, err);
        res->total_sec += res->durations[i];
        if (r->provider && !strstr(providers, r->provider))
            snprintf(providers + strlen(providers), sizeof providers - strlen(providers), "%s%s",
                     providers[0] ? "," : "", r->provider);
    }
    w.total_sec = res->total_sec;
    const yaa_brand_look *look = &req->look;
    yaa_caption_style style = {
        .vertical = req->short_video, .font = NULL, .text = NULL, .accent = bright_accent(look)};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", res->words_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    if (!rc) rc = yaa_media_captions_write_all(&w, providers, &style, slash ? dir : ".", err);
    yaa_media_words_free(&w);
    return rc;
}

void yaa_media_gen_result_free(yaa_media_gen_result *res) {
    if (!res) return;
    for (size_t i = 0; i < res->n; i++) {
        if (res->audio_paths) free(res->audio_paths[i]);
        if (res->image_paths) free(res->image_paths[i]);
    }
    free(res->audio_paths);
    free(res->image_paths);
    free(res->durations);
    free(res->thumbnail_path);
    free(res->srt_path);
    free(res->words_path);
    free(res->ass_path);
    for (size_t i = 0; res->visuals && i < res->n; i++) {
        yaa_visual *v = &res->visuals[i];
        free(v->path), free(v->poster), free(v->lower_third), free(v->source), free(v->id);
        free(v->author), free(v->author_url), free(v->page_url), free(v->query);
    }
    free(res->visuals);
    free(res->title_card);
    free(res->card_overflow);
    for (size_t i = 0; i < res->nnotes; i++) free(res->notes[i]);
    free(res->notes);
    memset(res, 0, sizeof *res);
}

int yaa_media_generate(const yaa_media_env *env, const yaa_media_gen_request *req,
                       yaa_media_gen_result *res, yaa_err *err) {
    memset(res, 0, sizeof *res);
    if (!req || !req->out_dir || !req->sections || !req->nsections)
        return yaa_err_set(err, YAA_EINVAL,
                           "media: needs an output directory and at least one section");
    size_t n = req->nsections;
    char *audio_dir = NULL, *image_dir = NULL;
    if (asprintf(&audio_dir, "%s/audio", req->out_dir) < 0) audio_dir = NULL;
    if (asprintf(&image_dir, "%s/images", req->out_dir) < 0) image_dir = NULL;
    int rc = 0;
    if (!audio_dir || !image_dir)
        rc = yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    else if (yaa_mkdirs(audio_dir, 0755) || yaa_mkdirs(image_dir, 0755))
        rc = yaa_err_set(err, YAA_EIO, "media: cannot create '%s/audio' and '%s/images'",
                         req->out_dir, req->out_dir);
    res->n = n;
    res->audio_paths = calloc(n, sizeof(char *));
    res->image_paths = calloc(n, sizeof(char *));
    res->durations = calloc(n, sizeof(double));
    res->card_overflow = calloc(n, sizeof(bool));
    res->thumbnail_path = path_in(req->out_dir, "thumbnail.png", 0, NULL);
    res->srt_path = path_in(req->out_dir, "subtitles.srt", 0, NULL);
    res->words_path = path_in(req->out_dir, "words.json", 0, NULL);
    res->ass_path = path_in(req->out_dir, "captions.ass", 0, NULL);
    bool oom = !res->audio_paths || !res->image_paths || !res->durations || !res->card_overflow ||
               !res->thumbnail_path || !res->srt_path || !res->words_path || !res->ass_path;
    for (size_t i = 0; i < n && !oom; i++) {
        res->audio_paths[i] = path_in(audio_dir ? audio_dir : "", NULL, i, "wav");
        res->image_paths[i] = path_in(image_dir ? image_dir : "", NULL, i, "png");
        oom = !res->audio_paths[i] || !res->image_paths[i];
    }
    free(audio_dir);
    free(image_dir);
    if (!rc && oom) rc = yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    if (rc) {
        if (!res->audio_paths || !res->image_paths) res->n = 0;
        yaa_media_gen_result_free(res);
        return rc;
    }

    gen_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        yaa_media_gen_result_free(res);
        return yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    }
    c->user = env;
    yaa_media__env_defaults(env, &c->env);
    if (env && env->on_usage) {
        c->env.on_usage = locked_usage;
        c->env.usage_ud = c;
    }
    c->env.should_cancel = locked_cancel;
    c->env.cancel_ud = c;
    c->env.on_progress = NULL;
    c->req = req;
    c->res = res;
    c->total = 2 * n + 1;
    c->speech = calloc(n, sizeof *c->speech);
    if (!c->speech) {
        free(c);
        yaa_media_gen_result_free(res);
        return yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);

    int workers = c->env.workers;
    pthread_t threads[16];
    int started = 0;
    if (workers <= 1) {
        tts_worker(c);
        image_worker(c);
    } else {
        if (!pthread_create(&threads[started], NULL, tts_thread, c))
            started++;
        else
            tts_worker(c);
        for (int k = 1; k < workers; k++)
            if (!pthread_create(&threads[started], NULL, image_thread, c)) started++;
        image_worker(c); /* the calling thread helps too, so a failed create never stalls */
        for (int k = 0; k < started; k++) pthread_join(threads[k], NULL);
    }
    rc = c->rc;
    if (rc) *err = c->err;
    if (rc && err) err->code = rc;
    pthread_mutex_destroy(&c->mu);
    if (!rc) rc = write_captions(req, res, c->speech, err);
    for (size_t i = 0; i < n; i++) yaa_media_tts_result_free(&c->speech[i]);
    free(c->speech);
    /* pictures one section at a time (each clip is used once per video), then the shots that
     * show the first of them */
    if (!rc) rc = yaa_media__visuals_pick(&c->env, req, res, err);
    if (!rc) rc = finish_pictures(&c->env, req, res, err);
    free(c);
    if (rc) {
        yaa_media_gen_result_free(res);
        return rc;
    }
    yaa_log_ev(YAA_LOG_INFO, "media", "media generated", YAA_F_INT("sections", (long)n),
               YAA_F_NUM("narration_sec", res->total_sec), YAA_F_END);
    return 0;
}
