/* router.c - matches a method and path against the route table's templates. */
#include "api/router.h"

#include <string.h>

/* Compares one template against path segment by segment; fills params on a match. */
static bool match_template(const char *tpl, const char *path, size_t plen, yaa_arena *a,
                           const char **params, int *nparams) {
    const char *t = tpl;
    const char *p = path;
    const char *pend = path + plen;
    int np = 0;
    while (*t && p < pend) {
        if (*t != '/' || *p != '/') return false;
        t++;
        p++;
        const char *tseg_end = strchr(t, '/');
        if (!tseg_end) tseg_end = t + strlen(t);
        const char *pseg_end = memchr(p, '/', (size_t)(pend - p));
        if (!pseg_end) pseg_end = pend;
        size_t tl = (size_t)(tseg_end - t);
        size_t pl = (size_t)(pseg_end - p);
        if (tl >= 2 && t[0] == '{' && t[tl - 1] == '}') {
            if (pl == 0 || np >= YAA_HTTP_MAX_PARAMS) return false;
            if (params) params[np] = a ? yaa_arena_strndup(a, p, pl) : NULL;
            np++;
        } else if (tl != pl || memcmp(t, p, tl) != 0) {
            return false;
        }
        t = tseg_end;
        p = pseg_end;
    }
    if (*t || p != pend) return false;
    if (nparams) *nparams = np;
    return true;
}

int yaa_api_router_match(const char *method, const char *path, yaa_arena *a, const yaa_route **out,
                         const char **params, int *nparams, const char **allow) {
    size_t n;
    const yaa_route *routes = yaa_api_routes(&n);
    size_t plen = strlen(path);
    if (plen > 1 && path[plen - 1] == '/') plen--; /* trailing slash accepted */
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    char allowed[128] = "";
    bool path_found = false;
    for (size_t i = 0; i < n; i++) {
        int np = 0;
        if (!match_template(routes[i].path, path, plen, NULL, NULL, &np)) continue;
        path_found = true;
        if (strcmp(routes[i].method, m) == 0) {
            match_template(routes[i].path, path, plen, a, params, nparams);
            *out = &routes[i];
            return YAA_ROUTE_FOUND;
        }
        if (!strstr(allowed, routes[i].method) && strlen(allowed) + 16 < sizeof allowed) {
            if (*allowed) strcat(allowed, ", ");
            strcat(allowed, routes[i].method);
        }
    }
    *out = NULL;
    if (!path_found) return YAA_ROUTE_NO_PATH;
    if (allow && a) *allow = yaa_arena_strdup(a, allowed);
    return YAA_ROUTE_NO_METHOD;
}

bool yaa_api_router_is_api_path(const char *path) {
    static const char *const prefixes[] = {"/api/", "/health", "/metrics", "/openapi.json",
                                           "/docs"};
    if (strcmp(path, "/api") == 0) return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t l = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], l) == 0 &&
            (prefixes[i][l - 1] == '/' || path[l] == '\0' || path[l] == '/'))
            return true;
    }
    return false;
}
