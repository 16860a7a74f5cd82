/* media_generator.c - stage 4: a voice track per section (TTS), a card per section, the
 * 1280x720 thumbnail and the subtitles, made locally in parallel by src/media. */
#include "agents/agent.h"
#include "channels/channels.h"
#include "media/media.h"
#include "net/usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_media_usage(void *ud, const yaa_media_usage *u) {
    yaa_agent_ctx *ctx = ud;
    yaa_usage_event ev = {0};
    ev.provider = u->provider;
    ev.model = u->model;
    ev.kind = strcmp(u->kind, "tts") == 0 ? YAA_USAGE_TTS : YAA_USAGE_IMAGE;
    ev.units = u->units;
    /* Local engines are free; hosted ones are priced by the installed pricer. */
    ev.cost_usd = u->local ? 0 : -1;
    /* A failed hosted call is counted as an error and bills nothing. */
    ev.outcome = u->error ? YAA_USAGE_ERROR : YAA_USAGE_OK;
    ev.error = u->error;
    ctx->usage.seq++;
    yaa_net_usage_report(&ctx->usage, &ev);
}

/* A hosted voice fell back to the local one (and similar): said in the run's events. */
static void on_media_notice(void *ud, const char *msg) { yaa_agents_progress(ud, "%s", msg); }

static bool on_media_cancel(void *ud) { return yaa_agents_cancelled(ud); }

/* Progress in steps of a tenth: enough to see movement, few enough to read. */
static void on_media_progress(void *ud, const char *what, double fraction) {
    yaa_agent_ctx *ctx = ud;
    int step = (int)(fraction * 10);
    if (strcmp(what, ctx->progress_what) == 0 && step == ctx->progress_step) return;
    snprintf(ctx->progress_what, sizeof ctx->progress_what, "%s", what);
    ctx->progress_step = step;
    yaa_agents_progress(ctx, "%s %d%%", what, step * 10);
}

void yaa_agents_media_env(yaa_agent_ctx *ctx, yaa_media_env *env) {
    yaa_media_env_from_config(env, ctx->cfg);
    env->on_usage = on_media_usage;
    env->usage_ud = ctx;
    env->should_cancel = on_media_cancel;
    env->cancel_ud = ctx;
    env->on_progress = on_media_progress;
    env->progress_ud = ctx;
    env->on_notice = on_media_notice;
    env->notice_ud = ctx;
}

static const char *const SHOT_KIND[] = {"card", "photo", "footage"};

static json_t *visual_json(const yaa_visual *v) {
    json_t *j = json_object();
    json_object_set_new(j, "kind", json_string(SHOT_KIND[v->kind]));
    json_object_set_new(j, "source", json_string(v->source));
    json_object_set_new(j, "path", json_string(v->path));
    if (v->poster) json_object_set_new(j, "poster", json_string(v->poster));
    if (v->lower_third) json_object_set_new(j, "lower_third", json_string(v->lower_third));
    if (v->fps > 0) json_object_set_new(j, "fps", json_real(round(v->fps * 1000) / 1000));
    if (v->query) json_object_set_new(j, "query", json_string(v->query));
    if (v->id) json_object_set_new(j, "id", json_string(v->id));
    if (v->author) json_object_set_new(j, "author", json_string(v->author));
    if (v->author_url) json_object_set_new(j, "author_url", json_string(v->author_url));
    if (v->page_url) json_object_set_new(j, "url", json_string(v->page_url));
    return j;
}

/* Each stock item used, once: Pexels and Pixabay ask for the author and the source. Kept in
 * media.json, this stage's output and metadata.json (write_metadata). */
static json_t *credits_json(const yaa_media_gen_result *res) {
    json_t *a = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const yaa_visual *v = &res->visuals[i];
        if (!v->page_url) continue;
        bool seen = false;
        size_t k;
        json_t *c;
        json_array_foreach(a, k, c) seen |=
            strcmp(json_string_value(json_object_get(c, "url")), v->page_url) == 0;
        if (seen) continue;
        json_t *c2 = json_object();
        json_object_set_new(c2, "source", json_string(v->source));
        if (v->id) json_object_set_new(c2, "id", json_string(v->id));
        json_object_set_new(c2, "author", json_string(v->author ? v->author : ""));
        json_object_set_new(c2, "author_url", json_string(v->author_url ? v->author_url : ""));
        json_object_set_new(c2, "url", json_string(v->page_url));
        json_object_set_new(c2, "section", json_integer((json_int_t)i + 1));
        json_array_append_new(a, c2);
    }
    return a;
}

/* media.json: each section's picture and where it came from, the text contrast of its
 * on-screen text, and the credits (read by the quality report). */
static int write_media_json(yaa_agent_ctx *ctx, const yaa_media_gen_request *req,
                            const yaa_media_gen_result *res, json_t *banner, json_t *credits,
                            yaa_err *err) {
    double contrast = yaa_media_brand_contrast(&req->look);
    json_t *m = json_object(), *secs = json_array();
    for (size_t i = 0; i < res->n; i++) {
        json_t *v = visual_json(&res->visuals[i]);
        json_object_set_new(v, "section", json_integer((json_int_t)i + 1));
        json_object_set_new(v, "heading",
                            json_string(req->sections[i].heading ? req->sections[i].heading : ""));
        json_object_set_new(v, "contrast", json_real(contrast));
        json_object_set_new(v, "text_overflow", json_boolean(res->visuals[i].text_overflow));
        json_array_append_new(secs, v);
    }
    json_object_set_new(m, "sections", secs);
    json_object_set_new(m, "title_card", json_string(res->title_card ? res->title_card : ""));
    json_object_set_new(m, "thumbnail", json_string(res->thumbnail_path));
    /* the title card and thumbnail count as shots of their own in the quality report */
    json_t *extra[] = {json_pack("{s:s, s:s, s:b}", "source", "title_card", "path",
                                 res->title_card ? res->title_card : "", "text_overflow",
                                 res->title_overflow),
                       json_pack("{s:s, s:s, s:b}", "source", "thumbnail", "path",
                                 res->thumbnail_path ? res->thumbnail_path : "", "text_overflow",
                                 res->thumbnail_overflow)};
    json_t *still = json_array();
    for (size_t k = 0; k < 2; k++) json_array_append_new(still, extra[k]);
    if (banner) json_array_append(still, banner);
    json_object_set_new(m, "stills", still);
    json_object_set_new(m, "min_contrast", json_real(contrast));
    json_object_set(m, "credits", credits);
    int rc = yaa_agents_write_json(ctx, "media.json", m, err);
    json_decref(m);
    return rc;
}

/* metadata.json once the pictures are chosen: the SEO stage's checkpoint (a reviewer's edit
 * included) with the credits of the items used and the description composed with them
 * (credits.c). Written afresh from the checkpoint on every attempt, so a re-run of either
 * stage, or a resumed one, leaves each credit line once; the orchestrator stores it under this
 * attempt's own key like the stage's other files. The SEO checkpoint stays that stage's own. */
static int write_metadata(yaa_agent_ctx *ctx, const json_t *credits, yaa_err *err) {
    const json_t *seo = ctx->outputs[YAA_STAGE_SEO_OPTIMIZER];
    if (!json_is_object(seo)) return 0; /* nothing to credit into */
    json_t *m = json_deep_copy(seo);
    int rc = m ? yaa_agents_metadata_credits(m, credits, ctx->brief.language) : YAA_ENOMEM;
    if (rc)
        rc = yaa_err_set(err, rc, "cannot compose the credits into metadata.json");
    else
        rc = yaa_agents_write_metadata(ctx, m, err);
    json_decref(m);
    return rc;
}

/* A Short's topic banner (images/banner.png), shortened at phrase boundaries to fit; its
 * media.json still ({source: banner, path, text, text_overflow}), or NULL when there is none. */
static json_t *topic_banner(yaa_agent_ctx *ctx, const yaa_brand_look *look) {
    const char *topic = ctx->brief.topic;
    char *path = yaa_agents_path(ctx, "images/banner.png"), *shown = NULL;
    if (!ctx->short_video || !topic || !*topic || !path) return NULL;
    bool overflow = false;
    yaa_err e = {0};
    if (yaa_media_banner_render(look, topic, 1080 - 2 * 45, path, &shown, &overflow, &e)) {
        yaa_agents_progress(ctx, "the Short goes without its topic banner: %s", e.msg);
        return NULL;
    }
    json_t *b = json_pack("{s:s, s:s, s:s, s:b}", "source", "banner", "path", path, "text",
                          shown ? shown : "", "text_overflow", overflow);
    if (overflow) yaa_agents_progress(ctx, "topic shortened for the Short's banner: %s", shown);
    free(shown);
    return b;
}

int yaa_agents_media_generator(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const json_t *script = ctx->outputs[YAA_STAGE_SCRIPT_WRITER];
    const json_t *meta = ctx->outputs[YAA_STAGE_SEO_OPTIMIZER];
    if (!script)
        return yaa_err_set(err, YAA_EINVAL, "media_generator needs the script_writer's output");
    const json_t *sections = json_object_get(script, "sections");
    size_t n = json_array_size(sections);
    yaa_media_section *secs = yaa_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *secs);
    if (!secs) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(sections, i);
        secs[i].heading = json_string_value(json_object_get(s, "heading"));
        secs[i].narration = json_string_value(json_object_get(s, "narration"));
        secs[i].on_screen_text = json_string_value(json_object_get(s, "on_screen_text"));
        secs[i].visual_notes = json_string_value(json_object_get(s, "visual_notes"));
        const json_t *terms = json_object_get(s, "search_terms");
        size_t nt = json_array_size(terms);
        const char **t = nt ? yaa_arena_alloc(ctx->arena, nt * sizeof *t) : NULL;
        for (size_t k = 0; t && k < nt; k++) t[k] = json_string_value(json_array_get(terms, k));
        secs[i].search_terms = t;
        secs[i].nsearch_terms = t ? nt : 0;
    }
    const yaa_channel *ch = ctx->channel;
    yaa_media_env env;
    yaa_agents_media_env(ctx, &env);
    yaa_media_gen_request req = {0};
    req.out_dir = ctx->out_dir;
    req.sections = secs;
    req.nsections = n;
    const char *title = meta ? json_string_value(json_object_get(meta, "title")) : NULL;
    req.title = title ? title : json_string_value(json_object_get(script, "title"));
    req.voice.language = ctx->brief.language;
    req.voice.rate = ch->voice_design.speech_rate_factor;
    req.voice.pitch = ch->voice_design.pitch_semitones;
    req.voice.elevenlabs_voice_id = ch->voice_design.elevenlabs_voice_id;
    req.voice.name = ch->voice_design.voice;
    req.look.palette = (const char *const *)ch->visual_identity.color_palette.items;
    req.look.npalette = ch->visual_identity.color_palette.n;
    req.look.font_preference = ch->visual_identity.font_preference;
    req.look.thumbnail_style = ch->visual_identity.thumbnail_style;
    req.look.brand_name = ctx->brief.brand_name;
    req.short_video = ctx->short_video;
    req.media_dir = yaa_arena_sprintf(ctx->arena, "%s/media", ch->dir);
    req.thumbnail_hook = json_string_value(json_object_get(script, "thumbnail_hook"));
    yaa_media_gen_result res = {0};
    yaa_agents_progress(ctx, "voice and cards for %zu sections", n);
    int rc = yaa_media_generate(&env, &req, &res, err);
    if (rc) return rc;
    json_t *o = json_object();
    json_t *segs = json_array();
    for (size_t i = 0; i < res.n; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "audio", json_string(res.audio_paths[i]));
        json_object_set_new(s, "image", json_string(res.image_paths[i]));
        json_object_set_new(s, "duration_seconds", json_real(res.durations[i]));
        json_object_set_new(s, "visual", visual_json(&res.visuals[i]));
        json_array_append_new(segs, s);
    }
    for (size_t i = 0; i < res.nnotes; i++) yaa_agents_progress(ctx, "%s", res.notes[i]);
    json_t *credits = credits_json(&res), *banner = topic_banner(ctx, &req.look);
    rc = write_media_json(ctx, &req, &res, banner, credits, err);
    if (!rc) rc = write_metadata(ctx, credits, err);
    if (banner) json_object_set(o, "banner", json_object_get(banner, "path"));
    json_decref(banner);
    if (rc) {
        json_decref(credits);
        json_decref(o);
        yaa_media_gen_result_free(&res);
        return rc;
    }
    json_object_set_new(o, "title_card", json_string(res.title_card));
    /* the credits: media.json, metadata.json and this output, which the publisher composes
     * into the description it uploads (credits.c) */
    json_object_set_new(o, "credits", credits);
    json_object_set_new(o, "segments", segs);
    json_object_set_new(o, "total_seconds", json_real(res.total_sec));
    json_object_set_new(o, "thumbnail", json_string(res.thumbnail_path));
    json_object_set_new(o, "subtitles", json_string(res.srt_path));
    json_object_set_new(o, "words", json_string(res.words_path));
    json_object_set_new(o, "captions_ass", json_string(res.ass_path));
    json_object_set_new(o, "tts_provider",
                        json_string(env.tts_provider ? env.tts_provider : "espeak"));
    json_object_set_new(o, "image_provider",
                        json_string(env.image_provider ? env.image_provider : "cards"));
    yaa_media_gen_result_free(&res);
    *out = o;
    return 0;
}
