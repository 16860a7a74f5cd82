/* dispatch.c - the middleware chain of every request, in order: request id, CORS (and
 * preflights), static files, routing (404/405), rate limit (429), auth (401/403), validation
 * (422), the handler; then the common headers; after sending: audit row, access log. */
#include "api/api_internal.h"

#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "metrics/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

int yaa_api__fail(yaa_http_resp *resp, int code, const yaa_err *err) {
    int status = yaa_api_http_status_of(code);
    const char *msg = err && err->msg[0] ? err->msg : yaa_strerror(code);
    if (status >= 500) {
        yaa_log_ev(YAA_LOG_ERROR, "api", "request failed", YAA_F_STR("error", msg), YAA_F_END);
        if (code == YAA_EDB) msg = "database error";
    }
    return yaa_api_http_error(resp, status, "%s", msg);
}

bool yaa_api__db_generation(yaa_http_req *req, uint64_t *gen) {
    if (!req->db_gen_state)
        req->db_gen_state = req->api->db && yaa_db_generation(req->api->db, &req->db_gen) ? 1 : -1;
    *gen = req->db_gen;
    return req->db_gen_state > 0;
}

bool yaa_api__need_db(yaa_http_req *req, yaa_http_resp *resp) {
    if (req->api->db) return true;
    yaa_api_http_error(resp, 503, "database not configured");
    return false;
}

/* A new UUIDv4 request id. The random bytes come from a per-thread pool refilled 256 ids at
 * a time: one getrandom call per request was a visible part of a cheap request's cost. */
static void new_request_id(char out[YAA_UUID_LEN + 1]) {
    static _Thread_local unsigned char pool[16 * 256];
    static _Thread_local size_t used = sizeof pool;
    if (used == sizeof pool) {
        if (yaa_random_bytes(pool, sizeof pool) != 0) {
            yaa_uuid4(out);
            return;
        }
        used = 0;
    }
    unsigned char *b = pool + used;
    used += 16;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

/* An incoming X-Request-ID is echoed when it is short and printable; otherwise a new id. */
static const char *request_id(yaa_http_req *req) {
    const char *in = yaa_api_http_header_get(req, "X-Request-ID");
    if (in) {
        size_t n = strlen(in);
        bool ok = n > 0 && n <= 128;
        for (size_t i = 0; ok && i < n; i++)
            ok = in[i] > 32 && in[i] < 127 && in[i] != '"' && in[i] != '\\';
        if (ok) return yaa_arena_strdup(req->arena, in);
    }
    char id[YAA_UUID_LEN + 1];
    new_request_id(id);
    return yaa_arena_strdup(req->arena, id);
}

/* The allowed origin matching the request's Origin, or NULL. "*" allows any. */
static const char *cors_origin(const yaa_api *api, const char *origin) {
    const char *list = api->cfg ? api->cfg->cors_origins : NULL;
    if (!origin || !list || !*list) return NULL;
    size_t ol = strlen(origin);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && t[-1] == ' ') t--;
        size_t l = (size_t)(t - p);
        if (l == 1 && *p == '*') return "*";
        if (l == ol && strncasecmp(p, origin, l) == 0) return origin;
        p = e;
    }
    return NULL;
}

static void add_cors(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    const char *origin = yaa_api_http_header_get(req, "Origin");
    const char *allow = cors_origin(api, origin);
    if (!allow) return;
    yaa_api_http_resp_header(resp, req->arena, "Access-Control-Allow-Origin", allow);
    yaa_api_http_resp_header(resp, req->arena, "Vary", "Origin");
    yaa_api_http_resp_header(resp, req->arena, "Access-Control-Expose-Headers",
                             "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After");
}

static bool preflight(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    if (strcmp(req->method, "OPTIONS") != 0) return false;
    const char *origin = yaa_api_http_header_get(req, "Origin");
    if (!origin || !yaa_api_http_header_get(req, "Access-Control-Request-Method")) return false;
    if (!cors_origin(api, origin)) {
        yaa_api_http_error(resp, 400, "Disallowed CORS origin");
        return true;
    }
    resp->status = 204;
    resp->content_type = "text/plain";
    /* Allow what the browser asks for (a header list is harmless: auth still needs a key), so a
     * dashboard sending its own headers works unconfigured; a malformed list is not echoed. */
    const char *asked = yaa_api_http_header_get(req, "Access-Control-Request-Headers");
    bool token_list = asked && *asked && strlen(asked) < 512;
    for (const char *c = asked; token_list && *c; c++)
        token_list = isalnum((unsigned char)*c) || strchr("-_, ", *c);
    char hdrs[768];
    snprintf(hdrs, sizeof hdrs, "Content-Type, X-Request-ID, %s%s%s",
             api->cfg ? api->cfg->api_key_header : "X-API-Key", token_list ? ", " : "",
             token_list ? asked : "");
    yaa_api_http_resp_header(resp, req->arena, "Access-Control-Allow-Methods",
                             "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    yaa_api_http_resp_header(resp, req->arena, "Access-Control-Allow-Headers", hdrs);
    yaa_api_http_resp_header(resp, req->arena, "Access-Control-Max-Age", "600");
    return true;
}

/* The bucket: the authenticated key's, else the client address's (a presented but unchecked
 * key never gets a bucket of its own, so random keys share their address's budget). */
static void ratelimit_key(const yaa_http_req *req, char *out, size_t n) {
    if (req->key_id[0])
        snprintf(out, n, "key:%s", req->key_id);
    else
        snprintf(out, n, "ip:%s", req->client_ip ? req->client_ip : "?");
}

static void add_limit_headers(yaa_http_req *req, yaa_http_resp *resp, const yaa_rl_result *rl) {
    char v[32];
    snprintf(v, sizeof v, "%ld", rl->limit);
    yaa_api_http_resp_header(resp, req->arena, "X-RateLimit-Limit", v);
    snprintf(v, sizeof v, "%ld", rl->remaining < 0 ? 0 : rl->remaining);
    yaa_api_http_resp_header(resp, req->arena, "X-RateLimit-Remaining", v);
}

static void too_many(yaa_http_req *req, yaa_http_resp *resp, long retry_after, const char *what,
                     long limit) {
    char v[32];
    snprintf(v, sizeof v, "%ld", retry_after);
    yaa_api_http_resp_header(resp, req->arena, "Retry-After", v);
    yaa_api_http_error(resp, 429, "%s: %ld per 1 minute; retry in %ld s", what, limit, retry_after);
}

/* Failed authentications are limited per client address, whatever key is presented (random
 * keys must not each get a fresh budget): past AUTH_FAILURES_PER_MINUTE a failure is answered
 * 429 instead of 401 (a good key from the same address still works). Returns false after
 * answering 429. */
static bool authfail_allows(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    char k[80];
    snprintf(k, sizeof k, "authfail:%s", req->client_ip ? req->client_ip : "?");
    yaa_rl_result r = {.allowed = true};
    yaa_api_ratelimit_take(api->authfail, k, false, &r);
    if (r.limit <= 0 || r.remaining >= 1) return true;
    long per_sec_x = r.limit > 0 ? (60 + r.limit - 1) / r.limit : 1;
    too_many(req, resp, per_sec_x < 1 ? 1 : per_sec_x,
             "Too many failed authentications from this address", r.limit);
    return false;
}

static void authfail_note(yaa_api *api, const yaa_http_req *req) {
    char k[80];
    snprintf(k, sizeof k, "authfail:%s", req->client_ip ? req->client_ip : "?");
    yaa_rl_result r;
    yaa_api_ratelimit_take(api->authfail, k, true, &r);
}

static void route(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp, yaa_rl_result *rl) {
    const char *allow = NULL;
    int m = yaa_api_router_match(req->method, req->path, req->arena, &req->route, req->params,
                                 &req->nparams, &allow);
    bool scoped = m == YAA_ROUTE_FOUND && req->route->scope != 0;
    if (scoped) {
        /* the request budget is the key's only once the key is known good */
        int arc = yaa_api__auth(api, req, resp);
        if (arc == 401 && authfail_allows(api, req, resp)) authfail_note(api, req);
        if (arc != 0) return;
    }
    char rlkey[80];
    ratelimit_key(req, rlkey, sizeof rlkey);
    /* Public service routes are not limited (health checks, scrapes), only reported. */
    bool limited = m != YAA_ROUTE_FOUND || req->route->scope != 0;
    yaa_api_ratelimit_take(api->rl, rlkey, limited, rl);
    if (!rl->allowed) {
        too_many(req, resp, rl->retry_after, "Rate limit exceeded", rl->limit);
        return;
    }
    if (m == YAA_ROUTE_NO_PATH) {
        yaa_api_http_error(resp, 404, "Not Found");
        return;
    }
    if (m == YAA_ROUTE_NO_METHOD) {
        yaa_api_http_resp_header(resp, req->arena, "Allow", allow ? allow : "");
        yaa_api_http_error(resp, 405, "Method Not Allowed");
        return;
    }
    const yaa_route *rt = req->route;
    if (rt->scope) {
        if ((req->scopes & rt->scope) == 0) {
            yaa_api_http_error(resp, 403, "API key lacks the '%s' scope",
                               rt->scope == YAA_SCOPE_ADMIN   ? "admin"
                               : rt->scope == YAA_SCOPE_WRITE ? "write"
                                                              : "read");
            return;
        }
    }
    json_t *errors = json_array();
    if (rt->query) yaa_api_validate_query(rt->query, req->query, req->lookup_ud, errors);
    if (rt->body) {
        /* An absent body means "no fields" for routes whose fields are all optional. */
        bool any_required = false;
        for (const yaa_field_spec *f = rt->body; f->name; f++) any_required |= f->required;
        if (req->body_len == 0 && !any_required)
            req->json = json_object();
        else
            yaa_api_validate_body(rt->body, req->body, req->body_len, &req->json, errors);
    }
    if (json_array_size(errors) > 0) {
        yaa_api_http_json(resp, 422, json_pack("{s:o}", "detail", errors));
        return;
    }
    json_decref(errors);
    int rc = rt->fn(req, resp);
    if (rc != 0 && resp->status < 400) yaa_api_http_error(resp, 500, "internal error");
}

void yaa_api_dispatch(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    req->request_id = request_id(req);
    yaa_log_ctx ctx = {.request_id = req->request_id};
    yaa_log_ctx_set(&ctx);
    yaa_rl_result rl = {.allowed = true};
    /* set by the server for an oversized body (413) or head (431), or a NUL / non-UTF-8
     * path (400) */
    bool preset = resp->status == 413 || resp->status == 431 || resp->status == 400;
    if (preset) {
        yaa_api_ratelimit_take(api->rl,
                               resp->status == 413   ? "ip:413"
                               : resp->status == 431 ? "ip:431"
                                                     : "ip:400",
                               false, &rl);
    } else if (preflight(api, req, resp)) {
        yaa_api_ratelimit_take(api->rl, "ip:preflight", false, &rl);
    } else if ((strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
               !yaa_api_router_is_api_path(req->path) && yaa_api__static(api, req, resp)) {
        yaa_api_ratelimit_take(api->rl, "ip:static", false, &rl);
        /* the dashboard loads only its own files and talks only to this server */
        yaa_api_http_resp_header(resp, req->arena, "Content-Security-Policy",
                                 "default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                                 "'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
                                 "base-uri 'self'; form-action 'self'");
    } else {
        route(api, req, resp, &rl);
    }
    add_limit_headers(req, resp, &rl);
    yaa_api__common_headers(api, req, resp);
    yaa_log_ctx_set(NULL);
}

void yaa_api__common_headers(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    if (!req->request_id) req->request_id = request_id(req);
    yaa_api_http_resp_header(resp, req->arena, "X-Content-Type-Options", "nosniff");
    yaa_api_http_resp_header(resp, req->arena, "X-Frame-Options", "DENY");
    yaa_api_http_resp_header(resp, req->arena, "Referrer-Policy", "no-referrer");
    yaa_api_http_resp_header(resp, req->arena, "X-Request-ID", req->request_id);
    add_cors(api, req, resp);
}

/* Paths kept out of the audit log: everything outside /api/ (dashboard files, /metrics
 * scrapes, /docs) and the health probe, which monitors call every few seconds. */
static bool audited(const yaa_http_req *req) {
    if (!req->path || !yaa_str_startswith(req->path, "/api/")) return false;
    const char *p = req->path;
    return !(strcmp(p, "/api/v1/health") == 0 || strcmp(p, "/api/v1/health/") == 0);
}

/* s (NULL: "") into a zeroed field of n bytes, cut to fit like snprintf would. */
static void copy_field(char *dst, size_t n, const char *s) {
    size_t l = s ? strnlen(s, n - 1) : 0;
    memcpy(dst, s ? s : "", l);
}

void yaa_api_finish(yaa_api *api, const yaa_http_req *req, const yaa_http_resp *resp,
                    double duration_ms) {
    if (!req->method) return;
    const char *tpl = req->route ? req->route->path
                      : req->path && !yaa_api_router_is_api_path(req->path) && resp->status < 400
                          ? "static"
                          : "unmatched";
    yaa_log_ctx ctx = {.request_id = req->request_id};
    yaa_log_ctx_set(&ctx);
    yaa_log_ev(resp->status >= 500 ? YAA_LOG_WARN : YAA_LOG_INFO, "api.access", "request",
               YAA_F_STR("method", req->method), YAA_F_STR("path", tpl),
               YAA_F_INT("status", resp->status), YAA_F_NUM("duration_ms", duration_ms), YAA_F_END);
    yaa_log_ctx_set(NULL);
    /* Bounded label values: known methods only, the route template, never the raw path. */
    static const char *const methods[] = {"GET", "HEAD",   "POST",   "PATCH",
                                          "PUT", "DELETE", "OPTIONS"};
    const char *m = "OTHER";
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(req->method, methods[i]) == 0) m = methods[i];
    yaa_metrics_http_observe(m, tpl, resp->status, duration_ms / 1000.0);
    if (!api->audit || !audited(req)) return;
    yaa_audit_entry e;
    memset(&e, 0, sizeof e);
    yaa_db_now(e.timestamp);
    copy_field(e.method, sizeof e.method, req->method);
    copy_field(e.path, sizeof e.path, req->path);
    e.status_code = resp->status;
    copy_field(e.api_key_id, sizeof e.api_key_id, req->key_id);
    copy_field(e.ip_address, sizeof e.ip_address, req->client_ip);
    const char *ua = yaa_api_http_header_get(req, "User-Agent");
    size_t ul = ua ? yaa_utf8_prefix(ua, sizeof e.user_agent - 1) : 0;
    if (ua && yaa_utf8_valid(ua, strlen(ua))) memcpy(e.user_agent, ua, ul);
    e.duration_ms = duration_ms;
    copy_field(e.request_id, sizeof e.request_id, req->request_id);
    /* refusals are counted per address and minute, not written one row each */
    if (resp->status == 401 || resp->status == 429)
        yaa_api_audit_count(api->audit, &e);
    else
        yaa_api_audit_push(api->audit, &e);
}
