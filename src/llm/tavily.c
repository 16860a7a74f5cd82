/* tavily.c - the Tavily search client: one POST /search, results as title/url/snippet. */
#include "llm/tavily.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const json_t *v) {
    return strdup(json_is_string(v) ? json_string_value(v) : "");
}

void yaa_llm_search_results_free(yaa_search_results *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].title);
        free(r->items[i].url);
        free(r->items[i].snippet);
    }
    free(r->items);
    free(r->answer);
    memset(r, 0, sizeof *r);
}

static int parse(const yaa_http_reply *hr, yaa_search_results *out, yaa_err *err) {
    json_error_t je;
    json_t *root = json_loadb(hr->body.data, hr->body.len, 0, &je);
    json_t *results = json_object_get(root, "results");
    if (!json_is_array(results)) {
        json_decref(root);
        return yaa_err_set(err, YAA_EPROVIDER, "tavily: reply has no \"results\" list (%s)",
                           root ? "unexpected shape" : je.text);
    }
    size_t n = json_array_size(results);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) {
        json_decref(root);
        return yaa_err_set(err, YAA_ENOMEM, "tavily: out of memory");
    }
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r) {
        const char *url = json_string_value(json_object_get(r, "url"));
        if (!url || !*url) continue;
        yaa_search_result *it = &out->items[out->n++];
        it->title = dup_or_empty(json_object_get(r, "title"));
        it->url = strdup(url);
        it->snippet = dup_or_empty(json_object_get(r, "content"));
        it->score = json_number_value(json_object_get(r, "score"));
    }
    const char *answer = json_string_value(json_object_get(root, "answer"));
    if (answer) out->answer = strdup(answer);
    json_decref(root);
    return 0;
}

int yaa_llm_tavily_search(const yaa_tavily_options *o, const char *query, yaa_search_results *out,
                          yaa_err *err) {
    memset(out, 0, sizeof *out);
    if (!o || !o->api_key || !*o->api_key)
        return yaa_err_set(err, YAA_ECONFIG, "tavily: TAVILY_API_KEY is not set");
    if (!query || !*query) return yaa_err_set(err, YAA_EINVAL, "tavily: empty query");
    int max = o->max_results > 0 ? (o->max_results > 20 ? 20 : o->max_results) : 5;
    json_t *body = json_object();
    json_object_set_new(body, "query", json_string(query));
    json_object_set_new(body, "max_results", json_integer(max));
    json_object_set_new(body, "search_depth",
                        json_string(o->search_depth ? o->search_depth : "basic"));
    json_object_set_new(body, "include_answer", json_false());
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "tavily: out of memory");
    const char *base = o->base_url && *o->base_url ? o->base_url : YAA_TAVILY_BASE_URL;
    char url[512];
    yaa_net_url_join(base, "/search", url, sizeof url);
    char auth[512];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->api_key);
    const char *h[] = {"Content-Type: application/json", auth};
    yaa_http_request rq = {.url = url,
                           .method = "POST",
                           .headers = h,
                           .nheaders = 2,
                           .body = text,
                           .body_len = strlen(text),
                           .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000,
                           .max_reply = 4 * 1024 * 1024};
    yaa_http_reply hr;
    yaa_net_http_reply_init(&hr);
    int rc = yaa_net_http_send(&rq, &o->retry, &hr, err);
    memset(auth, 0, sizeof auth);
    free(text);
    if (rc) {
        yaa_err_prefix(err, "tavily: ");
    } else if (hr.status != 200) {
        char d[300];
        yaa_net_http_describe(&hr, d, sizeof d);
        if (hr.status == 401 || hr.status == 403)
            rc = yaa_err_set(err, YAA_EAUTH,
                             "tavily: the API key was refused (%s); check "
                             "TAVILY_API_KEY",
                             d);
        else if (hr.status == 429 || hr.status == 432 || hr.status == 433)
            rc = yaa_err_set(err, YAA_ELIMIT, "tavily: rate or plan limit reached (%s)", d);
        else
            rc = yaa_err_set(err, YAA_EPROVIDER, "tavily: search failed (%s)", d);
    } else {
        rc = parse(&hr, out, err);
    }
    yaa_net_http_reply_free(&hr);
    if (rc) yaa_llm_search_results_free(out);
    return rc;
}
