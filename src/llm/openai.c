/* openai.c - the OpenAI Chat Completions wire format (also spoken by Ollama, llama.cpp's
 * server and vLLM at their /v1 base URL). */
#include "llm/llm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *yaa_llm__openai_body(const yaa_llm_client *c, const yaa_llm_request *req,
                             const yaa_llm_message *msgs, size_t n, const char *system,
                             const json_t *schema) {
    json_t *body = json_object();
    json_t *arr = json_array();
    json_object_set_new(body, "model", json_string(req->model));
    if (system && *system) {
        json_t *m = json_object();
        json_object_set_new(m, "role", json_string("system"));
        json_object_set_new(m, "content", json_string(system));
        json_array_append_new(arr, m);
    }
    yaa_llm__append_messages(arr, msgs, n);
    json_object_set_new(body, "messages", arr);
    int max_tokens = req->max_tokens > 0 ? req->max_tokens : 2048;
    /* OpenAI's current name; local servers know the older one. */
    json_object_set_new(body, c->kind == LLM_OPENAI ? "max_completion_tokens" : "max_tokens",
                        json_integer(max_tokens));
    if (req->temperature >= 0)
        json_object_set_new(body, "temperature", json_real(req->temperature));
    if (schema) {
        json_t *js = json_object();
        json_object_set_new(js, "name", json_string(req->schema_name ? req->schema_name : "reply"));
        json_object_set(js, "schema", (json_t *)schema);
        json_object_set_new(js, "strict", json_false());
        json_t *rf = json_object();
        json_object_set_new(rf, "type", json_string("json_schema"));
        json_object_set_new(rf, "json_schema", js);
        json_object_set_new(body, "response_format", rf);
    }
    return body;
}

int yaa_llm__openai_parse(const char *data, size_t len, llm_turn *t, char *msg, size_t msgn) {
    json_t *root = yaa_llm__reply_object(data, len, msg, msgn);
    if (!root) return YAA_EPROVIDER;
    json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
    json_t *message = json_object_get(choice, "message");
    json_t *content = json_object_get(message, "content");
    if (!json_is_object(message) || !(json_is_string(content) || json_is_null(content))) {
        snprintf(msg, msgn, "reply has no choices[0].message.content");
        json_decref(root);
        return YAA_EPROVIDER;
    }
    const char *refusal = json_string_value(json_object_get(message, "refusal"));
    if (json_is_null(content) && refusal) {
        snprintf(msg, msgn, "the model refused: %.200s", refusal);
        json_decref(root);
        return YAA_EPROVIDER;
    }
    t->text = strdup(json_is_string(content) ? json_string_value(content) : "");
    t->model = yaa_llm__dup_str(json_object_get(root, "model"));
    t->stop_reason = yaa_llm__dup_str(json_object_get(choice, "finish_reason"));
    json_t *u = json_object_get(root, "usage");
    t->prompt_tokens = (long)json_integer_value(json_object_get(u, "prompt_tokens"));
    t->completion_tokens = (long)json_integer_value(json_object_get(u, "completion_tokens"));
    t->cached_tokens = (long)json_integer_value(
        json_object_get(json_object_get(u, "prompt_tokens_details"), "cached_tokens"));
    json_decref(root);
    return t->text ? 0 : YAA_ENOMEM;
}
