/* client.c - provider selection, the chat call (retries, JSON validation with one repair
 * round-trip) and usage reporting. */
#include "llm/llm_internal.h"
#include "llm/pricing.h"

#include "core/log.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 120000L
#define DEFAULT_MAX_REPLY ((size_t)8 * 1024 * 1024)
#define ANTHROPIC_VERSION "2023-06-01"

int yaa_llm_client_open(const yaa_llm_options *o, yaa_llm_client **out, yaa_err *err) {
    *out = NULL;
    if (!o || !o->provider) return yaa_err_set(err, YAA_EINVAL, "llm: no provider given");
    llm_kind kind;
    const char *name, *def_base;
    if (strcmp(o->provider, "anthropic") == 0) {
        kind = LLM_ANTHROPIC, name = "anthropic", def_base = "https://api.anthropic.com";
    } else if (strcmp(o->provider, "openai") == 0) {
        kind = LLM_OPENAI, name = "openai", def_base = "https://api.openai.com/v1";
    } else if (strcmp(o->provider, "openai-compatible") == 0) {
        kind = LLM_COMPAT, name = "openai-compatible", def_base = NULL;
    } else {
        return yaa_err_set(err, YAA_EINVAL,
                           "llm: unknown provider '%.40s' (anthropic, openai, openai-compatible)",
                           o->provider);
    }
    if (kind != LLM_COMPAT && (!o->api_key || !*o->api_key))
        return yaa_err_set(err, YAA_ECONFIG, "llm: provider %s needs %s", name,
                           kind == LLM_ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
    const char *base = o->base_url && *o->base_url ? o->base_url : def_base;
    if (!base)
        return yaa_err_set(err, YAA_ECONFIG,
                           "llm: openai-compatible needs OPENAI_BASE_URL (for example "
                           "http://127.0.0.1:11434/v1 for Ollama)");
    yaa_llm_client *c = calloc(1, sizeof *c);
    if (!c) return yaa_err_set(err, YAA_ENOMEM, "llm: out of memory");
    c->kind = kind;
    c->name = name;
    c->api_key = o->api_key && *o->api_key ? strdup(o->api_key) : NULL;
    c->base_url = strdup(base);
    if (!c->base_url) {
        yaa_llm_client_free(c);
        return yaa_err_set(err, YAA_ENOMEM, "llm: out of memory");
    }
    size_t bl = strlen(c->base_url);
    while (bl > 0 && c->base_url[bl - 1] == '/') c->base_url[--bl] = '\0';
    c->connect_timeout_ms = o->connect_timeout_ms;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->max_reply = o->max_reply ? o->max_reply : DEFAULT_MAX_REPLY;
    c->retry = o->retry;
    yaa_llm_pricing_install();
    *out = c;
    return 0;
}

void yaa_llm_client_free(yaa_llm_client *c) {
    if (!c) return;
    if (c->api_key) {
        memset(c->api_key, 0, strlen(c->api_key));
        free(c->api_key);
    }
    free(c->base_url);
    free(c);
}

const char *yaa_llm_client_provider(const yaa_llm_client *c) { return c->name; }

static bool is_openai_model(const char *m) {
    return yaa_str_startswith(m, "gpt-") || yaa_str_startswith(m, "o1") ||
           yaa_str_startswith(m, "o3") || yaa_str_startswith(m, "o4") ||
           yaa_str_startswith(m, "chatgpt-") || yaa_str_startswith(m, "text-embedding-");
}

const char *yaa_llm_provider_for_model(const yaa_config *cfg, const char *model) {
    const char *p = cfg->llm_provider ? cfg->llm_provider : "offline";
    if (strcmp(p, "anthropic") != 0 && strcmp(p, "openai") != 0) return p;
    if (model && yaa_str_startswith(model, "claude") && cfg->anthropic_api_key) return "anthropic";
    if (model && is_openai_model(model) && cfg->openai_api_key) return "openai";
    return p;
}

int yaa_llm_client_from_config(const yaa_config *cfg, const char *model, yaa_llm_client **out,
                               yaa_err *err) {
    *out = NULL;
    const char *p = yaa_llm_provider_for_model(cfg, model);
    if (strcmp(p, "offline") == 0)
        return yaa_err_set(err, YAA_EUNAVAILABLE,
                           "llm: LLM_PROVIDER is offline (no API key set): use the offline "
                           "composer");
    int rc = yaa_llm_pricing_ensure(cfg->pricing_file, err);
    if (rc) return rc;
    yaa_llm_options o = {.provider = p};
    if (strcmp(p, "anthropic") == 0) {
        o.api_key = cfg->anthropic_api_key;
        o.base_url = cfg->anthropic_base_url;
    } else {
        o.api_key = cfg->openai_api_key;
        o.base_url = cfg->openai_base_url;
    }
    return yaa_llm_client_open(&o, out, err);
}

void yaa_llm__turn_free(llm_turn *t) {
    free(t->text);
    free(t->model);
    free(t->stop_reason);
    memset(t, 0, sizeof *t);
}

void yaa_llm__append_messages(json_t *arr, const yaa_llm_message *msgs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_object();
        json_object_set_new(m, "role", json_string(msgs[i].role));
        json_object_set_new(m, "content", json_string(msgs[i].content ? msgs[i].content : ""));
        json_array_append_new(arr, m);
    }
}

json_t *yaa_llm__reply_object(const char *data, size_t len, char *msg, size_t msgn) {
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    if (json_is_object(root)) return root;
    snprintf(msg, msgn, "reply body is not JSON (%s)", je.text);
    json_decref(root);
    return NULL;
}

char *yaa_llm__dup_str(const json_t *v) {
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

void yaa_llm__report(const yaa_llm_client *c, const char *model, yaa_usage_kind kind,
                     void *usage_ctx, const llm_turn *t, long units, double latency_ms,
                     yaa_usage_outcome outcome, const char *error, int part) {
    yaa_usage_event ev = {.provider = c->name,
                          .model = model,
                          .kind = kind,
                          .prompt_tokens = t ? t->prompt_tokens : 0,
                          .completion_tokens = t ? t->completion_tokens : 0,
                          .cached_tokens = t ? t->cached_tokens : 0,
                          .units = units,
                          .cost_usd = -1,
                          .latency_ms = latency_ms,
                          .outcome = outcome,
                          .error = error,
                          .part = part};
    yaa_net_usage_report(usage_ctx, &ev);
}

typedef struct retry_report {
    const yaa_llm_client *c;
    const char *model;
    yaa_usage_kind kind;
    void *usage_ctx;
    int part;
    yaa_http_reply *rep;
    void (*user_on_retry)(void *, int, long, int, long);
    void *user_ud;
} retry_report;

static void on_retry(void *ud, int attempt, long status, int rc, long delay_ms) {
    retry_report *r = ud;
    char what[64];
    if (status)
        snprintf(what, sizeof what, "HTTP %ld, retrying in %ld ms", status, delay_ms);
    else
        snprintf(what, sizeof what, "%s, retrying in %ld ms", yaa_strerror(rc), delay_ms);
    yaa_llm__report(r->c, r->model, r->kind, r->usage_ctx, NULL, 0, r->rep->elapsed_ms,
                    YAA_USAGE_RETRY, what, r->part);
    if (r->user_on_retry) r->user_on_retry(r->user_ud, attempt, status, rc, delay_ms);
}

static int map_status(const yaa_llm_client *c, const yaa_http_reply *rep, const char *model,
                      yaa_usage_kind kind, yaa_err *err) {
    char d[400];
    yaa_net_http_describe(rep, d, sizeof d);
    /* Local servers (Ollama, vLLM) answer 404 for a model they do not serve: say which
     * variable picks it, since the model name came from configuration, not the user's run. */
    if (rep->status == 404)
        return yaa_err_set(err, YAA_EPROVIDER,
                           "%s: model '%s' not found at %s (%s): set %s to a model this server "
                           "serves, or check the base URL",
                           c->name, model ? model : "", c->base_url, d,
                           kind == YAA_USAGE_EMBEDDING
                               ? "EMBEDDING_MODEL"
                               : "LLM_MODEL (or SCRIPT_MODEL / SEO_MODEL / RESEARCH_MODEL for one "
                                 "agent)");
    const char *keyvar = c->kind == LLM_ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
    if (rep->status == 401 || rep->status == 403)
        return yaa_err_set(err, YAA_EAUTH, "%s: the API key was refused (%s); check %s", c->name, d,
                           keyvar);
    if (rep->status == 429)
        return yaa_err_set(err, YAA_ELIMIT, "%s: rate limited after %d attempt(s) (%s)", c->name,
                           rep->attempts, d);
    if (rep->status >= 500)
        return yaa_err_set(err, YAA_EPROVIDER, "%s: server error after %d attempt(s) (%s)", c->name,
                           rep->attempts, d);
    return yaa_err_set(err, YAA_EPROVIDER, "%s: request rejected (%s)", c->name, d);
}

int yaa_llm__post(yaa_llm_client *c, const char *path, const json_t *body, const char *model,
                  yaa_usage_kind kind, void *usage_ctx, int part, yaa_http_reply *rep,
                  yaa_err *err) {
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "%s: out of memory", c->name);
    char url[1024];
    snprintf(url, sizeof url, "%s%s", c->base_url, path);
    char auth[1024] = "";
    const char *h[4];
    size_t nh = 0;
    h[nh++] = "Content-Type: application/json";
    if (c->kind == LLM_ANTHROPIC) {
        snprintf(auth, sizeof auth, "x-api-key: %s", c->api_key);
        h[nh++] = auth;
        h[nh++] = "anthropic-version: " ANTHROPIC_VERSION;
    } else if (c->api_key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->api_key);
        h[nh++] = auth;
    }
    yaa_http_request rq = {.url = url,
                           .method = "POST",
                           .headers = h,
                           .nheaders = nh,
                           .body = text,
                           .body_len = strlen(text),
                           .connect_timeout_ms = c->connect_timeout_ms,
                           .timeout_ms = c->timeout_ms,
                           .max_reply = c->max_reply};
    retry_report rr = {c, model, kind, usage_ctx, part, rep, c->retry.on_retry, c->retry.retry_ud};
    yaa_http_retry pol = c->retry;
    pol.on_retry = on_retry;
    pol.retry_ud = &rr;
    int rc = yaa_net_http_send(&rq, &pol, rep, err);
    memset(auth, 0, sizeof auth);
    free(text);
    if (rc) return yaa_err_prefix(err, "%s: ", c->name);
    if (rep->status < 200 || rep->status > 299) return map_status(c, rep, model, kind, err);
    return 0;
}

static const char *SCHEMA_INSTRUCTION =
    "Reply with only one JSON value that matches this JSON Schema - no prose before or after "
    "it, no code fences:\n";

static const char *REPAIR_TEMPLATE =
    "Your previous reply could not be used: %s. Reply again with only the corrected JSON "
    "that matches the schema, nothing else.";

/* One round trip: sends msgs, parses the provider reply into t. */
static int chat_once(yaa_llm_client *c, const yaa_llm_request *req, const yaa_llm_message *msgs,
                     size_t n, const char *system, const json_t *schema, llm_turn *t,
                     yaa_llm_reply *rep, yaa_err *err) {
    json_t *body = c->kind == LLM_ANTHROPIC ? yaa_llm__anthropic_body(req, msgs, n, system)
                                            : yaa_llm__openai_body(c, req, msgs, n, system, schema);
    const char *path = c->kind == LLM_ANTHROPIC ? "/v1/messages" : "/chat/completions";
    if (c->kind == LLM_ANTHROPIC && yaa_str_endswith(c->base_url, "/v1")) path = "/messages";
    yaa_http_reply hr;
    yaa_net_http_reply_init(&hr);
    uint64_t t0 = yaa_mono_ns();
    int part = rep->round_trips; /* 1 for the repair round trip */
    int rc =
        yaa_llm__post(c, path, body, req->model, YAA_USAGE_CHAT, req->usage_ctx, part, &hr, err);
    double ms = (double)(yaa_mono_ns() - t0) / 1e6;
    json_decref(body);
    rep->attempts += hr.attempts;
    if (!rc) {
        char msg[300];
        rc = c->kind == LLM_ANTHROPIC
                 ? yaa_llm__anthropic_parse(hr.body.data, hr.body.len, t, msg, sizeof msg)
                 : yaa_llm__openai_parse(hr.body.data, hr.body.len, t, msg, sizeof msg);
        if (rc) yaa_err_set(err, rc, "%s: model %s: %s", c->name, req->model, msg);
    }
    yaa_llm__report(c, req->model, YAA_USAGE_CHAT, req->usage_ctx, rc ? NULL : t, 0, ms,
                    rc ? YAA_USAGE_ERROR : YAA_USAGE_OK, rc ? err->msg : NULL, part);
    if (!rc) {
        rep->prompt_tokens += t->prompt_tokens;
        rep->completion_tokens += t->completion_tokens;
        rep->cached_tokens += t->cached_tokens;
        rep->round_trips++;
    }
    yaa_net_http_reply_free(&hr);
    return rc;
}

static void take_turn(yaa_llm_reply *rep, llm_turn *t) {
    free(rep->text);
    free(rep->model);
    free(rep->stop_reason);
    rep->text = t->text;
    rep->model = t->model;
    rep->stop_reason = t->stop_reason;
    memset(t, 0, sizeof *t);
}

int yaa_llm_chat(yaa_llm_client *c, const yaa_llm_request *req, yaa_llm_reply *rep, yaa_err *err) {
    yaa_err local;
    if (!err) err = &local;
    memset(rep, 0, sizeof *rep);
    if (!c || !req || !req->model || !*req->model || (req->nmessages && !req->messages) ||
        req->nmessages == 0)
        return yaa_err_set(err, YAA_EINVAL, "llm: a request needs a model and messages");
    json_t *schema = NULL;
    if (req->json_schema) {
        json_error_t je;
        schema = json_loads(req->json_schema, 0, &je);
        if (!json_is_object(schema)) {
            json_decref(schema);
            return yaa_err_set(err, YAA_EINVAL, "llm: json_schema is not a JSON object: %s",
                               je.text);
        }
    }
    yaa_buf system;
    yaa_buf_init(&system, 0);
    if (req->system) yaa_buf_puts(&system, req->system);
    if (schema) {
        if (system.len) yaa_buf_puts(&system, "\n\n");
        yaa_buf_puts(&system, SCHEMA_INSTRUCTION);
        yaa_buf_puts(&system, req->json_schema);
    }
    size_t n = req->nmessages;
    yaa_llm_message *msgs = calloc(n + 2, sizeof *msgs);
    char *repair = NULL;
    int rc = 0;
    if (!msgs) {
        rc = yaa_err_set(err, YAA_ENOMEM, "llm: out of memory");
        goto done;
    }
    memcpy(msgs, req->messages, n * sizeof *msgs);
    uint64_t t0 = yaa_mono_ns();
    for (int round = 0; round < 2; round++) {
        llm_turn t = {0};
        rc = chat_once(c, req, msgs, n, yaa_buf_cstr(&system), schema, &t, rep, err);
        if (rc) {
            yaa_llm__turn_free(&t);
            break;
        }
        take_turn(rep, &t);
        if (!schema) break;
        char why[400];
        json_t *v = yaa_llm_extract_json(rep->text, why, sizeof why);
        if (v && yaa_llm_schema_validate(schema, v, why, sizeof why) == 0) {
            rep->json = v;
            break;
        }
        json_decref(v);
        if (rep->stop_reason && (strcmp(rep->stop_reason, "max_tokens") == 0 ||
                                 strcmp(rep->stop_reason, "length") == 0))
            strncat(why, " (the reply hit max_tokens; keep it shorter)",
                    sizeof why - strlen(why) - 1);
        if (round == 1) {
            rc = yaa_err_set(err, YAA_EPARSE,
                             "%s: model %s: reply still not valid JSON after one repair: %s",
                             c->name, req->model, why);
            break;
        }
        yaa_log_ev(YAA_LOG_WARN, "llm", "reply is not valid JSON; asking the model to repair it",
                   YAA_F_STR("provider", c->name), YAA_F_STR("model", req->model),
                   YAA_F_STR("error", why), YAA_F_END);
        size_t rl = strlen(REPAIR_TEMPLATE) + strlen(why) + 1;
        repair = malloc(rl);
        if (!repair) {
            rc = yaa_err_set(err, YAA_ENOMEM, "llm: out of memory");
            break;
        }
        snprintf(repair, rl, REPAIR_TEMPLATE, why);
        msgs[n].role = "assistant";
        msgs[n].content = rep->text;
        msgs[n + 1].role = "user";
        msgs[n + 1].content = repair;
        n += 2;
    }
    rep->latency_ms = (double)(yaa_mono_ns() - t0) / 1e6;
done:
    free(repair);
    free(msgs);
    yaa_buf_free(&system);
    json_decref(schema);
    if (rc) {
        yaa_llm_reply_free(rep);
        yaa_log_ev(YAA_LOG_WARN, "llm", "llm call failed", YAA_F_STR("provider", c->name),
                   YAA_F_STR("model", req->model), YAA_F_STR("error", err->msg), YAA_F_END);
    }
    return rc;
}

void yaa_llm_reply_free(yaa_llm_reply *r) {
    if (!r) return;
    free(r->text);
    free(r->model);
    free(r->stop_reason);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}
