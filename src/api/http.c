/* http.c - response helpers: JSON bodies, {"detail"} errors, headers, status mapping. */
#include "api/http.h"

#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void yaa_api_http_resp_init(yaa_http_resp *r) {
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->file_fd = -1;
    yaa_buf_init(&r->body, 0);
}

void yaa_api_http_resp_free(yaa_http_resp *r) {
    yaa_buf_free(&r->body);
    if (r->file_fd >= 0) close(r->file_fd);
    r->file_fd = -1;
}

void yaa_api_http_resp_header(yaa_http_resp *r, yaa_arena *a, const char *name, const char *value) {
    for (int i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0) {
            r->headers[i].value = yaa_arena_strdup(a, value);
            return;
        }
    }
    if (r->nheaders >= YAA_HTTP_MAX_HEADERS) return;
    r->headers[r->nheaders].name = yaa_arena_strdup(a, name);
    r->headers[r->nheaders].value = yaa_arena_strdup(a, value);
    r->nheaders++;
}

const char *yaa_api_http_resp_get_header(const yaa_http_resp *r, const char *name) {
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

int yaa_api_http_json(yaa_http_resp *r, int status, json_t *j) {
    r->status = status;
    r->content_type = "application/json";
    yaa_buf_reset(&r->body);
    /* every answer has a JSON body, even when building the intended one failed */
    if (!j) return yaa_buf_printf(&r->body, "{\"detail\":\"HTTP %d\"}", status), YAA_ENOMEM;
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
    json_decref(j);
    if (!s) return yaa_buf_printf(&r->body, "{\"detail\":\"HTTP %d\"}", status), YAA_ENOMEM;
    int rc = yaa_buf_puts(&r->body, s);
    free(s);
    return rc;
}

int yaa_api_http_error(yaa_http_resp *r, int status, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *detail = json_string(msg);
    if (!detail) { /* a client's bytes that are not UTF-8 (e.g. /channels/%ff): shown as '?' */
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c >= 0x80) *c = '?';
        detail = json_string(msg);
    }
    return yaa_api_http_json(r, status, json_pack("{s:o}", "detail", detail));
}

int yaa_api_http_status_of(int code) {
    switch (code) {
    case YAA_OK: return 200;
    case YAA_EINVAL:
    case YAA_EPARSE: return 400;
    case YAA_EAUTH: return 401;
    case YAA_EBUDGET: return 402;
    case YAA_ENOTFOUND: return 404;
    case YAA_EEXIST:
    case YAA_ECONFLICT: return 409;
    case YAA_ELIMIT: return 413;
    case YAA_EUNAVAILABLE:
    case YAA_ETIMEOUT: return 503;
    default: return 500;
    }
}

const char *yaa_api_http_param(const yaa_http_req *req, int i) {
    return i >= 0 && i < req->nparams ? req->params[i] : NULL;
}

const char *yaa_api_http_header_get(const yaa_http_req *req, const char *name) {
    return req->header ? req->header(req->lookup_ud, name) : NULL;
}

const char *yaa_api_http_query_get(const yaa_http_req *req, const char *name) {
    return req->query ? req->query(req->lookup_ud, name) : NULL;
}
