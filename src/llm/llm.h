/* llm.h - one request/response interface over the hosted LLM providers.
 *
 * Providers: "anthropic" (Messages API), "openai" (Chat Completions), "openai-compatible"
 * (the same wire at any base URL, key optional: Ollama, llama.cpp server, vLLM). Each call
 * retries 429/5xx/network errors/timeouts with backoff (net/net.h), and reports every
 * attempt to the usage hook (net/usage.h) with the per-call context pointer the caller
 * passes in the request. A reply that must be JSON (json_schema set) is parsed and validated
 * against the schema; if it is not valid, ONE repair round-trip sends the bad reply back with
 * the error. The built-in `offline` provider is not here: the agents compose without a
 * client when yaa_llm_provider_for_model() says "offline". */
#ifndef YAA_LLM_H
#define YAA_LLM_H

#include "core/config.h"
#include "core/err.h"
#include "net/net.h"
#include "net/usage.h"

#include <jansson.h>
#include <stddef.h>

typedef struct yaa_llm_client yaa_llm_client;

typedef struct yaa_llm_options {
    const char *provider;    /* anthropic | openai | openai-compatible */
    const char *api_key;     /* required for anthropic and openai, optional for openai-compatible */
    const char *base_url;    /* NULL = the provider's (https://api.anthropic.com,
                                https://api.openai.com/v1); required for openai-compatible */
    long connect_timeout_ms; /* 0 = 10 s */
    long timeout_ms;         /* per attempt; 0 = 120 s */
    size_t max_reply;        /* 0 = 8 MiB */
    yaa_http_retry retry;    /* zero = defaults (4 attempts, 0.5 s base, 2 min budget) */
} yaa_llm_options;

int yaa_llm_client_open(const yaa_llm_options *opts, yaa_llm_client **out, yaa_err *err);
void yaa_llm_client_free(yaa_llm_client *c);
const char *yaa_llm_client_provider(const yaa_llm_client *c);

/* Which provider serves `model` under cfg: with LLM_PROVIDER anthropic or openai, a
 * "claude-*" model goes to Anthropic and a "gpt-*"/"o1|o3|o4*"/"text-embedding-*" model to
 * OpenAI when that provider's key is set (so the default SCRIPT_MODEL and SEO_MODEL both
 * work with both keys); anything else goes to LLM_PROVIDER. openai-compatible and offline
 * take every model. */
const char *yaa_llm_provider_for_model(const yaa_config *cfg, const char *model);
/* A client for `model` from the configuration (keys, base URLs). YAA_EUNAVAILABLE when the
 * provider is offline (the caller uses its offline composer). */
int yaa_llm_client_from_config(const yaa_config *cfg, const char *model, yaa_llm_client **out,
                               yaa_err *err);

typedef struct yaa_llm_message {
    const char *role; /* "user" | "assistant" */
    const char *content;
} yaa_llm_message;

typedef struct yaa_llm_request {
    const char *model;
    const char *system; /* optional */
    const yaa_llm_message *messages;
    size_t nmessages;
    int max_tokens;          /* 0 = 2048 */
    double temperature;      /* < 0 = provider default; 0 is a valid (greedy) value */
    const char *json_schema; /* optional JSON Schema text: reply must be JSON matching it */
    const char *schema_name; /* for OpenAI response_format; NULL = "reply" */
    void *usage_ctx;         /* handed to the usage hook with each event */
} yaa_llm_request;

typedef struct yaa_llm_reply {
    char *text;         /* the model's text (malloc) */
    json_t *json;       /* parsed and validated reply when json_schema was set (owned) */
    char *model;        /* as reported by the provider (malloc), may be NULL */
    char *stop_reason;  /* "end_turn", "stop", "max_tokens", "length"... (malloc) */
    long prompt_tokens; /* totals over every round trip of the call */
    long completion_tokens;
    long cached_tokens;
    int round_trips; /* 1, or 2 when a repair was needed */
    int attempts;    /* HTTP attempts including retries */
    double latency_ms;
} yaa_llm_reply;

/* Sends one chat request; on error rep is left empty (freeing it is still safe). Tokens
 * are summed over the round trips. A temperature of exactly 0 is sent when set; use -1 for default.
 * Errors: YAA_EINVAL (bad request/schema), YAA_EAUTH (401/403: the key), YAA_ELIMIT (429 after
 * retries), YAA_EPROVIDER (other provider errors or an unusable reply), YAA_EPARSE (reply
 * still not valid JSON after the repair), YAA_ETIMEOUT, YAA_ENET, YAA_ECANCELLED. */
int yaa_llm_chat(yaa_llm_client *c, const yaa_llm_request *req, yaa_llm_reply *rep, yaa_err *err);
void yaa_llm_reply_free(yaa_llm_reply *r);

/* Embeddings (POST {base}/embeddings; openai and openai-compatible), batched 64 inputs a
 * call. *vectors is n x *dim floats (malloc, row i = texts[i]). Reports kind=embedding. */
int yaa_llm_embed(yaa_llm_client *c, const char *model, const char *const *texts, size_t n,
                  float **vectors, size_t *dim, void *usage_ctx, yaa_err *err);

/* ---- JSON replies (schema.c) ---------------------------------------------------------- */

/* Validates v against a JSON Schema subset: type (object, array, string, number, integer,
 * boolean, null, or a list of them), properties, required, items, enum, minItems, maxItems,
 * minLength, maxLength, additionalProperties:false. On failure fills msg with the path and
 * problem ("$.sections[2].heading: expected string, got number") and returns YAA_EPARSE. */
int yaa_llm_schema_validate(const json_t *schema, const json_t *v, char *msg, size_t n);
/* Parses a model reply as JSON: tolerates ```json fences and prose around one object or
 * array. Returns NULL with msg filled when there is none. */
json_t *yaa_llm_extract_json(const char *text, char *msg, size_t n);

#endif
