/* api_internal.h - the API context shared by the server, middleware and route handlers. */
#ifndef YAA_API_INTERNAL_H
#define YAA_API_INTERNAL_H

#include "api/api.h"
#include "api/audit.h"
#include "api/ratelimit.h"
#include "api/router.h"

#include <stdatomic.h>
#include <stdbool.h>

struct MHD_Daemon;
typedef struct yaa_api_health yaa_api_health;

struct yaa_api {
    const yaa_config *cfg;
    struct yaa_db *db;
    struct yaa_queue *queue;
    char *host;
    long port;
    char *web_dir;
    char *web_missing; /* the dashboard folder that was looked for and not found, or NULL */
    int threads;
    yaa_ratelimit *rl;
    yaa_ratelimit *authfail; /* failed authentications per client address */
    yaa_audit *audit;
    struct MHD_Daemon *daemon;
    atomic_bool stopping;
    atomic_int sse_streams;
    struct yaa_sse_hub *sse_hub;       /* sse.c */
    struct yaa_conn_guard *guard;      /* server.c: connection caps and deadlines */
    struct yaa_readcache *keys_cache;  /* API keys by SHA-256 (auth.c) */
    struct yaa_readcache *pages_cache; /* run list pages (h_pipeline.c) */
    yaa_api_health *health;            /* the last /health check (h_service.c) */
};

/* Route handlers (one file per group). */
int yaa_api__h_health(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_metrics(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_openapi(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_docs(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_start(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_runs_list(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_events(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_cancel(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_retry(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_run_artifact(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_status(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_dashboard(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channels_list(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_create(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_update(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_delete(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_files(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_file_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_file_put(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_channel_revisions(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_keys_create(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_keys_list(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_keys_revoke(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_audit_list(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_usage(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_usage_summary(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_youtube_connect(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_youtube_callback(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_youtube_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_youtube_disconnect(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_batch_start(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_script_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_script_put(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_metadata(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_metadata_get(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_approve(yaa_http_req *req, yaa_http_resp *resp);
int yaa_api__h_review_reject(yaa_http_req *req, yaa_http_resp *resp);

/* The shared state of /health's checks (h_service.c). */
yaa_api_health *yaa_api__health_new(void);
void yaa_api__health_free(yaa_api_health *h);

/* The {run_id} path parameter, or NULL after answering 404 for a malformed id. */
const char *yaa_api__run_param(yaa_http_req *req, yaa_http_resp *resp);
/* A channel folder with a config.yaml exists for this id (a valid slug). */
bool yaa_api__channel_exists(const yaa_api *api, const char *id);
/* True after answering 403 for a reserved folder ('_template'): not a channel (h_channels.c). */
bool yaa_api__channel_reserved(const char *id, yaa_http_resp *resp);
/* YAA_EBUDGET when the channel's monthly budget is spent (answered 402). */
int yaa_api__budget_allows(const yaa_api *api, const char *channel_id, yaa_err *err);
/* A run's review and publish_at options from body into spec (publish_at normalised into the
 * buffer); answers 422 and returns non-zero when one is bad (h_review.c). */
struct yaa_db_runstore_spec;
int yaa_api__run_options(yaa_http_req *req, yaa_http_resp *resp, const json_t *body,
                         struct yaa_db_runstore_spec *spec, char publish_at[21]);

/* Static files of the dashboard (GET/HEAD of non-API paths); false if not served. */
bool yaa_api__static(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp);
/* Serves a regular file with Range support (206/416); content type from the name. */
int yaa_api__send_file(yaa_http_req *req, yaa_http_resp *resp, const char *path,
                       const char *cache_control);
const char *yaa_api__mime(const char *name);
/* A run's artifact (name relative to its folder) from the artifact store (artifact.c). */
int yaa_api__send_artifact(yaa_http_req *req, yaa_http_resp *resp, const char *run_id,
                           const char *name);

/* Authenticates the presented key: fills req->key_id / scopes. Returns 0, or 401 / 503. */
int yaa_api__auth(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp);

/* The database generation for this request's read caches (readcache.h), read on the first
 * call and remembered: for reads that come before any write of the request. False when
 * there is nothing to cache under (no database, PostgreSQL, an error). */
bool yaa_api__db_generation(yaa_http_req *req, uint64_t *gen);

/* 503 {"detail"} when the route needs the database and there is none. */
bool yaa_api__need_db(yaa_http_req *req, yaa_http_resp *resp);
/* Runs fn under the request's Idempotency-Key, if it has one (idempotency.c). */
int yaa_api__idempotent(yaa_http_req *req, yaa_http_resp *resp, yaa_route_fn fn);
/* Answers a yaa error as JSON with its mapped status. */
int yaa_api__fail(yaa_http_resp *resp, int code, const yaa_err *err);
/* The headers every answer of yaa's own carries (dispatch.c): nosniff, X-Frame-Options,
 * Referrer-Policy, X-Request-ID (req->request_id, made when NULL) and CORS for an allowed
 * Origin. Used by dispatch and by the answers given before it (the busy 503). */
void yaa_api__common_headers(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp);

#endif
