/* router.h - the route table: method + path template + scope + validators + handler.
 *
 * The same table drives dispatch, the 405 Allow header and the OpenAPI document, so they
 * cannot drift apart. Templates use {name} segments; a trailing slash is accepted. */
#ifndef YAA_API_ROUTER_H
#define YAA_API_ROUTER_H

#include "api/http.h"
#include "api/validate.h"

#include <stddef.h>

typedef int (*yaa_route_fn)(yaa_http_req *req, yaa_http_resp *resp);

typedef struct yaa_route {
    const char *method;
    const char *path; /* template, e.g. "/api/v1/pipeline/runs/{run_id}" */
    int scope;        /* required YAA_SCOPE_*, 0 = no key needed */
    yaa_route_fn fn;
    const yaa_field_spec *body;  /* JSON body fields, NULL = no body */
    const yaa_field_spec *query; /* query arguments, NULL = none */
    int ok_status;               /* documented success status */
    const char *summary;         /* OpenAPI summary */
    const char *tag;             /* OpenAPI tag */
    const char *content_type;    /* documented response type, NULL = application/json */
} yaa_route;

/* The table (routes.c) and its length. */
const yaa_route *yaa_api_routes(size_t *n);

enum { YAA_ROUTE_FOUND = 0, YAA_ROUTE_NO_PATH = 404, YAA_ROUTE_NO_METHOD = 405 };

/* Finds the route for method + path. Fills params (pointers into the arena) and, on 405,
 * allow with "GET, POST" (arena). HEAD matches GET routes. */
int yaa_api_router_match(const char *method, const char *path, yaa_arena *a, const yaa_route **out,
                         const char **params, int *nparams, const char **allow);

/* True if path (no query) is an API or service path (not a static file of the dashboard). */
bool yaa_api_router_is_api_path(const char *path);

#endif
