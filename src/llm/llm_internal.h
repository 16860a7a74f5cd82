/* llm_internal.h - what client.c shares with the provider wire formats (anthropic.c, openai.c). */
#ifndef YAA_LLM_INTERNAL_H
#define YAA_LLM_INTERNAL_H

#include "llm/llm.h"

typedef enum { LLM_ANTHROPIC, LLM_OPENAI, LLM_COMPAT } llm_kind;

struct yaa_llm_client {
    llm_kind kind;
    const char *name; /* static provider name */
    char *api_key;    /* secret: only ever copied into a request header */
    char *base_url;   /* without trailing slash */
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_reply;
    yaa_http_retry retry;
};

/* One parsed provider reply. Strings are malloc'd. */
typedef struct llm_turn {
    char *text;
    char *model;
    char *stop_reason;
    long prompt_tokens;
    long completion_tokens;
    long cached_tokens;
} llm_turn;

void yaa_llm__turn_free(llm_turn *t);

/* What both wire formats share: msgs appended to arr as {"role", "content"} objects; a reply
 * body parsed as a JSON object (NULL with msg filled when it is not one); a JSON string
 * copied with malloc (NULL when v is not a string). */
void yaa_llm__append_messages(json_t *arr, const yaa_llm_message *msgs, size_t n);
json_t *yaa_llm__reply_object(const char *data, size_t len, char *msg, size_t msgn);
char *yaa_llm__dup_str(const json_t *v);

/* Request bodies: msgs are the conversation (request messages + repair turns); system is the
 * system prompt including the schema instruction. */
json_t *yaa_llm__anthropic_body(const yaa_llm_request *req, const yaa_llm_message *msgs, size_t n,
                                const char *system);
int yaa_llm__anthropic_parse(const char *data, size_t len, llm_turn *t, char *msg, size_t msgn);

json_t *yaa_llm__openai_body(const yaa_llm_client *c, const yaa_llm_request *req,
                             const yaa_llm_message *msgs, size_t n, const char *system,
                             const json_t *schema);
int yaa_llm__openai_parse(const char *data, size_t len, llm_turn *t, char *msg, size_t msgn);

/* POSTs body (JSON) to base_url + path with the provider's auth headers and the retry
 * policy, reporting retry attempts to the usage hook. On HTTP errors maps the status to an
 * error code and message; returns 0 with a 2xx reply. */
int yaa_llm__post(yaa_llm_client *c, const char *path, const json_t *body, const char *model,
                  yaa_usage_kind kind, void *usage_ctx, int part, yaa_http_reply *rep,
                  yaa_err *err);

/* Reports one finished call to the usage hook. */
void yaa_llm__report(const yaa_llm_client *c, const char *model, yaa_usage_kind kind,
                     void *usage_ctx, const llm_turn *t, long units, double latency_ms,
                     yaa_usage_outcome outcome, const char *error, int part);

#endif
