/* agent.h - what a stage's agent receives and returns.
 *
 * Each of the six agents has one entry point, `int run(yaa_agent_ctx *, json_t **out, err)`:
 * it reads the earlier stages' outputs from ctx->outputs, writes its artifact files under
 * ctx->out_dir and returns its own output (the checkpoint stored in run_stages). */
#ifndef YAA_AGENTS_AGENT_H
#define YAA_AGENTS_AGENT_H

#include "agents/brief.h"
#include "agents/stages.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>

struct yaa_db;
struct yaa_channel;

/* Passed as the usage hook's call context with every paid or local call a stage makes, so
 * each usage row knows its run and agent; seq numbers the calls of one stage attempt and
 * makes the row id deterministic (a re-delivered job writes nothing twice). */
typedef struct yaa_usage_call {
    struct yaa_db *db;
    const char *run_id;
    const char *agent;
    int attempt;
    int seq;
} yaa_usage_call;

typedef struct yaa_agent_ctx {
    const yaa_config *cfg;
    struct yaa_db *db;
    const struct yaa_channel *channel;
    yaa_brief brief; /* built from channel + topic (+ retrieved context by the researcher) */
    const char *run_id;
    const char *topic;
    const char *brand_name;
    bool dry_run;
    bool short_video;
    const char *out_dir; /* $OUTPUT_DIR/<run_id> */
    /* A reviewer's notes on the previous version (a rejection at a review gate), for the
     * stages that run again; NULL when there are none. */
    const char *revision_notes;
    const char *publish_at; /* the run's scheduled publication time (RFC 3339 UTC), or NULL */
    json_t *outputs[YAA_STAGE_COUNT]; /* earlier stages' checkpoints (borrowed) */
    yaa_arena *arena;                 /* lives as long as the stage */
    yaa_usage_call usage;             /* agent/attempt filled by the orchestrator */
    void (*progress)(void *ud, const char *msg);
    void *progress_ud;
    bool (*cancelled)(void *ud);
    void *cancel_ud;
    char progress_what[16]; /* last media progress reported, to report only steps */
    int progress_step;
} yaa_agent_ctx;

typedef int (*yaa_agent_fn)(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);

/* The agent of stage i (agents/stages.h), or NULL when i is not a stage. */
yaa_agent_fn yaa_agents_stage_agent(int i);

int yaa_agents_brand_researcher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);
int yaa_agents_script_writer(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);
int yaa_agents_seo_optimizer(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);
int yaa_agents_media_generator(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);
int yaa_agents_media_editor(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);
int yaa_agents_publisher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err);

/* Checks a script (an agent's or a person's) like script_writer checks a model's: the
 * script schema, at least one section with narration; fills durations, on-screen text and
 * language in place. YAA_EINVAL saying what is wrong. */
int yaa_agents_script_check(json_t *script, const char *language, yaa_err *err);

/* Fills ctx->brief from the channel files and the run (strings live in ctx->arena). */
void yaa_agents_brief_from_channel(yaa_agent_ctx *ctx);

/* Writes a JSON artifact (pretty, UTF-8 kept) atomically to out_dir/name. */
int yaa_agents_write_json(const yaa_agent_ctx *ctx, const char *name, const json_t *j,
                          yaa_err *err);
/* Writes metadata.json and refreshes the metadata part of quality.json (when the run has
 * one): the one way an agent writes the run's metadata. */
int yaa_agents_write_metadata(const yaa_agent_ctx *ctx, const json_t *meta, yaa_err *err);
/* Writes a text artifact atomically to out_dir/name. */
int yaa_agents_write_text(const yaa_agent_ctx *ctx, const char *name, const char *text,
                          yaa_err *err);
/* out_dir/name in the arena. */
char *yaa_agents_path(const yaa_agent_ctx *ctx, const char *name);
void yaa_agents_progress(const yaa_agent_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool yaa_agents_cancelled(const yaa_agent_ctx *ctx);

/* The media engines' environment from the configuration, wired to this stage's usage,
 * cancellation and progress hooks (media_generator and media_editor share it). */
struct yaa_media_env;
void yaa_agents_media_env(yaa_agent_ctx *ctx, struct yaa_media_env *env);

/* Reports a call of the offline composer or a local engine (cost 0) to the usage hook. */
void yaa_agents_report_local(yaa_agent_ctx *ctx, const char *provider, const char *model, int kind,
                             long prompt_tokens, long completion_tokens, long units);

/* The description to upload (credits.c): description without the credit block an earlier
 * composition left, with chapters in place of any old chapter block ("" removes it; NULL keeps
 * the text's own chapter lines as they are), then a heading in the language and one
 * "- Author on Pexels: URL" line per credit whose URL the text lacks - whole lines only,
 * within YouTube's 5000 bytes, no trailing newline. Composing its own result again gives the
 * same text. credits: [{source, author, url}] as media_generator records them. */
struct yaa_buf;
int yaa_agents_description_compose(const char *description, const char *chapters,
                                   const json_t *credits, const char *language,
                                   struct yaa_buf *out);

/* metadata.json with the credits of the pictures used (credits.c): sets meta's `credits` (each
 * credit as recorded, plus the `line` the description carries), `credits_heading` and its
 * `description` composed with them (chapters left to the publisher). The language is meta's
 * own `language`, else language. The same result for the same input, however often applied. */
int yaa_agents_metadata_credits(json_t *meta, const json_t *credits, const char *language);

/* True when the run's text comes from the offline composer. */
bool yaa_agents_offline(const yaa_agent_ctx *ctx);

/* Asks the configured LLM for a JSON object that matches schema (a JSON Schema subset),
 * with the named prompt templates rendered from vars. On success *out owns the reply. */
struct yaa_prompt_var;
int yaa_agents_llm_json(yaa_agent_ctx *ctx, const char *model, const char *prompt_name,
                        const struct yaa_prompt_var *vars, size_t nvars, const char *schema_json,
                        json_t **out, yaa_err *err);

#endif
