/* h_service.c - service routes: /health (database + queue), /metrics (the metrics library's
 * exposition), /openapi.json (generated from the route table) and /docs. */
#include "api/api_internal.h"
#include "api/openapi_schemas.h"

#include "agents/stages.h"

#include "core/util.h"
#include "db/db.h"
#include "metrics/metrics.h"
#include "queue/queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

/* Free space where OUTPUT_DIR lives; -1 when it cannot be read. Also sets the gauge. */
static double disk_free_bytes(const yaa_api *api) {
    const char *dir = api->cfg && api->cfg->output_dir ? api->cfg->output_dir : "./output";
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0) return -1;
    double free_b = (double)sv.f_bavail * (double)sv.f_frsize;
    yaa_metrics_disk_free("output", free_b);
    return free_b;
}

/* Whether the caller presented a valid admin key (the public health answer has no details). */
static bool admin_caller(yaa_api *api, yaa_http_req *req) {
    if (api->cfg && api->cfg->disable_auth) return true;
    /* the bootstrap admin key works without the database (which may be what is down) */
    const char *k = yaa_api_http_header_get(req, api->cfg ? api->cfg->api_key_header : "X-API-Key");
    const char *boot = api->cfg ? api->cfg->admin_api_key : NULL;
    if (k && boot && *boot && strlen(k) == strlen(boot)) {
        char hk[65], hb[65];
        yaa_sha256_hex(k, strlen(k), hk);
        yaa_sha256_hex(boot, strlen(boot), hb);
        unsigned diff = 0;
        for (int i = 0; i < 64; i++) diff |= (unsigned)(hk[i] ^ hb[i]);
        if (diff == 0) return true;
    }
    yaa_http_resp scratch;
    yaa_api_http_resp_init(&scratch);
    char saved[sizeof req->key_id];
    memcpy(saved, req->key_id, sizeof saved);
    int scopes = req->scopes;
    bool admin = yaa_api__auth(api, req, &scratch) == 0 && (req->scopes & YAA_SCOPE_ADMIN);
    yaa_api_http_resp_free(&scratch);
    memcpy(req->key_id, saved, sizeof saved);
    req->scopes = scopes;
    return admin;
}

/* What /health reports about the service's dependencies ("" = fine). */
typedef struct health_result {
    char db[YAA_ERR_MSG_MAX];
    char queue[YAA_ERR_MSG_MAX];
    double free_b; /* -1 = unknown */
} health_result;

/* The last check, shared by the probes of the next HEALTH_CACHE_MS: a load balancer or monitor
 * probing many times a second must not cost a database round trip, a queue query and a
 * statvfs each time (they were a third of a probe's CPU). */
struct yaa_api_health {
    pthread_mutex_t mu;
    uint64_t checked_ns; /* 0 = never */
    bool refreshing;
    health_result last;
};

yaa_api_health *yaa_api__health_new(void) {
    yaa_api_health *h = calloc(1, sizeof *h);
    if (h) pthread_mutex_init(&h->mu, NULL);
    return h;
}

void yaa_api__health_free(yaa_api_health *h) {
    if (!h) return;
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static void health_check(yaa_api *api, health_result *r) {
    yaa_err err = {0};
    r->db[0] = r->queue[0] = '\0';
    if (!api->db)
        snprintf(r->db, sizeof r->db, "not configured");
    else if (yaa_db_ping(api->db, &err) != 0)
        snprintf(r->db, sizeof r->db, "%s", err.msg[0] ? err.msg : "unreachable");
    yaa_err_clear(&err);
    if (!api->queue)
        snprintf(r->queue, sizeof r->queue, "not configured");
    else if (yaa_queue_ping(api->queue, &err) != 0)
        snprintf(r->queue, sizeof r->queue, "%s", err.msg[0] ? err.msg : "unreachable");
    r->free_b = disk_free_bytes(api);
}

/* The shared check while it is younger than HEALTH_CACHE_MS (fresh: always a new one). One
 * request at a time renews it; the others answer from the previous check meanwhile, so a
 * database that hangs holds one request thread, not every probe's. */
static void health_get(yaa_api *api, bool fresh, health_result *out) {
    yaa_api_health *h = api->health;
    uint64_t ttl = (uint64_t)(api->cfg ? api->cfg->health_cache_ms : 1000) * 1000000ull;
    if (!h || ttl == 0) {
        health_check(api, out);
        return;
    }
    pthread_mutex_lock(&h->mu);
    bool have = h->checked_ns != 0;
    if (have && !fresh && (h->refreshing || yaa_mono_ns() - h->checked_ns < ttl)) {
        *out = h->last;
        pthread_mutex_unlock(&h->mu);
        return;
    }
    h->refreshing = true;
    pthread_mutex_unlock(&h->mu);
    health_check(api, out);
    pthread_mutex_lock(&h->mu);
    h->last = *out;
    h->checked_ns = yaa_mono_ns();
    h->refreshing = false;
    pthread_mutex_unlock(&h->mu);
}

/* Public: ok/degraded per part (never a host, port, user or error text); with an admin key
 * also what failed and the disk figures, from a new check. 503 when the database or the queue
 * is down; a disk low on space makes the answer "degraded" with 200 (runs may fail, the API
 * still works). */
int yaa_api__h_health(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    bool keyed = yaa_api_http_header_get(req, api->cfg ? api->cfg->api_key_header : "X-API-Key");
    bool admin = keyed ? admin_caller(api, req) : api->cfg && api->cfg->disable_auth;
    health_result r;
    health_get(api, keyed && admin, &r);
    long min_mb = api->cfg ? api->cfg->disk_min_free_mb : 1024;
    bool disk_ok = r.free_b < 0 || min_mb <= 0 || r.free_b >= (double)min_mb * 1048576.0;
    bool deps_ok = !*r.db && !*r.queue;
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "status",
                  deps_ok && disk_ok ? "ok" : "degraded", "version", YAA_VERSION, "database",
                  *r.db ? "degraded" : "ok", "queue", *r.queue ? "degraded" : "ok", "disk",
                  disk_ok ? "ok" : "degraded", "queue_backend", yaa_queue_name(api->queue));
    if ((!deps_ok || !disk_ok || keyed) && admin) {
        char detail[1200];
        snprintf(detail, sizeof detail, "%s%s%s%s%s", *r.db ? "database: " : "", r.db,
                 *r.db && *r.queue ? "; " : "", *r.queue ? "queue: " : "", r.queue);
        if (*detail) json_object_set_new(j, "detail", json_string(detail));
        if (r.free_b >= 0)
            json_object_set_new(j, "disk_free_mb", json_integer((json_int_t)(r.free_b / 1048576)));
        json_object_set_new(j, "disk_min_free_mb", json_integer(min_mb));
    }
    yaa_api_http_resp_header(resp, req->arena, "Cache-Control", "no-store");
    return yaa_api_http_json(resp, deps_ok ? 200 : 503, j);
}

int yaa_api__h_metrics(yaa_http_req *req, yaa_http_resp *resp) {
    disk_free_bytes(req->api);
    yaa_queue_stats qs;
    yaa_err err = {0};
    if (req->api->queue && yaa_queue_stats_get(req->api->queue, &qs, &err) == 0)
        yaa_metrics_queue_stats(YAA_QUEUE_PIPELINE, (double)qs.queued, (double)qs.delayed,
                                (double)qs.dead);
    yaa_buf_reset(&resp->body);
    if (yaa_metrics_render(&resp->body) != 0)
        return yaa_api_http_error(resp, 500, "metrics rendering failed");
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

/* ------------------------------------------------------------------ OpenAPI */

static json_t *field_schema(const yaa_field_spec *f) {
    json_t *s = json_object();
    switch (f->type) {
    case YAA_V_STR:
    case YAA_V_SLUG:
        json_object_set_new(s, "type", json_string("string"));
        if (f->min > 0) json_object_set_new(s, "minLength", json_integer(f->min));
        if (f->max > 0) json_object_set_new(s, "maxLength", json_integer(f->max));
        if (f->type == YAA_V_SLUG)
            json_object_set_new(s, "pattern", json_string("^[A-Za-z0-9_-]{1,100}$"));
        break;
    case YAA_V_BOOL: json_object_set_new(s, "type", json_string("boolean")); break;
    case YAA_V_INT:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
        break;
    case YAA_V_ENUM: {
        json_object_set_new(s, "type", json_string("string"));
        json_t *e = json_array();
        for (int i = 0; f->choices && f->choices[i]; i++)
            json_array_append_new(e, json_string(f->choices[i]));
        json_object_set_new(s, "enum", e);
        break;
    }
    case YAA_V_ENUM_ARR: {
        json_t *e = json_array();
        for (int i = 0; f->choices && f->choices[i]; i++)
            json_array_append_new(e, json_string(f->choices[i]));
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "minItems", json_integer(f->min));
        json_object_set_new(s, "items", json_pack("{s:s, s:o}", "type", "string", "enum", e));
        break;
    }
    case YAA_V_TIME:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case YAA_V_OBJ_ARR:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "minItems", json_integer(f->min));
        if (f->max > 0) json_object_set_new(s, "maxItems", json_integer(f->max));
        json_object_set_new(s, "items", json_pack("{s:s}", "type", "object"));
        break;
    case YAA_V_UUID:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("uuid"));
        break;
    case YAA_V_STR_ARR:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "items",
                            json_pack("{s:s, s:i, s:i}", "type", "string", "minLength", (int)f->min,
                                      "maxLength", (int)f->max));
        break;
    }
    if (f->desc) json_object_set_new(s, "description", json_string(f->desc));
    return s;
}

static json_t *err_resp(const char *desc) {
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", desc, "content", "application/json",
                     "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const yaa_route *r) {
    json_t *op = json_object();
    json_object_set_new(op, "summary", json_string(r->summary));
    json_object_set_new(op, "tags", json_pack("[s]", r->tag));
    char opid[160];
    snprintf(opid, sizeof opid, "%s %s", r->method, r->path);
    json_object_set_new(op, "operationId", json_string(opid));
    json_t *params = json_array();
    for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) break;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
                                                "path", "required", 1, "schema", "type", "string"));
    }
    for (const yaa_field_spec *f = r->query; f && f->name; f++)
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:b, s:o}", "name", f->name, "in", "query",
                                        "required", f->required, "schema", field_schema(f)));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (r->body) {
        json_t *props = json_object(), *req = json_array();
        for (const yaa_field_spec *f = r->body; f->name; f++) {
            json_object_set_new(props, f->name, field_schema(f));
            if (f->required) json_array_append_new(req, json_string(f->name));
        }
        json_t *schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
        if (json_array_size(req))
            json_object_set_new(schema, "required", req);
        else
            json_decref(req);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                      "application/json", "schema", schema));
    }
    json_t *resps = json_object();
    char code[8];
    snprintf(code, sizeof code, "%d", r->ok_status);
    const char *rs = yaa_api_openapi_response_schema(r->method, r->path);
    if (rs) {
        char ref[128];
        snprintf(ref, sizeof ref, "#/components/schemas/%s", rs);
        json_object_set_new(resps, code,
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Success", "content",
                                      "application/json", "schema", "$ref", ref));
    } else {
        json_object_set_new(resps, code,
                            json_pack("{s:s, s:{s:{}}}", "description", "Success", "content",
                                      r->content_type ? r->content_type : "application/json"));
    }
    if (r->scope) {
        json_object_set_new(resps, "401", err_resp("Missing, unknown, expired or revoked key"));
        json_object_set_new(resps, "403", err_resp("Key lacks the scope"));
        json_object_set_new(resps, "429", err_resp("Rate limit exceeded (see Retry-After)"));
        const char *scope = r->scope == YAA_SCOPE_ADMIN   ? "admin"
                            : r->scope == YAA_SCOPE_WRITE ? "write"
                                                          : "read";
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "ApiKey"));
        json_object_set_new(op, "x-scope", json_string(scope));
    } else {
        json_object_set_new(op, "security", json_array());
    }
    if (strchr(r->path, '{')) json_object_set_new(resps, "404", err_resp("Not found"));
    if (strcmp(r->method, "POST") == 0 && strcmp(r->path, "/api/v1/pipeline/run") == 0) {
        json_object_set_new(resps, "404", err_resp("Unknown channel"));
        json_object_set_new(resps, "402", err_resp("The channel's monthly budget is spent"));
    }
    if (r->body || r->query)
        json_object_set_new(resps, "422",
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                                      "Validation error, one entry per bad field", "content",
                                      "application/json", "schema", "$ref",
                                      "#/components/schemas/ValidationError"));
    json_object_set_new(op, "responses", resps);
    return op;
}

/* StageName: the stage registry's names in pipeline order, as an enum; Stage.stage refers to
 * it, and the dashboard reads its stage list from here. */
static void add_stage_names(json_t *schemas) {
    if (!schemas) return;
    json_t *names = json_array();
    for (int i = 0; i < YAA_STAGE_COUNT; i++)
        json_array_append_new(names, json_string(yaa_agents_stage_names[i]));
    json_object_set_new(schemas, "StageName",
                        json_pack("{s:s, s:o, s:s}", "type", "string", "enum", names, "description",
                                  "the pipeline's stages, in the order they run"));
    json_t *props = json_object_get(json_object_get(schemas, "Stage"), "properties");
    if (props)
        json_object_set_new(props, "stage",
                            json_pack("{s:s}", "$ref", "#/components/schemas/StageName"));
}

/* Builds the document (exposed for the tests through /openapi.json). */
static json_t *openapi_doc(const yaa_api *api) {
    size_t n;
    const yaa_route *routes = yaa_api_routes(&n);
    json_t *paths = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_object_get(paths, routes[i].path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, routes[i].path, item);
        }
        char m[16];
        size_t k = 0;
        for (; k < sizeof m - 1 && routes[i].method[k]; k++)
            m[k] = (char)(routes[i].method[k] | 0x20);
        m[k] = '\0';
        json_object_set_new(item, m, operation(&routes[i]));
    }
    const char *hdr = api->cfg ? api->cfg->api_key_header : "X-API-Key";
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s, s:s}}, s:{s:{s:s, s:[s], "
        "s:{s:{}}}, s:{s:s, s:[s], s:{s:{s:s, s:{s:s, s:[s, s, s], s:{s:{s:s}, s:{s:s}, "
        "s:{s:s}}}}}}}}}",
        "openapi", "3.1.0", "info", "title", "yaa API", "version", YAA_VERSION, "description",
        "YouTube content agency in a box: runs, channels, keys, audit, usage.", "paths", paths,
        "components", "securitySchemes", "ApiKey", "type", "apiKey", "in", "header", "name", hdr,
        "schemas", "Error", "type", "object", "required", "detail", "properties", "detail",
        "ValidationError", "type", "object", "required", "detail", "properties", "detail", "type",
        "array", "items", "type", "object", "required", "loc", "msg", "type", "properties", "loc",
        "type", "array", "msg", "type", "string", "type", "type", "string");
    json_t *more = yaa_api_openapi_schemas();
    json_t *comp = json_object_get(json_object_get(doc, "components"), "schemas");
    if (more && comp) json_object_update(comp, more);
    json_decref(more);
    add_stage_names(comp);
    return doc;
}

int yaa_api__h_openapi(yaa_http_req *req, yaa_http_resp *resp) {
    return yaa_api_http_json(resp, 200, openapi_doc(req->api));
}

static const char docs_html[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>yaa API</title>"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 "
    "1em;color:#222}h1{font-size:1.6em}.op{border:1px solid #ddd;border-radius:6px;margin:.6em "
    "0;padding:.5em .8em}.m{display:inline-block;min-width:4.5em;font-weight:700;font-family:"
    "monospace}.GET{color:#1565c0}.POST{color:#2e7d32}.PATCH{color:#ef6c00}.DELETE{color:"
    "#c62828}code{background:#f4f4f4;padding:0 .3em}.scope{float:right;color:#666;font-size:"
    ".9em}details{margin-top:.3em}pre{background:#f7f7f7;padding:.5em;overflow:auto}</style>"
    "</head><body><h1>yaa API</h1><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json"
    "</a> (OpenAPI 3.1). Send your key in the <code id=\"hdr\">X-API-Key</code> header.</p>"
    "<div id=\"ops\">Loading&hellip;</div><script>"
    "fetch('/openapi.json').then(r=>r.json()).then(d=>{"
    "document.getElementById('hdr').textContent=d.components.securitySchemes.ApiKey.name;"
    "const o=document.getElementById('ops');o.textContent='';"
    "for(const [p,item] of Object.entries(d.paths)){for(const [m,op] of Object.entries(item)){"
    "const e=document.createElement('div');e.className='op';"
    "const M=m.toUpperCase();const h=document.createElement('div');"
    "const s=document.createElement('span');s.className='m '+M;s.textContent=M;h.append(s);"
    "const c=document.createElement('code');c.textContent=p;h.append(c,' '+op.summary);"
    "const sc=document.createElement('span');sc.className='scope';"
    "sc.textContent=op['x-scope']?'scope: '+op['x-scope']:'public';h.prepend(sc);e.append(h);"
    "const dt=document.createElement('details');const su=document.createElement('summary');"
    "su.textContent='parameters and responses';const pre=document.createElement('pre');"
    "pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,"
    "responses:op.responses},null,2);dt.append(su,pre);e.append(dt);o.append(e);}}});"
    "</script></body></html>";

int yaa_api__h_docs(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    yaa_buf_reset(&resp->body);
    yaa_buf_puts(&resp->body, docs_html);
    resp->status = 200;
    resp->content_type = "text/html; charset=utf-8";
    return 0;
}
