/* http.c - one HTTP attempt over a per-thread, reused curl easy handle; reply helpers. */
#include "net/net.h"

#include "core/log.h"
#include "core/util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static int g_init_rc;

static void handle_destroy(void *h) {
    if (h) curl_easy_cleanup(h);
}

static void net_init_once(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        g_init_rc = YAA_ENET;
        return;
    }
    if (pthread_key_create(&g_key, handle_destroy) != 0) g_init_rc = YAA_ENOMEM;
}

int yaa_net_global_init(void) {
    pthread_once(&g_once, net_init_once);
    return g_init_rc;
}

void yaa_net_thread_cleanup(void) {
    if (yaa_net_global_init()) return;
    CURL *h = pthread_getspecific(g_key);
    if (h) {
        curl_easy_cleanup(h);
        pthread_setspecific(g_key, NULL);
    }
}

void yaa_net_global_cleanup(void) { yaa_net_thread_cleanup(); }

static CURL *thread_handle(void) {
    CURL *h = pthread_getspecific(g_key);
    if (h) {
        curl_easy_reset(h);
        return h;
    }
    h = curl_easy_init();
    if (h && pthread_setspecific(g_key, h) != 0) {
        curl_easy_cleanup(h);
        return NULL;
    }
    return h;
}

void yaa_net_http_reply_init(yaa_http_reply *r) {
    memset(r, 0, sizeof *r);
    yaa_buf_init(&r->headers, 256 * 1024);
    yaa_buf_init(&r->body, 0);
}

void yaa_net_http_reply_free(yaa_http_reply *r) {
    yaa_buf_free(&r->headers);
    yaa_buf_free(&r->body);
}

typedef struct xfer {
    yaa_http_reply *rep;
    int body_rc;
    const yaa_http_request *req;
    bool cancelled;
} xfer;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    int rc = yaa_buf_append(&x->rep->body, p, len);
    if (rc) {
        x->body_rc = rc;
        return 0;
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    /* A new status line (redirect, 100 Continue): keep only the last response's headers. */
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
        yaa_buf_reset(&x->rep->headers);
    else if (yaa_buf_append(&x->rep->headers, p, len))
        return 0;
    return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    (void)dt, (void)dn, (void)ut, (void)un;
    xfer *x = ud;
    if (x->req->cancel && x->req->cancel(x->req->cancel_ud)) {
        x->cancelled = true;
        return 1;
    }
    return 0;
}

/* The URL without query string or userinfo, for logs and messages. */
static void safe_url(const char *url, char *out, size_t n) {
    const char *s = strstr(url, "://");
    const char *host = s ? s + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (at && (!slash || at < slash)) host = at + 1;
    size_t scheme = s ? (size_t)(s + 3 - url) : 0;
    size_t rest = strcspn(host, "?#");
    snprintf(out, n, "%.*s%.*s", (int)scheme, url, (int)rest, host);
}

int yaa_net_http_perform(const yaa_http_request *req, yaa_http_reply *rep, yaa_err *err) {
    if (!req || !req->url || !rep) return yaa_err_set(err, YAA_EINVAL, "http: no URL");
    int rc = yaa_net_global_init();
    if (rc) return yaa_err_set(err, rc, "http: libcurl could not be initialised");
    CURL *h = thread_handle();
    if (!h) return yaa_err_set(err, YAA_ENOMEM, "http: no curl handle");

    rep->status = 0;
    rep->elapsed_ms = 0;
    yaa_buf_reset(&rep->headers);
    yaa_buf_reset(&rep->body);
    rep->body.max = req->max_reply ? req->max_reply : YAA_HTTP_MAX_REPLY;

    char where[512];
    safe_url(req->url, where, sizeof where);
    const char *method = req->method ? req->method : (req->body ? "POST" : "GET");

    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; i < req->nheaders; i++) {
        struct curl_slist *t = curl_slist_append(hdrs, req->headers[i]);
        if (!t) {
            curl_slist_free_all(hdrs);
            return yaa_err_set(err, YAA_ENOMEM, "http: out of memory");
        }
        hdrs = t;
    }
    /* No "Expect: 100-continue" round trip for large bodies. */
    struct curl_slist *t = curl_slist_append(hdrs, "Expect:");
    if (t) hdrs = t;

    xfer x = {rep, 0, req, false};
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                 : YAA_HTTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     req->timeout_ms > 0 ? req->timeout_ms : YAA_HTTP_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "yaa/" YAA_VERSION);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (req->cancel) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
        strcmp(method, "PATCH") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        if (strcmp(method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    uint64_t t0 = yaa_mono_ns();
    CURLcode cc = curl_easy_perform(h);
    rep->elapsed_ms = (double)(yaa_mono_ns() - t0) / 1e6;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rep->status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);

    rc = 0;
    if (cc == CURLE_OK) {
        yaa_log_ev(YAA_LOG_DEBUG, "net", "http request", YAA_F_STR("method", method),
                   YAA_F_STR("url", where), YAA_F_INT("status", rep->status),
                   YAA_F_NUM("duration_ms", rep->elapsed_ms), YAA_F_END);
        return 0;
    }
    if (x.cancelled) {
        rc = yaa_err_set(err, YAA_ECANCELLED, "%s %s: cancelled", method, where);
    } else if (x.body_rc == YAA_ELIMIT) {
        rc = yaa_err_set(err, YAA_ELIMIT, "%s %s: reply larger than %zu bytes", method, where,
                         rep->body.max);
    } else if (x.body_rc) {
        rc = yaa_err_set(err, x.body_rc, "%s %s: out of memory", method, where);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = yaa_err_set(err, YAA_ETIMEOUT, "%s %s: no complete reply within %ld ms", method, where,
                         req->timeout_ms > 0 ? req->timeout_ms : YAA_HTTP_TIMEOUT_MS);
    } else {
        rc = yaa_err_set(err, YAA_ENET, "%s %s: %s", method, where, curl_easy_strerror(cc));
    }
    /* A partial response is not a response. */
    rep->status = 0;
    yaa_log_ev(YAA_LOG_DEBUG, "net", "http request failed", YAA_F_STR("method", method),
               YAA_F_STR("url", where), YAA_F_STR("error", curl_easy_strerror(cc)),
               YAA_F_NUM("duration_ms", rep->elapsed_ms), YAA_F_END);
    return rc;
}

const char *yaa_net_http_reply_header(const yaa_http_reply *r, const char *name, char *out,
                                      size_t n) {
    const char *p = yaa_buf_cstr(&r->headers);
    size_t nl = strlen(name);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        if (linelen > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            const char *end = p + linelen;
            while (v < end && (*v == ' ' || *v == '\t')) v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) end--;
            size_t vl = (size_t)(end - v);
            if (n == 0) return out;
            if (vl >= n) vl = n - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return out;
        }
        if (!eol) break;
        p = eol + 1;
    }
    return NULL;
}

long yaa_net_http_parse_retry_after(const char *value, long long now) {
    if (!value || !*value) return -1;
    long secs;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", value);
    if (yaa_parse_long(yaa_str_trim(tmp), 0, 7L * 24 * 3600, &secs) == 0) return secs * 1000;
    time_t when = curl_getdate(tmp, NULL);
    if (when < 0) return -1;
    long long d = (long long)when - now;
    if (d < 0) d = 0;
    if (d > 7LL * 24 * 3600) d = 7LL * 24 * 3600;
    return (long)d * 1000;
}

long yaa_net_http_retry_after_ms(const yaa_http_reply *r) {
    char v[128];
    if (!yaa_net_http_reply_header(r, "Retry-After", v, sizeof v)) return -1;
    return yaa_net_http_parse_retry_after(v, (long long)yaa_now());
}

bool yaa_net_url_join(const char *base, const char *path, char *out, size_t n) {
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    int w = snprintf(out, n, "%.*s%s", (int)bl, base, path);
    return w >= 0 && (size_t)w < n;
}

void yaa_net_http_describe(const yaa_http_reply *r, char *out, size_t n) {
    const char *msg = NULL;
    json_t *root = NULL;
    if (r->body.len) {
        root = json_loadb(r->body.data, r->body.len, 0, NULL);
        json_t *e = json_object_get(root, "error");
        if (json_is_string(e))
            msg = json_string_value(e);
        else if (json_is_object(e))
            msg = json_string_value(json_object_get(e, "message"));
        if (!msg && json_is_string(json_object_get(e, "type")))
            msg = json_string_value(json_object_get(e, "type"));
        if (!msg) msg = json_string_value(json_object_get(root, "error_description"));
        if (!msg) msg = json_string_value(json_object_get(root, "message"));
        json_t *det = json_object_get(root, "detail");
        if (!msg) msg = json_string_value(det);
        if (!msg) msg = json_string_value(json_object_get(det, "error"));
    }
    if (msg) {
        snprintf(out, n, "HTTP %ld: %.300s", r->status, msg);
    } else if (r->body.len && yaa_utf8_valid(r->body.data, r->body.len) &&
               !strchr(r->body.data, '<')) {
        size_t k = yaa_utf8_prefix(r->body.data, 200);
        snprintf(out, n, "HTTP %ld: %.*s", r->status, (int)k, r->body.data);
    } else {
        snprintf(out, n, "HTTP %ld", r->status);
    }
    /* Keep the message on one line. */
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    json_decref(root);
}
