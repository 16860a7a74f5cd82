/* double.h - starts a python3 test double (tests/doubles/<name>.py) on a free loopback port,
 * scripts its answers and reads back the requests it saw. Header-only, for C tests. */
#ifndef YAA_TEST_DOUBLE_H
#define YAA_TEST_DOUBLE_H

#include "net/net.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct yaa_double {
    pid_t pid;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
} yaa_double;

/* Starts tests/doubles/<script>.py; returns 0 or -1. */
static inline int yaa_double_start(yaa_double *d, const char *script) {
    const char *src = getenv("YAA_SOURCE_DIR");
    if (!src || !*src) src = YAA_SOURCE_DIR;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/doubles/%s.py", src, script);
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", "-u", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[128] = {0};
    int port = 0;
    if (f && fgets(line, sizeof line, f)) sscanf(line, "PORT %d", &port);
    if (f) fclose(f);
    if (port <= 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    d->pid = pid;
    d->port = port;
    snprintf(d->base, sizeof d->base, "http://127.0.0.1:%d", port);
    return 0;
}

static inline void yaa_double_stop(yaa_double *d) {
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
        d->pid = 0;
    }
}

/* POSTs a JSON text to a control path ("/_control", "/_reset"); returns the HTTP status. */
static inline long yaa_double_post(yaa_double *d, const char *path, const char *json) {
    char url[256];
    snprintf(url, sizeof url, "%s%s", d->base, path);
    const char *h[] = {"Content-Type: application/json"};
    yaa_http_request rq = {.url = url,
                           .headers = h,
                           .nheaders = 1,
                           .body = json,
                           .body_len = strlen(json),
                           .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    yaa_net_http_perform(&rq, &rp, NULL);
    long st = rp.status;
    yaa_net_http_reply_free(&rp);
    return st;
}

/* Sets the modes of the next requests: yaa_double_script(d, "[\"429:1\",\"ok\"]"). */
static inline long yaa_double_script(yaa_double *d, const char *json_array) {
    char body[2048];
    snprintf(body, sizeof body, "{\"script\":%s}", json_array);
    return yaa_double_post(d, "/_control", body);
}

static inline long yaa_double_reset(yaa_double *d) { return yaa_double_post(d, "/_reset", "{}"); }

/* The JSON body of GET base + path (a control path: "/_requests", "/_state"), NULL when it
 * does not answer 200 with JSON; json_decref it. */
static inline json_t *yaa_double_get_json(yaa_double *d, const char *path) {
    char url[256];
    snprintf(url, sizeof url, "%s%s", d->base, path);
    yaa_http_request rq = {.url = url, .method = "GET", .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    json_t *root = NULL;
    if (yaa_net_http_perform(&rq, &rp, NULL) == 0 && rp.status == 200)
        root = json_loadb(rp.body.data ? rp.body.data : "", rp.body.len, 0, NULL);
    yaa_net_http_reply_free(&rp);
    return root;
}

/* The requests the double saw (a JSON array; json_decref it). */
static inline json_t *yaa_double_requests(yaa_double *d) {
    json_t *root = yaa_double_get_json(d, "/_requests");
    json_t *out = json_incref(json_object_get(root, "requests"));
    json_decref(root);
    return out ? out : json_array();
}

/* Number of recorded requests with a non-empty "violations" list (0 = every request had the
 * shape of the real API); prints them. */
static inline int yaa_double_violations(yaa_double *d) {
    json_t *reqs = yaa_double_requests(d);
    int bad = 0;
    size_t i;
    json_t *r;
    json_array_foreach(reqs, i, r) {
        json_t *v = json_object_get(r, "violations");
        if (json_array_size(v)) {
            char *s = json_dumps(v, 0);
            fprintf(stderr, "double violation on %s: %s\n",
                    json_string_value(json_object_get(r, "path")), s);
            free(s);
            bad++;
        }
    }
    json_decref(reqs);
    return bad;
}

#endif
