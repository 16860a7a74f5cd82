/* http.h - the API's request and response, independent of libmicrohttpd.
 *
 * server.c fills a yaa_http_req from MHD and sends the yaa_http_resp back; the router,
 * validators and handlers only see these two types, so the fuzz target and unit tests can
 * drive the whole request path without a socket. */
#ifndef YAA_API_HTTP_H
#define YAA_API_HTTP_H

#include "core/arena.h"
#include "core/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define YAA_HTTP_MAX_PARAMS 4
#define YAA_HTTP_MAX_HEADERS 16
#define YAA_HTTP_MAX_BODY (1024 * 1024) /* request bodies past this answer 413 */
/* Request heads (request line and header lines) past these answer 431 (docs/API.md). */
#define YAA_HTTP_MAX_HEAD_BYTES 8192
#define YAA_HTTP_MAX_HEAD_FIELDS 100 /* header fields, cookies and query parameters in all */

/* Scopes of an API key, as a bit set. */
enum { YAA_SCOPE_READ = 1, YAA_SCOPE_WRITE = 2, YAA_SCOPE_ADMIN = 4 };

struct yaa_api;
struct yaa_route;

/* Looks up a request header or query argument by name (case-insensitive for headers). */
typedef const char *(*yaa_http_lookup_fn)(void *ud, const char *name);

typedef struct yaa_http_req {
    yaa_arena *arena; /* freed when the response has been sent */
    struct yaa_api *api;
    const char *method;
    const char *path; /* URL-decoded, without the query string */
    yaa_http_lookup_fn header;
    yaa_http_lookup_fn query;
    void *lookup_ud;
    const char *body; /* NUL-terminated copy of the body (may be "") */
    size_t body_len;
    const char *client_ip;
    const char *request_id;
    /* Filled by the router. */
    const struct yaa_route *route;
    const char *params[YAA_HTTP_MAX_PARAMS];
    int nparams;
    json_t *json; /* the parsed body when the route takes one (owned: decref'd by dispatch) */
    /* Filled by auth. */
    char key_id[40]; /* "" without a key */
    int scopes;
    /* The database generation, read once per request (yaa_api__db_generation). */
    int db_gen_state; /* 0 not read yet, 1 read, -1 not available */
    uint64_t db_gen;
} yaa_http_req;

typedef struct yaa_http_header {
    const char *name;
    const char *value;
} yaa_http_header;

typedef struct yaa_http_resp {
    int status;
    const char *content_type; /* NULL = application/json */
    yaa_buf body;
    yaa_http_header headers[YAA_HTTP_MAX_HEADERS];
    int nheaders;
    /* A file body (artifacts, static files): sent from fd [file_off, file_off+file_len). */
    int file_fd; /* -1 = none; closed by the server */
    uint64_t file_off;
    uint64_t file_len;
    /* Server-sent events: the server streams from this run id (see sse.c). */
    const char *sse_run_id;
} yaa_http_resp;

void yaa_api_http_resp_init(yaa_http_resp *r);
void yaa_api_http_resp_free(yaa_http_resp *r);
/* Adds a header; name and value are copied into the request arena. */
void yaa_api_http_resp_header(yaa_http_resp *r, yaa_arena *a, const char *name, const char *value);
const char *yaa_api_http_resp_get_header(const yaa_http_resp *r, const char *name);

/* Sets status and a JSON body, taking ownership of (and freeing) j. */
int yaa_api_http_json(yaa_http_resp *r, int status, json_t *j);
/* {"detail": "<printf message>"} */
int yaa_api_http_error(yaa_http_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps a yaa error code to an HTTP status (ENOTFOUND 404, ECONFLICT/EEXIST 409, ...). */
int yaa_api_http_status_of(int code);

/* Route parameter by position, or NULL. */
const char *yaa_api_http_param(const yaa_http_req *req, int i);
const char *yaa_api_http_header_get(const yaa_http_req *req, const char *name);
const char *yaa_api_http_query_get(const yaa_http_req *req, const char *name);

#endif
