/* api.h - the HTTP API server of `yaa serve`: libmicrohttpd (thread pool + epoll), the route
 * table of docs/CONTRACT.md, auth with scoped keys, rate limits, CORS, request ids, audit rows
 * written off the request path, static files of the dashboard, SSE run events. */
#ifndef YAA_API_H
#define YAA_API_H

#include "api/http.h"
#include "core/config.h"
#include "core/err.h"

struct yaa_db;
struct yaa_queue;

typedef struct yaa_api yaa_api;

typedef struct yaa_api_opts {
    const yaa_config *cfg;
    struct yaa_db *db;       /* may be NULL (fuzzing, unit tests): data routes answer 503 */
    struct yaa_queue *queue; /* may be NULL */
    const char *host;        /* NULL = cfg->api_host */
    long port;               /* 0 = cfg->api_port; -1 = any free port */
    const char *web_dir;     /* NULL = cfg's YAA_WEB_DIR, else ./web/dist */
    int threads;             /* 0 = API_THREADS (default four per core, 4..32) */
} yaa_api_opts;

/* Brings the `channels` table in step with the channel directories (start-up). */
int yaa_api_channels_sync(yaa_api *api, yaa_err *err);

/* Ensures the ADMIN_API_KEY key exists (bootstrap). */
int yaa_api_auth_bootstrap(yaa_api *api, yaa_err *err);

/* Usage rows selected by any of these (NULL / 0 = no condition). */
typedef struct yaa_usage_filter {
    const char *run_id, *channel_id, *agent, *provider, *model, *from, *to;
    long limit, offset;
} yaa_usage_filter;
/* The body of GET /usage/summary, {"totals":{...},"group_by","groups":[{"key",...}]}, which
 * `yaa usage` prints too. group_by: day (NULL), run, agent, provider, model, channel. */
int yaa_api_usage_summary(struct yaa_db *db, const yaa_usage_filter *f, const char *group_by,
                          json_t **out, yaa_err *err);

/* Creates the API context without a socket (for the fuzz target and unit tests). */
int yaa_api_new(const yaa_api_opts *opts, yaa_api **out, yaa_err *err);
/* Binds and starts serving; the port actually bound is yaa_api_port(). */
int yaa_api_listen(yaa_api *api, yaa_err *err);
long yaa_api_port(const yaa_api *api);
/* Stops accepting, finishes requests in flight, flushes the audit rows; then frees. */
void yaa_api_free(yaa_api *api);

/* The whole request path minus the socket: request id, CORS, static files, routing (404/405),
 * rate limit (429), auth (401/403), validation (422), the handler, response headers, audit.
 * req->arena, method, path, lookups, body, client_ip must be set. */
void yaa_api_dispatch(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp);

/* Called once the response has been sent (status, duration): audit row, metrics, access log. */
void yaa_api_finish(yaa_api *api, const yaa_http_req *req, const yaa_http_resp *resp,
                    double duration_ms);

#endif
