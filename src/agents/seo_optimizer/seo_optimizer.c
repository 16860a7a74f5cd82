/* seo_optimizer.c - stage 3: title, description with chapters, tags and category, held to
 * YouTube's limits whatever a model returns (title <= 100 chars, description <= 5000,
 * tags <= 500 chars in total). */
#include "agents/agent.h"
#include "agents/offline.h"
#include "agents/prompt.h"
#include "agents/text.h"
#include "core/buf.h"

#include <string.h>

static const char *SEO_SCHEMA =
    "{\"type\":\"object\",\"required\":[\"title\",\"description\",\"tags\"],\"properties\":{"
    "\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"primary_keywords\":{\"type\":\"array\"},\"secondary_keywords\":{\"type\":\"array\"}}}";

/* Cuts s to at most max code points, on a character boundary. */
static json_t *clamp_chars(const char *s, size_t max) {
    size_t bytes = 0, chars = 0;
    while (s[bytes] && chars < max) {
        bytes++;
        while (s[bytes] && ((unsigned char)s[bytes] & 0xC0) == 0x80) bytes++;
        chars++;
    }
    return json_stringn(s, bytes);
}

static json_t *chapters_of(const json_t *script) {
    json_t *ch = json_array();
    double t = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(script, "sections"), i, s) {
        json_t *c = json_object();
        json_object_set_new(c, "start_seconds", json_integer((json_int_t)t));
        json_object_set(c, "title", json_object_get(s, "heading"));
        json_array_append_new(ch, c);
        double d = json_number_value(json_object_get(s, "duration_seconds"));
        t += d < 10 ? 10 : d;
    }
    return ch;
}

/* Applies YouTube's limits in place; also fills category_id and chapters. */
static void enforce_limits(json_t *meta, const json_t *script, const char *category) {
    const char *title = json_string_value(json_object_get(meta, "title"));
    json_object_set_new(meta, "title", clamp_chars(title ? title : "", 100));
    const char *desc = json_string_value(json_object_get(meta, "description"));
    json_object_set_new(meta, "description", clamp_chars(desc ? desc : "", 5000));
    json_t *tags = json_object_get(meta, "tags");
    json_t *kept = json_array();
    size_t total = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *tag = json_string_value(t);
        if (!tag || !*tag || strpbrk(tag, "<>")) continue;
        size_t cost = yaa_utf8_len(tag) + (strchr(tag, ' ') ? 2 : 0) + (total ? 1 : 0);
        if (total + cost > 500) continue;
        total += cost;
        json_array_append(kept, t);
    }
    json_object_set_new(meta, "tags", kept);
    if (!json_is_string(json_object_get(meta, "category_id")))
        json_object_set_new(meta, "category_id",
                            json_string(yaa_agents_youtube_category_id(category)));
    if (!json_is_array(json_object_get(meta, "chapters")))
        json_object_set_new(meta, "chapters", chapters_of(script));
}

static char *chapters_text(yaa_agent_ctx *ctx, const json_t *script) {
    json_t *ch = chapters_of(script);
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    size_t i;
    json_t *c;
    json_array_foreach(ch, i, c) {
        long s = (long)json_integer_value(json_object_get(c, "start_seconds"));
        yaa_buf_printf(&b, "%ld:%02ld %s\n", s / 60, s % 60,
                       json_string_value(json_object_get(c, "title")));
    }
    json_decref(ch);
    char *r = yaa_arena_strdup(ctx->arena, yaa_buf_cstr(&b));
    yaa_buf_free(&b);
    return r;
}

static char *script_text(yaa_agent_ctx *ctx, const json_t *script) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(script, "sections"), i, s) {
        yaa_buf_printf(&b, "%s\n", json_string_value(json_object_get(s, "narration")));
    }
    /* The first 2000 bytes carry the script's substance; the rest costs tokens for nothing. */
    size_t cut = yaa_utf8_prefix(yaa_buf_cstr(&b), 2000);
    char *r = yaa_arena_strndup(ctx->arena, yaa_buf_cstr(&b), cut);
    yaa_buf_free(&b);
    return r;
}

int yaa_agents_seo_optimizer(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const yaa_brief *b = &ctx->brief;
    const json_t *script = ctx->outputs[YAA_STAGE_SCRIPT_WRITER];
    if (!script)
        return yaa_err_set(err, YAA_EINVAL, "seo_optimizer needs the script_writer's output");
    json_t *meta = NULL;
    if (yaa_agents_offline(ctx)) {
        meta = yaa_agents_offline_metadata(b, script);
        yaa_agents_report_local(ctx, "offline", "offline-composer", 0, 0, 0, 1);
    } else {
        char tone[512];
        snprintf(tone, sizeof tone, "%s; %s; %s; CTA: %s", b->personality ? b->personality : "",
                 b->formality ? b->formality : "", b->emotion ? b->emotion : "",
                 b->call_to_action ? b->call_to_action : "");
        yaa_prompt_var vars[] = {
            {"language", b->language},
            {"topic", b->topic},
            {"script_title", json_string_value(json_object_get(script, "title"))},
            {"chapters", chapters_text(ctx, script)},
            {"script_text", script_text(ctx, script)},
            {"primary_keywords", yaa_agents_text_join(ctx->arena, &b->primary_keywords, ", ")},
            {"secondary_keywords", yaa_agents_text_join(ctx->arena, &b->secondary_keywords, ", ")},
            {"tone_summary", tone},
        };
        int rc = yaa_agents_llm_json(ctx, ctx->cfg->seo_model, "seo_optimizer", vars,
                                     sizeof vars / sizeof vars[0], SEO_SCHEMA, &meta, err);
        if (rc) return rc;
        json_object_set_new(meta, "language", json_string(b->language));
        json_object_set_new(meta, "provider", json_string(ctx->cfg->llm_provider));
    }
    enforce_limits(meta, script, b->category);
    int rc = yaa_agents_write_metadata(ctx, meta, err);
    if (rc) {
        json_decref(meta);
        return rc;
    }
    *out = meta;
    return 0;
}
