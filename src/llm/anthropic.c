/* anthropic.c - the Anthropic Messages API wire format (POST /v1/messages). */
#include "llm/llm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *yaa_llm__anthropic_body(const yaa_llm_request *req, const yaa_llm_message *msgs, size_t n,
                                const char *system) {
    json_t *body = json_object();
    json_t *arr = json_array();
    json_object_set_new(body, "model", json_string(req->model));
    json_object_set_new(body, "max_tokens",
                        json_integer(req->max_tokens > 0 ? req->max_tokens : 2048));
    if (system && *system) json_object_set_new(body, "system", json_string(system));
    yaa_llm__append_messages(arr, msgs, n);
    json_object_set_new(body, "messages", arr);
    if (req->temperature >= 0)
        json_object_set_new(body, "temperature", json_real(req->temperature));
    return body;
}

int yaa_llm__anthropic_parse(const char *data, size_t len, llm_turn *t, char *msg, size_t msgn) {
    json_t *root = yaa_llm__reply_object(data, len, msg, msgn);
    if (!root) return YAA_EPROVIDER;
    json_t *content = json_object_get(root, "content");
    if (!json_is_array(content)) {
        snprintf(msg, msgn, "reply has no \"content\" array");
        json_decref(root);
        return YAA_EPROVIDER;
    }
    yaa_buf text;
    yaa_buf_init(&text, 0);
    size_t i;
    json_t *blk;
    json_array_foreach(content, i, blk) {
        const char *ty = json_string_value(json_object_get(blk, "type"));
        const char *tx = json_string_value(json_object_get(blk, "text"));
        if (ty && strcmp(ty, "text") == 0 && tx) yaa_buf_puts(&text, tx);
    }
    t->text = strdup(yaa_buf_cstr(&text));
    yaa_buf_free(&text);
    t->model = yaa_llm__dup_str(json_object_get(root, "model"));
    t->stop_reason = yaa_llm__dup_str(json_object_get(root, "stop_reason"));
    json_t *u = json_object_get(root, "usage");
    t->prompt_tokens = (long)json_integer_value(json_object_get(u, "input_tokens"));
    t->completion_tokens = (long)json_integer_value(json_object_get(u, "output_tokens"));
    /* Anthropic counts cache reads and writes apart from input_tokens; fold reads in. */
    long cached = (long)json_integer_value(json_object_get(u, "cache_read_input_tokens"));
    long created = (long)json_integer_value(json_object_get(u, "cache_creation_input_tokens"));
    t->cached_tokens = cached;
    t->prompt_tokens += cached + created;
    json_decref(root);
    if (!t->text) return YAA_ENOMEM;
    return 0;
}
