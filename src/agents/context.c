/* context.c - what every agent shares: the brief from the channel files, artifact writing,
 * progress, cancellation and usage reporting for local engines. */
#include "agents/agent.h"

#include "channels/channels.h"
#include "core/buf.h"
#include "media/audio.h"
#include "net/usage.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static yaa_brief_list list_of(const yaa_strlist *l) {
    return (yaa_brief_list){(const char **)l->items, l->n};
}

void yaa_agents_brief_from_channel(yaa_agent_ctx *ctx) {
    const yaa_channel *ch = ctx->channel;
    yaa_brief *b = &ctx->brief;
    memset(b, 0, sizeof *b);
    b->topic = ctx->topic;
    b->channel_id = ch->id;
    b->channel_name = ch->channel.name;
    b->category = ch->channel.category;
    b->language = *ch->voice_design.language ? ch->voice_design.language : ch->channel.language;
    if (strncmp(b->language, "ko", 2) == 0) b->language = "ko";
    b->brand_name = ctx->brand_name && *ctx->brand_name ? ctx->brand_name
                    : *ch->brand.name                   ? ch->brand.name
                                                        : ch->channel.name;
    b->tagline = ch->brand.tagline;
    b->positioning = ch->brand.positioning;
    b->values = list_of(&ch->brand.values);
    b->audience = ch->target_audience.primary;
    b->pain_points = list_of(&ch->target_audience.pain_points);
    b->content_needs = list_of(&ch->target_audience.content_needs);
    b->personality = ch->tone_and_manner.personality;
    b->formality = ch->tone_and_manner.formality;
    b->emotion = ch->tone_and_manner.emotion;
    b->humor_level = ch->tone_and_manner.humor_level;
    b->sentence_length = ch->tone_and_manner.writing_style.sentence_length;
    b->vocabulary = ch->tone_and_manner.writing_style.vocabulary;
    b->call_to_action = ch->tone_and_manner.writing_style.call_to_action;
    b->do_rules = list_of(&ch->tone_and_manner.do_rules);
    b->dont_rules = list_of(&ch->tone_and_manner.dont_rules);
    b->primary_keywords = list_of(&ch->seo.primary_keywords);
    b->secondary_keywords = list_of(&ch->seo.secondary_keywords);
    if (ch->n_competitors) {
        const char **c = yaa_arena_alloc(ctx->arena, ch->n_competitors * sizeof *c);
        for (size_t i = 0; c && i < ch->n_competitors; i++)
            c[i] = yaa_arena_sprintf(ctx->arena, "%s: %s", ch->competitors[i].channel,
                                     ch->competitors[i].differentiation);
        if (c) b->competitors = (yaa_brief_list){c, ch->n_competitors};
    }
    b->short_video = ctx->short_video;
}

char *yaa_agents_path(const yaa_agent_ctx *ctx, const char *name) {
    return yaa_arena_sprintf(ctx->arena, "%s/%s", ctx->out_dir, name);
}

int yaa_agents_write_text(const yaa_agent_ctx *ctx, const char *name, const char *text,
                          yaa_err *err) {
    char *path = yaa_agents_path(ctx, name);
    if (!path) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (yaa_write_file(path, text, strlen(text)))
        return yaa_err_set(err, YAA_EIO, "cannot write %s", path);
    return 0;
}

int yaa_agents_write_json(const yaa_agent_ctx *ctx, const char *name, const json_t *j,
                          yaa_err *err) {
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "cannot serialise %s", name);
    int rc = yaa_agents_write_text(ctx, name, text, err);
    free(text);
    return rc;
}

int yaa_agents_write_metadata(const yaa_agent_ctx *ctx, const json_t *meta, yaa_err *err) {
    int rc = yaa_agents_write_json(ctx, "metadata.json", meta, err);
    return rc ? rc : yaa_media_quality_metadata_refresh(ctx->out_dir, err);
}

void yaa_agents_progress(const yaa_agent_ctx *ctx, const char *fmt, ...) {
    if (!ctx->progress) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx->progress(ctx->progress_ud, msg);
}

bool yaa_agents_cancelled(const yaa_agent_ctx *ctx) {
    return ctx->cancelled && ctx->cancelled(ctx->cancel_ud);
}

void yaa_agents_report_local(yaa_agent_ctx *ctx, const char *provider, const char *model, int kind,
                             long prompt_tokens, long completion_tokens, long units) {
    yaa_usage_event ev = {0};
    ev.provider = provider;
    ev.model = model;
    ev.kind = (yaa_usage_kind)kind;
    ev.prompt_tokens = prompt_tokens;
    ev.completion_tokens = completion_tokens;
    ev.units = units;
    ev.cost_usd = 0;
    ev.outcome = YAA_USAGE_OK;
    yaa_net_usage_report(&ctx->usage, &ev);
}

bool yaa_agents_offline(const yaa_agent_ctx *ctx) {
    return strcmp(ctx->cfg->llm_provider, "offline") == 0;
}
