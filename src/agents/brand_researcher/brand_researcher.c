/* brand_researcher.c - stage 1: brand summary, audience and angles for the topic, written
 * from the channel's retrieved brand knowledge (RAG) and optional web research. */
#include "agents/agent.h"
#include "agents/offline.h"
#include "agents/prompt.h"
#include "agents/text.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "core/log.h"
#include "rag/rag.h"

#include <string.h>

#define RESEARCH_K 8

static const char *RESEARCH_SCHEMA =
    "{\"type\":\"object\",\"required\":[\"brand_summary\",\"audience\",\"angles\"],"
    "\"properties\":{\"brand_summary\":{\"type\":\"string\"},\"audience\":{\"type\":\"string\"},"
    "\"pain_points\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"angles\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"rules\":{\"type\":\"object\"},\"citations\":{\"type\":\"array\"}}}";

/* Retrieves the brand knowledge closest to the topic into ctx->brief.context. The index is
 * built on first use so a fresh install needs no separate `yaa rag index`. A hosted embedder
 * reports its usage against this run and agent. */
static int retrieve_context(yaa_agent_ctx *ctx, yaa_err *err) {
    if (!ctx->cfg->rag_enabled || !ctx->db) return 0;
    yaa_rag_embedder *emb = NULL;
    int rc = yaa_rag_embedder_open(ctx->cfg, &emb, err);
    if (rc) return rc;
    yaa_rag_embedder_set_usage_ctx(emb, &ctx->usage);
    yaa_rag_results res = {0};
    rc = yaa_rag_search(ctx->db, emb, ctx->channel->id, ctx->topic, RESEARCH_K, YAA_RAG_HYBRID,
                        &res, err);
    if (rc == 0 && res.n == 0) {
        yaa_rag_index_stats st = {0};
        yaa_agents_progress(ctx, "indexing brand knowledge of %s", ctx->channel->id);
        rc = yaa_rag_index_with(ctx->db, ctx->cfg, emb, ctx->channel->id, &st, err);
        if (rc == 0)
            rc = yaa_rag_search(ctx->db, emb, ctx->channel->id, ctx->topic, RESEARCH_K,
                                YAA_RAG_HYBRID, &res, err);
    }
    yaa_rag_embedder_free(emb);
    if (rc) {
        yaa_rag_results_free(&res);
        return rc;
    }
    yaa_brief_chunk *chunks = res.n ? yaa_arena_alloc(ctx->arena, res.n * sizeof *chunks) : NULL;
    for (size_t i = 0; chunks && i < res.n; i++) {
        chunks[i].section = yaa_arena_strdup(ctx->arena, res.hits[i].section);
        chunks[i].text = yaa_arena_strdup(ctx->arena, res.hits[i].text);
        chunks[i].score = res.hits[i].score;
    }
    ctx->brief.context = chunks;
    ctx->brief.ncontext = chunks ? res.n : 0;
    yaa_agents_progress(ctx, "retrieved %zu brand chunks", ctx->brief.ncontext);
    yaa_rag_results_free(&res);
    return 0;
}

static char *context_text(yaa_agent_ctx *ctx) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < ctx->brief.ncontext; i++)
        yaa_buf_printf(&b, "- %s: %s\n", ctx->brief.context[i].section, ctx->brief.context[i].text);
    char *s = yaa_arena_strdup(ctx->arena, b.len ? yaa_buf_cstr(&b) : "(none)");
    yaa_buf_free(&b);
    return s;
}

static int research_with_llm(yaa_agent_ctx *ctx, json_t *sources, json_t **out, yaa_err *err) {
    const yaa_brief *b = &ctx->brief;
    char *src = json_array_size(sources) ? json_dumps(sources, JSON_COMPACT) : NULL;
    yaa_prompt_var vars[] = {
        {"language", b->language},
        {"channel_name", b->channel_name},
        {"channel_id", b->channel_id},
        {"category", b->category},
        {"topic", b->topic},
        {"brand_name", b->brand_name},
        {"tagline", b->tagline},
        {"positioning", b->positioning},
        {"values", yaa_agents_text_join(ctx->arena, &b->values, ", ")},
        {"audience", b->audience},
        {"pain_points", yaa_agents_text_join(ctx->arena, &b->pain_points, "; ")},
        {"content_needs", yaa_agents_text_join(ctx->arena, &b->content_needs, "; ")},
        {"context", context_text(ctx)},
        {"sources", src ? src : "(none)"},
    };
    int rc = yaa_agents_llm_json(ctx, ctx->cfg->research_model, "brand_researcher", vars,
                                 sizeof vars / sizeof vars[0], RESEARCH_SCHEMA, out, err);
    free(src);
    return rc;
}

int yaa_agents_brand_researcher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    int rc = retrieve_context(ctx, err);
    if (rc) return rc;
    json_t *sources = json_array();
    if (ctx->cfg->tavily_api_key) {
        yaa_agents_progress(ctx, "web research: %s", ctx->topic);
        rc = yaa_agents_web_research(ctx, ctx->topic, sources, err);
        if (rc) {
            /* Web research is a bonus: its failure is noted, not fatal. */
            yaa_log_ev(YAA_LOG_WARN, "agents", "web research failed", YAA_F_STR("error", err->msg),
                       YAA_F_END);
            yaa_err_clear(err);
        }
    }
    json_t *research = NULL;
    if (yaa_agents_offline(ctx)) {
        research = yaa_agents_offline_research(&ctx->brief);
        yaa_agents_report_local(ctx, "offline", "offline-composer", 0, 0, 0, 1);
    } else {
        rc = research_with_llm(ctx, sources, &research, err);
        if (rc) {
            json_decref(sources);
            return rc;
        }
        json_object_set_new(research, "provider", json_string(ctx->cfg->llm_provider));
        json_object_set_new(research, "topic", json_string(ctx->topic));
    }
    json_t *ctxarr = json_array();
    for (size_t i = 0; i < ctx->brief.ncontext; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "section", json_string(ctx->brief.context[i].section));
        json_object_set_new(c, "text", json_string(ctx->brief.context[i].text));
        json_object_set_new(c, "score", json_real(ctx->brief.context[i].score));
        json_array_append_new(ctxarr, c);
    }
    json_object_set_new(research, "context", ctxarr);
    json_object_set_new(research, "rag_enabled", json_boolean(ctx->cfg->rag_enabled));
    json_object_set_new(research, "sources", sources);
    rc = yaa_agents_write_json(ctx, "research.json", research, err);
    if (rc) {
        json_decref(research);
        return rc;
    }
    *out = research;
    return 0;
}
