/* pricing.h - what a call costs: a built-in price table (with the date it was taken) that
 * PRICING_FILE (YAML) overrides or extends. Unknown models cost 0 and are warned about once
 * per model per process. */
#ifndef YAA_LLM_PRICING_H
#define YAA_LLM_PRICING_H

#include "core/err.h"
#include "net/usage.h"

#include <stdbool.h>
#include <stddef.h>

/* The date the built-in table was taken from the providers' price pages. */
#define YAA_PRICING_DATE "2025-06-01"

typedef struct yaa_price {
    const char *provider; /* anthropic, openai, elevenlabs */
    const char *model;    /* exact name or a prefix of dated variants ("gpt-4o") */
    yaa_usage_kind kind;
    double input_per_m;        /* $ per 1M input (prompt) tokens */
    double output_per_m;       /* $ per 1M output (completion) tokens */
    double cached_input_per_m; /* $ per 1M cached input tokens; < 0 = no cache price */
    double per_unit;           /* tts: $ per 1K characters; image: $ per image */
} yaa_price;

/* Looks up provider/model: an exact match, else the longest table name that prefixes the
 * model at a '-' boundary ("gpt-4o-2024-08-06" -> "gpt-4o", never "gpt-4o-mini" -> "gpt-4o").
 * openai-compatible models are looked up under openai too. Returns false when unknown. */
bool yaa_llm_pricing_lookup(const char *provider, const char *model, yaa_price *out);

/* True when a call of provider/model has a cost yaa can compute: a local provider (offline,
 * espeak, cards, hash: always 0) or a model in the table. False means its usage is counted
 * at 0 and the run's cost is understated (the run page says so). */
bool yaa_llm_pricing_known(const char *provider, const char *model);

/* Cost in USD: tokens x $/1M for chat and embedding (cached tokens at the cached rate where
 * the table has one), units/1000 x per_unit for tts, units x per_unit for images. 0 for
 * local providers (offline, espeak, cards, hash) and, with one warning per model, unknown
 * models. */
double yaa_llm_pricing_cost(const char *provider, const char *model, yaa_usage_kind kind,
                            long prompt_tokens, long completion_tokens, long units);
double yaa_llm_pricing_cost_cached(const char *provider, const char *model, yaa_usage_kind kind,
                                   long prompt_tokens, long cached_tokens, long completion_tokens,
                                   long units);

/* Loads PRICING_FILE (NULL or "" = built-in only), replacing earlier overrides, and installs
 * the pricer into the usage hook. Errors name file:line. Safe to call again (tests). */
int yaa_llm_pricing_load(const char *path, yaa_err *err);
/* Parses a pricing YAML text (the file's format) into the overrides; `name` is used in
 * errors. */
int yaa_llm_pricing_load_text(const char *name, const char *text, size_t len, yaa_err *err);
/* yaa_llm_pricing_load once per process (the first call wins; later calls return its result):
 * yaa_llm_client_from_config calls it with PRICING_FILE, so a bad file fails the first LLM
 * call with its file:line message even when start-up did not load it. */
int yaa_llm_pricing_ensure(const char *path, yaa_err *err);
/* Installs the pricer (built-in table plus any loaded overrides) if none is installed. */
void yaa_llm_pricing_install(void);

/* Iterates the effective table (overrides first, then built-ins): returns false past the
 * end. For docs and `yaa usage --prices`. */
bool yaa_llm_pricing_entry(size_t i, yaa_price *out);

/* Forgets the models already warned about (tests). */
void yaa_llm_pricing_reset_warnings(void);

#endif
