/* visuals.c - each section's picture, in a fixed order of preference: the channel's media
 * library, Pexels, Pixabay (footage first, then photos), a generated image, and the section's
 * card. Every file is fetched into the cache and must decode; a source that fails (401, 429,
 * 5xx, a bad file) is noted for the run's events and the next one is tried, so a run never
 * fails for a missing picture. Footage and photos get a lower third in the brand palette. */
#include "core/log.h"
#include "core/util.h"
#include "media/visuals_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RESULTS 8
#define MAX_QUERIES 3

typedef struct source {
    const char *name;
    int (*search)(const yaa_media_env *, const yaa_media__stock_query *, yaa_media__stock_item *,
                  size_t, size_t *, yaa_err *);
    bool usable;  /* has a key and has not refused us this run */
    int failures; /* transient failures this run */
} source;

typedef struct picker {
    const yaa_media_env *env;
    const yaa_media_gen_request *req;
    yaa_media_gen_result *res;
    yaa_media__library *lib;
    source src[2];
    char used[64][64]; /* "source/id" of stock items already in this video */
    size_t nused;
} picker;

static void note(picker *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(picker *p, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char **t = realloc(p->res->notes, (p->res->nnotes + 1) * sizeof *t);
    if (!t) return;
    p->res->notes = t;
    t[p->res->nnotes] = strdup(msg);
    if (t[p->res->nnotes]) p->res->nnotes++;
    yaa_log_ev(YAA_LOG_WARN, "media", "picture source skipped", YAA_F_STR("detail", msg),
               YAA_F_END);
}

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

static bool item_used(picker *p, const yaa_media__stock_item *it) {
    char key[64];
    snprintf(key, sizeof key, "%s/%s", it->source, it->id);
    for (size_t i = 0; i < p->nused; i++)
        if (yaa_str_eq(p->used[i], key)) return true;
    return false;
}

static void mark_used(picker *p, const yaa_media__stock_item *it) {
    if (p->nused < sizeof p->used / sizeof p->used[0])
        snprintf(p->used[p->nused++], sizeof p->used[0], "%s/%s", it->source, it->id);
}

/* A failed call: a refusal (key, quota) retires the source for the run; other failures retire
 * it after two. */
static void source_failed(picker *p, source *s, size_t sec, int rc, const yaa_err *e) {
    if (rc == YAA_ECANCELLED) return;
    bool refused = rc == YAA_EAUTH || rc == YAA_ELIMIT;
    if (refused || ++s->failures >= 2) s->usable = false;
    note(p, "section %zu: %s%s", sec + 1, e->msg,
         s->usable ? "; trying the next picture source"
                   : "; not asking this source again in this run");
}

/* Searches one source for footage, then photos; the first result that downloads and decodes
 * becomes the section's visual. */
static bool try_stock(picker *p, source *s, size_t i, const char *const *q, size_t nq,
                      yaa_visual *v, const char *poster) {
    yaa_media__stock_item items[MAX_RESULTS];
    for (int video = 1; video >= 0; video--) {
        for (size_t k = 0; k < nq && s->usable; k++) {
            if (yaa_media__cancelled(p->env)) return false;
            yaa_media__stock_query sq = {q[k], p->req->voice.language, p->req->short_video, video};
            size_t n = 0;
            yaa_err e = {0};
            int rc = s->search(p->env, &sq, items, MAX_RESULTS, &n, &e);
            if (rc) {
                source_failed(p, s, i, rc, &e);
                continue;
            }
            for (size_t r = 0; r < n; r++) {
                if (item_used(p, &items[r])) continue;
                char path[4096];
                rc = yaa_media__stock_fetch(p->env, &items[r], path, sizeof path, poster, &e);
                if (rc) {
                    mark_used(p, &items[r]); /* a bad file is not tried again */
                    note(p, "section %zu: %s; trying the next result", i + 1, e.msg);
                    if (rc == YAA_EAUTH || rc == YAA_ELIMIT || rc == YAA_ECANCELLED) break;
                    continue;
                }
                mark_used(p, &items[r]);
                v->kind = video ? YAA_SHOT_FOOTAGE : YAA_SHOT_PHOTO;
                v->path = strdup(path);
                v->source = strdup(items[r].source);
                v->id = strdup(items[r].id);
                v->author = dup_or_null(items[r].author);
                v->author_url = dup_or_null(items[r].author_url);
                v->page_url = dup_or_null(items[r].page_url);
                v->query = strdup(q[k]);
                return true;
            }
        }
    }
    return false;
}

static bool try_library(picker *p, size_t i, const char *const *q, size_t nq, yaa_visual *v,
                        const char *poster) {
    for (;;) {
        int k = yaa_media__library_pick(p->lib, q, nq, true);
        if (k < 0) return false;
        const yaa_media__library_file *f = &p->lib->files[k];
        yaa_err e = {0};
        if (yaa_media__poster(p->env, f->path, f->video ? 0.5 : 0, poster, &e) &&
            yaa_media__poster(p->env, f->path, 0, poster, &e)) {
            note(p, "section %zu: channel media '%s' does not decode (%s)", i + 1, f->name, e.msg);
            continue;
        }
        v->kind = f->video ? YAA_SHOT_FOOTAGE : YAA_SHOT_PHOTO;
        v->path = strdup(f->path);
        v->source = strdup("library");
        v->id = strdup(f->name);
        v->query = strdup(q[0]);
        return true;
    }
}

static bool try_generated(picker *p, size_t i, const char *prompt, yaa_visual *v,
                          const char *poster) {
    if (yaa_str_eq(p->env->image_provider, "cards") || !prompt || !*prompt) return false;
    yaa_err e = {0};
    int rc = yaa_media_image_generate(p->env, prompt, p->req->short_video, poster, &e);
    if (rc) {
        if (rc != YAA_ECANCELLED) note(p, "section %zu: generated image: %s", i + 1, e.msg);
        return false;
    }
    v->kind = YAA_SHOT_PHOTO;
    v->path = strdup(poster);
    v->source = strdup(p->env->image_provider);
    v->query = strdup(prompt);
    return true;
}

/* The section's queries: its search terms, then its visual note and heading (each shortened
 * to a few words: stock search wants concrete nouns, not sentences). */
static size_t queries_of(const yaa_media_section *s, char **q) {
    size_t n = 0;
    for (size_t k = 0; k < s->nsearch_terms && n < MAX_QUERIES; k++)
        if (s->search_terms[k] && *s->search_terms[k])
            q[n++] = yaa_media_text_hook(s->search_terms[k], 4);
    if (n < MAX_QUERIES && s->visual_notes && *s->visual_notes)
        q[n++] = yaa_media_text_hook(s->visual_notes, 4);
    if (n < MAX_QUERIES && s->heading && *s->heading) q[n++] = yaa_media_text_hook(s->heading, 4);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (q[k] && *q[k])
            q[m++] = q[k];
        else
            free(q[k]);
    return m;
}

static void pick_one(picker *p, size_t i) {
    const yaa_media_section *s = &p->req->sections[i];
    yaa_visual *v = &p->res->visuals[i];
    char *q[MAX_QUERIES + 2] = {0};
    size_t nq = queries_of(s, q);
    char poster[4096];
    snprintf(poster, sizeof poster, "%s/images/%02zu.poster.png", p->req->out_dir, i + 1);
    bool ok = nq && try_library(p, i, (const char *const *)q, nq, v, poster);
    for (size_t k = 0; k < 2 && !ok && nq; k++)
        if (p->src[k].usable)
            ok = try_stock(p, &p->src[k], i, (const char *const *)q, nq, v, poster);
    if (!ok)
        ok = try_generated(p, i, s->visual_notes && *s->visual_notes ? s->visual_notes : s->heading,
                           v, poster);
    if (ok) {
        v->poster = strdup(poster);
        yaa_media_probe_info pi;
        yaa_err pe = {0};
        /* the render follows the footage's frame rate (compose.c): known here, where the clip
         * was checked, it costs the render nothing */
        if (v->kind == YAA_SHOT_FOOTAGE && !yaa_media_probe(p->env, v->path, &pi, &pe))
            v->fps = pi.fps;
        char lt[4096];
        snprintf(lt, sizeof lt, "%s/images/%02zu.lower.png", p->req->out_dir, i + 1);
        int W = p->req->short_video ? 1080 : 1920;
        yaa_err e = {0};
        const char *line = s->on_screen_text && *s->on_screen_text ? s->on_screen_text : NULL;
        if (!yaa_media_lower_third_render(&p->req->look, s->heading, line,
                                          p->req->short_video ? W - 2 * (W / 24) : W * 5 / 8, lt,
                                          &v->text_overflow, &e))
            v->lower_third = strdup(lt);
    } else {
        unlink(poster);
        v->kind = YAA_SHOT_CARD;
        v->path = strdup(p->res->image_paths[i]);
        v->source = strdup("card");
        v->text_overflow = p->res->card_overflow[i];
    }
    for (size_t k = 0; k < nq; k++) free(q[k]);
}

int yaa_media__visuals_pick(const yaa_media_env *env, const yaa_media_gen_request *req,
                            yaa_media_gen_result *res, yaa_err *err) {
    res->visuals = calloc(res->n, sizeof *res->visuals);
    picker *p = calloc(1, sizeof *p);
    yaa_media__library *lib = calloc(1, sizeof *lib);
    if (!res->visuals || !p || !lib) {
        free(p);
        free(lib);
        return yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    }
    yaa_media__library_load(req->media_dir, lib);
    *p = (picker){.env = env, .req = req, .res = res, .lib = lib};
    p->src[0] =
        (source){"pexels", yaa_media__stock_pexels, env->pexels_api_key && *env->pexels_api_key, 0};
    p->src[1] = (source){"pixabay", yaa_media__stock_pixabay,
                         env->pixabay_api_key && *env->pixabay_api_key, 0};
    for (size_t i = 0; i < res->n && !yaa_media__cancelled(env); i++) pick_one(p, i);
    bool cancelled = yaa_media__cancelled(env);
    free(p);
    free(lib);
    if (cancelled) return yaa_err_set(err, YAA_ECANCELLED, "media generation cancelled");
    for (size_t i = 0; i < res->n; i++)
        if (!res->visuals[i].path || !res->visuals[i].source)
            return yaa_err_set(err, YAA_ENOMEM, "media: out of memory");
    return 0;
}
