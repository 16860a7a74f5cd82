/* script_writer.c - stage 2: title and sections (heading, narration, on-screen text, visual
 * notes, duration), in the brand's tone and within its do/don't rules. */
#include "agents/agent.h"
#include "agents/offline.h"
#include "agents/prompt.h"
#include "agents/text.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "llm/llm.h"

#include <string.h>

#define MAX_SECTIONS 12

static const char *SCRIPT_SCHEMA =
    "{\"type\":\"object\",\"required\":[\"title\",\"sections\"],\"properties\":{"
    "\"title\":{\"type\":\"string\"},\"thumbnail_hook\":{\"type\":\"string\"},"
    "\"estimated_duration_seconds\":{\"type\":\"number\"},"
    "\"sections\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"required\":[\"heading\",\"narration\"],\"properties\":{\"heading\":{\"type\":\"string\"},"
    "\"narration\":{\"type\":\"string\"},\"on_screen_text\":{\"type\":\"string\"},"
    "\"visual_notes\":{\"type\":\"string\"},"
    "\"search_terms\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"duration_seconds\":{\"type\":\"number\"}}}}}}";

static char *tone_guide(yaa_agent_ctx *ctx) {
    const yaa_brief *b = &ctx->brief;
    yaa_buf g;
    yaa_buf_init(&g, 1 << 16);
    if (b->personality && *b->personality)
        yaa_buf_printf(&g, "- Personality: %s\n", b->personality);
    if (b->formality && *b->formality) yaa_buf_printf(&g, "- Formality: %s\n", b->formality);
    if (b->emotion && *b->emotion) yaa_buf_printf(&g, "- Emotion: %s\n", b->emotion);
    if (b->humor_level && *b->humor_level) yaa_buf_printf(&g, "- Humour: %s\n", b->humor_level);
    if (b->sentence_length && *b->sentence_length)
        yaa_buf_printf(&g, "- Sentence length: %s\n", b->sentence_length);
    if (b->vocabulary && *b->vocabulary) yaa_buf_printf(&g, "- Vocabulary: %s\n", b->vocabulary);
    if (b->call_to_action && *b->call_to_action)
        yaa_buf_printf(&g, "- Call to action: %s\n", b->call_to_action);
    char *s = yaa_arena_strdup(ctx->arena, yaa_buf_cstr(&g));
    yaa_buf_free(&g);
    return s;
}

/* Every dont-rule always; the do-rules the retrieval found relevant to the topic first,
 * then the rest (the prompt must never lose a rule, only order them). */
static char *brand_rules(yaa_agent_ctx *ctx) {
    const yaa_brief *b = &ctx->brief;
    yaa_buf g;
    yaa_buf_init(&g, 1 << 16);
    yaa_buf_puts(&g, "### Do\n");
    for (size_t i = 0; i < b->ncontext; i++)
        if (strstr(b->context[i].section, ".do["))
            yaa_buf_printf(&g, "- %s (matches the topic; %s)\n", b->context[i].text,
                           b->context[i].section);
    for (size_t i = 0; i < b->do_rules.n; i++) yaa_buf_printf(&g, "- %s\n", b->do_rules.v[i]);
    yaa_buf_puts(&g, "### Don't\n");
    for (size_t i = 0; i < b->dont_rules.n; i++) yaa_buf_printf(&g, "- %s\n", b->dont_rules.v[i]);
    char *s = yaa_arena_strdup(ctx->arena, yaa_buf_cstr(&g));
    yaa_buf_free(&g);
    return s;
}

/* A model's script must have narrations to speak; empty ones are dropped, extras cut. */
static int check_script(json_t *script, const char *language, yaa_err *err) {
    json_t *sections = json_object_get(script, "sections");
    for (size_t i = 0; i < json_array_size(sections);) {
        const char *n =
            json_string_value(json_object_get(json_array_get(sections, i), "narration"));
        if (!n || !*n)
            json_array_remove(sections, i);
        else
            i++;
    }
    while (json_array_size(sections) > MAX_SECTIONS) json_array_remove(sections, MAX_SECTIONS);
    if (json_array_size(sections) == 0)
        return yaa_err_set(err, YAA_EPROVIDER, "the model's script has no section with narration");
    double total = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) {
        const char *n = json_string_value(json_object_get(s, "narration"));
        double d = yaa_agents_estimate_speech_seconds(n, language);
        json_object_set_new(s, "duration_seconds", json_real(d));
        if (!json_is_string(json_object_get(s, "on_screen_text")))
            json_object_set(s, "on_screen_text", json_object_get(s, "heading"));
        if (!json_is_string(json_object_get(s, "visual_notes")))
            json_object_set_new(s, "visual_notes", json_string(""));
        if (!json_is_array(json_object_get(s, "search_terms")))
            json_object_set_new(s, "search_terms", json_array());
        total += d;
    }
    json_object_set_new(script, "estimated_duration_seconds", json_real(total));
    json_object_set_new(script, "language", json_string(language));
    return 0;
}

int yaa_agents_script_check(json_t *script, const char *language, yaa_err *err) {
    json_t *schema = json_loads(SCRIPT_SCHEMA, 0, NULL);
    char msg[256] = "";
    int bad = yaa_llm_schema_validate(schema, script, msg, sizeof msg);
    json_decref(schema);
    if (bad) return yaa_err_set(err, YAA_EINVAL, "the script does not match its schema: %s", msg);
    int rc = check_script(script, language, err);
    if (rc) return yaa_err_set(err, YAA_EINVAL, "the script has no section with narration");
    return 0;
}

/* The reviewer's notes as a prompt block (empty without notes). */
static const char *revision_block(yaa_agent_ctx *ctx) {
    if (!ctx->revision_notes || !*ctx->revision_notes) return "";
    yaa_buf g;
    yaa_buf_init(&g, 1 << 16);
    yaa_buf_printf(&g,
                   "\n## A reviewer rejected the previous version with these notes; address "
                   "every point\n%s\n",
                   ctx->revision_notes);
    char *s = yaa_arena_strdup(ctx->arena, yaa_buf_cstr(&g));
    yaa_buf_free(&g);
    return s ? s : "";
}

int yaa_agents_script_writer(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const yaa_brief *b = &ctx->brief;
    json_t *research = ctx->outputs[YAA_STAGE_BRAND_RESEARCHER];
    json_t *script = NULL;
    int rc;
    if (yaa_agents_offline(ctx)) {
        script = yaa_agents_offline_script(b, research);
        yaa_agents_progress(ctx, "no LLM configured: the offline composer writes a brand-template "
                                 "script; content about the topic itself needs an LLM");
        yaa_agents_report_local(ctx, "offline", "offline-composer", 0, 0, 0, 1);
    } else {
        char *notes = research ? json_dumps(research, JSON_COMPACT) : NULL;
        yaa_prompt_var vars[] = {
            {"language", b->language},
            {"tone_guide", tone_guide(ctx)},
            {"brand_rules", brand_rules(ctx)},
            {"topic", b->topic},
            {"channel_name", b->channel_name},
            {"brand_name", b->brand_name},
            {"audience", b->audience},
            {"research", notes ? notes : "(none)"},
            {"keywords", yaa_agents_text_join(ctx->arena, &b->primary_keywords, ", ")},
            {"format", ctx->short_video ? "YouTube Short (vertical, under 60 seconds, 2-3 sections)"
                                        : "standard video (3-6 minutes, 4-6 sections)"},
            {"revision", revision_block(ctx)},
            {"thumbnail_style", ctx->channel->visual_identity.thumbnail_style
                                    ? ctx->channel->visual_identity.thumbnail_style
                                    : "(none)"},
        };
        rc = yaa_agents_llm_json(ctx, ctx->cfg->script_model, "script_writer", vars,
                                 sizeof vars / sizeof vars[0], SCRIPT_SCHEMA, &script, err);
        free(notes);
        if (rc) return rc;
        if ((rc = check_script(script, b->language, err))) {
            json_decref(script);
            return rc;
        }
        json_object_set_new(script, "provider", json_string(ctx->cfg->llm_provider));
    }
    /* The format travels with the checkpoint, so a resumed run renders what was written. */
    json_object_set_new(script, "short", json_boolean(ctx->short_video));
    /* The notes this version answers (the offline composer cannot act on them; they are kept
     * so the reviewer sees they arrived). */
    if (ctx->revision_notes && *ctx->revision_notes)
        json_object_set_new(script, "revision_notes", json_string(ctx->revision_notes));
    char *md = yaa_agents_text_script_markdown(script);
    rc = yaa_agents_write_json(ctx, "script.json", script, err);
    if (!rc) rc = yaa_agents_write_text(ctx, "script.md", md ? md : "", err);
    free(md);
    if (rc) {
        json_decref(script);
        return rc;
    }
    yaa_agents_progress(ctx, "script: %zu sections, about %.0f s",
                        json_array_size(json_object_get(script, "sections")),
                        json_number_value(json_object_get(script, "estimated_duration_seconds")));
    *out = script;
    return 0;
}
