/* fuzz_api_request.c - libFuzzer target for the request path: method, path (+ query),
 * headers and JSON body through yaa_api_dispatch (CORS, routing, rate limit, auth,
 * validators, handlers without a database, response headers).
 *
 * Input: "METHOD PATH?QUERY\nName: value\n...\n\nBODY"; the first byte's low bit toggles
 * DISABLE_AUTH so the validators behind auth are reached too. */
#include "api/api.h"
#include "core/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXKV 32

typedef struct kv {
    char *k, *v;
} kv;

typedef struct lookups {
    kv headers[MAXKV];
    int nh;
    kv query[MAXKV];
    int nq;
} lookups;

static const char *find(const kv *a, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcasecmp(a[i].k, name) == 0) return a[i].v;
    return NULL;
}

static const char *hdr(void *ud, const char *name) {
    lookups *l = ud;
    return find(l->headers, l->nh, name);
}

static const char *qry(void *ud, const char *name) {
    lookups *l = ud;
    return find(l->query, l->nq, name);
}

static yaa_config cfg;
static yaa_api *api;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!api) {
        yaa_log_setup(YAA_LOG_ERROR, true, stderr);
        cfg.api_key_header = "X-API-Key";
        cfg.rate_limit_per_minute = 1000000;
        cfg.cors_origins = "http://a.example,*";
        cfg.channels_dir = "/nonexistent-yaa-fuzz";
        cfg.output_dir = "/nonexistent-yaa-fuzz";
        yaa_api_opts o = {.cfg = &cfg, .web_dir = "/nonexistent-yaa-fuzz"};
        yaa_err err = {0};
        if (yaa_api_new(&o, &api, &err) != 0) abort();
    }
    if (size < 1) return 0;
    cfg.disable_auth = data[0] & 1;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t tlen = size - 1;
    lookups l = {0};
    char *line_end = memchr(text, '\n', tlen);
    char *head_end = NULL;
    if (line_end) *line_end = '\0';
    char *method = text, *path = strchr(text, ' ');
    if (path)
        *path++ = '\0';
    else
        path = "/";
    char *q = strchr(path, '?');
    if (q) {
        *q++ = '\0';
        for (char *tok = strtok(q, "&"); tok && l.nq < MAXKV; tok = strtok(NULL, "&")) {
            char *eq = strchr(tok, '=');
            l.query[l.nq].k = tok;
            l.query[l.nq].v = eq ? (*eq = '\0', eq + 1) : "";
            l.nq++;
        }
    }
    const char *body = "";
    size_t blen = 0;
    if (line_end) {
        char *p = line_end + 1;
        while (p < text + tlen) {
            char *e = strchr(p, '\n');
            if (!e) e = text + tlen;
            *e = '\0';
            if (e == p) {
                head_end = e + 1;
                break;
            }
            char *c = strchr(p, ':');
            if (c && l.nh < MAXKV) {
                *c = '\0';
                l.headers[l.nh].k = p;
                l.headers[l.nh].v = c[1] == ' ' ? c + 2 : c + 1;
                l.nh++;
            }
            p = e + 1;
        }
    }
    if (head_end && head_end <= text + tlen) {
        body = head_end;
        blen = strlen(head_end);
    }
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_http_req req = {.arena = &a,
                        .api = api,
                        .method = method,
                        .path = *path ? path : "/",
                        .header = hdr,
                        .query = qry,
                        .lookup_ud = &l,
                        .body = body,
                        .body_len = blen,
                        .client_ip = "127.0.0.1"};
    yaa_http_resp resp;
    yaa_api_http_resp_init(&resp);
    yaa_api_dispatch(api, &req, &resp);
    if (resp.status < 100 || resp.status > 599) abort();
    yaa_api_finish(api, &req, &resp, 0.1);
    if (req.json) json_decref(req.json);
    yaa_api_http_resp_free(&resp);
    yaa_arena_free(&a);
    free(text);
    return 0;
}
