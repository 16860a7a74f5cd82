/* usage.h - the one usage hook every paid (or local) call reports to.
 *
 * Lives in net (the lowest library every provider uses) so LLM, embedding, TTS and image
 * providers all report the same event. The pipeline installs the hook once per process and
 * passes a per-call context pointer (run id, agent...) with each request; the hook writes
 * usage_events and metrics. Cost: when an event arrives with cost_usd < 0, the installed
 * pricer (llm's pricing table, yaa_llm_pricing_install) computes it; without a pricer it is 0. */
#ifndef YAA_NET_USAGE_H
#define YAA_NET_USAGE_H

typedef enum yaa_usage_kind {
    YAA_USAGE_CHAT = 0,
    YAA_USAGE_EMBEDDING = 1,
    YAA_USAGE_TTS = 2,   /* units = characters */
    YAA_USAGE_IMAGE = 3, /* units = images */
} yaa_usage_kind;

typedef enum yaa_usage_outcome {
    YAA_USAGE_OK = 0,
    YAA_USAGE_ERROR = 1,
    YAA_USAGE_RETRY = 2, /* one attempt failed and will be retried (no tokens billed) */
} yaa_usage_outcome;

typedef struct yaa_usage_event {
    const char *provider; /* "anthropic", "openai", "openai-compatible", "elevenlabs", ... */
    const char *model;
    yaa_usage_kind kind;
    long prompt_tokens;
    long completion_tokens;
    long cached_tokens; /* part of prompt_tokens read from the provider's prompt cache */
    long units;         /* characters (tts), images (image), inputs (embedding) */
    double cost_usd;    /* < 0 = let the pricer compute it */
    double latency_ms;
    yaa_usage_outcome outcome;
    const char *error; /* outcome != ok: a secret-free message, else NULL */
    /* Which billed exchange of one API call this is, from 0: a JSON repair round trip is
     * part 1 of its chat call, embedding batch k is part k. A hook that keys rows by call
     * must add it to the key, or the second exchange lands on the first one's row. */
    int part;
} yaa_usage_event;

/* call_ctx is the pointer the caller passed with the request (may be NULL). */
typedef void (*yaa_usage_hook_fn)(void *hook_ud, void *call_ctx, const yaa_usage_event *ev);
/* Returns the cost in USD of an event (provider, model, kind, tokens, units). */
typedef double (*yaa_usage_pricer_fn)(const yaa_usage_event *ev);

/* Process-wide; NULL removes. Set before starting threads. */
void yaa_net_usage_set_hook(yaa_usage_hook_fn fn, void *ud);
void yaa_net_usage_set_pricer(yaa_usage_pricer_fn fn);

/* Prices (if ev->cost_usd < 0) and hands the event to the hook. */
void yaa_net_usage_report(void *call_ctx, const yaa_usage_event *ev);

const char *yaa_net_usage_kind_name(yaa_usage_kind kind);          /* chat|embedding|tts|image */
const char *yaa_net_usage_outcome_name(yaa_usage_outcome outcome); /* ok|error|retry */

#endif
