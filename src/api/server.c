/* server.c - libmicrohttpd glue: accumulates the request (413 past the body cap), hands it to
 * yaa_api_dispatch, and turns the yaa_http_resp into an MHD response (buffer, file or SSE).
 *
 * Connection limits (docs/RELIABILITY.md): API_MAX_CONNECTIONS in all and
 * API_MAX_CONNECTIONS_PER_IP per client address (MHD refuses more at accept); the last 1/16
 * of the connections is kept for /health and /metrics (other requests get 503 there). The
 * guard thread closes a connection whose request head takes longer than
 * API_HEADER_TIMEOUT_SEC, whose body takes longer than API_BODY_TIMEOUT_SEC, or that sits
 * idle between keep-alive requests longer than IDLE_SEC (slow clients hold no slot for long). */
#include "api/api_internal.h"
#include "api/head_internal.h"
#include "api/readcache.h"
#include "api/sse.h"

#include "core/log.h"
#include "core/util.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IDLE_SEC 30
/* libmicrohttpd's memory per connection holds the request head, its parsed fields and the
 * reply's head; it is zeroed after every request (7 % of a cheap request's CPU at 32 KiB, 5 %
 * at 16 KiB). Sized in head_internal.h so that a head at the documented limits still leaves
 * the reply its room. */
#define CONN_POOL_BYTES YAA_HTTP_CONN_POOL_BYTES
/* The longest a reply written straight to the socket may wait for the client to read. */
#define DIRECT_WRITE_MS 1000

/* ---- the connection guard ---------------------------------------------------------------- */

typedef enum { PH_HEAD, PH_BODY, PH_BUSY, PH_IDLE } conn_phase;

typedef struct tracked {
    struct tracked *prev, *next;
    int fd;
    _Atomic int phase;
    _Atomic uint64_t since_ns;
    bool reaped;
    bool nul_in_path; /* the current request's raw path has %00 (MHD's decoded url ends there) */
    char ip[64];      /* the client's address, formatted once per connection */
} tracked;

struct yaa_conn_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tracked *head;
    atomic_long open;
    bool stop;
    pthread_t thread;
    uint64_t head_ns, body_ns, idle_ns;
};

static void phase_set(tracked *t, conn_phase p) {
    if (!t) return;
    atomic_store(&t->since_ns, yaa_mono_ns());
    atomic_store(&t->phase, (int)p);
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n);

static tracked *tracked_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    yaa_api *api = cls;
    struct yaa_conn_guard *g = api->guard;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        tracked *t = calloc(1, sizeof *t);
        *socket_context = t;
        atomic_fetch_add(&g->open, 1);
        if (!t) return;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        client_ip(c, t->ip, sizeof t->ip);
        phase_set(t, PH_HEAD);
        pthread_mutex_lock(&g->mu);
        t->next = g->head;
        if (g->head) g->head->prev = t;
        g->head = t;
        pthread_mutex_unlock(&g->mu);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        tracked *t = *socket_context;
        atomic_fetch_sub(&g->open, 1);
        if (!t) return;
        /* removed before MHD closes the socket, so the guard never touches a reused fd */
        pthread_mutex_lock(&g->mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            g->head = t->next;
        if (t->next) t->next->prev = t->prev;
        pthread_mutex_unlock(&g->mu);
        free(t);
        *socket_context = NULL;
    }
}

/* A new request line arrived on the connection: its head is on the clock. The raw uri is
 * seen only here: a %00 in its path would end the decoded url early (see path_invalid). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls;
    tracked *t = tracked_of(c);
    phase_set(t, PH_HEAD);
    if (t) {
        size_t n = strcspn(uri, "?");
        const char *nul = strstr(uri, "%00");
        t->nul_in_path = nul && (size_t)(nul - uri) < n;
    }
    return NULL;
}

static void *guard_main(void *arg) {
    yaa_api *api = arg;
    struct yaa_conn_guard *g = api->guard;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        uint64_t now = yaa_mono_ns();
        for (tracked *t = g->head; t; t = t->next) {
            int ph = atomic_load(&t->phase);
            uint64_t limit = ph == PH_HEAD   ? g->head_ns
                             : ph == PH_BODY ? g->body_ns
                             : ph == PH_IDLE ? g->idle_ns
                                             : 0;
            if (!limit || t->reaped || t->fd < 0 || now - atomic_load(&t->since_ns) <= limit)
                continue;
            /* MHD sees the end of the stream on its next read and closes the connection */
            shutdown(t->fd, SHUT_RDWR);
            t->reaped = true;
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

static int guard_start(yaa_api *api) {
    struct yaa_conn_guard *g = calloc(1, sizeof *g);
    if (!g) return YAA_ENOMEM;
    const yaa_config *cfg = api->cfg;
    g->head_ns = (uint64_t)(cfg ? cfg->api_header_timeout_sec : 10) * 1000000000ull;
    g->body_ns = (uint64_t)(cfg ? cfg->api_body_timeout_sec : 30) * 1000000000ull;
    g->idle_ns = (uint64_t)IDLE_SEC * 1000000000ull;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    api->guard = g;
    if (pthread_create(&g->thread, NULL, guard_main, api) != 0) {
        api->guard = NULL;
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->cv);
        free(g);
        return YAA_EIO;
    }
    return 0;
}

static void guard_stop(yaa_api *api) {
    struct yaa_conn_guard *g = api->guard;
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
}

static void guard_free(yaa_api *api) {
    struct yaa_conn_guard *g = api->guard;
    if (!g) return;
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    free(g);
    api->guard = NULL;
}

/* Past the ordinary share of connections only /health and /metrics are served. */
static bool over_ordinary_share(const yaa_api *api, const char *url) {
    long max = api->cfg ? api->cfg->api_max_connections : 1024;
    long ordinary = max - (max / 16 > 1 ? max / 16 : 1);
    if (!api->guard || atomic_load(&api->guard->open) <= ordinary) return false;
    return strcmp(url, "/health") != 0 && strcmp(url, "/metrics") != 0 &&
           strcmp(url, "/api/v1/health") != 0;
}

typedef struct conn_ctx {
    yaa_arena arena;
    yaa_buf body;
    bool too_large;
    bool early;         /* answered from the first call, before the body was read */
    yaa_http_head head; /* measured once the head has arrived */
    uint64_t received;  /* body bytes seen, kept or discarded */
    uint64_t start_ns;
    yaa_http_req req;
    yaa_http_resp resp;
    bool have_resp;
    struct MHD_Connection *conn;
} conn_ctx;

static const char *lookup_header(void *ud, const char *name) {
    return MHD_lookup_connection_value(ud, MHD_HEADER_KIND, name);
}

static const char *lookup_query(void *ud, const char *name) {
    return MHD_lookup_connection_value(ud, MHD_GET_ARGUMENT_KIND, name);
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "unknown");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

/* Counts the head's fields and reads its size once it has arrived (head_internal.h). */
static void head_measure(struct MHD_Connection *c, yaa_http_head *h) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    h->bytes = ci ? ci->header_size : 0;
    int n = MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL);
    n += MHD_get_connection_values(c, MHD_COOKIE_KIND, NULL, NULL);
    n += MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL);
    h->fields = n > 0 ? (size_t)n : 0;
    const char *cookie = NULL;
    size_t len = 0;
    h->cookie_bytes =
        MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, "Cookie", 6, &cookie, &len) == MHD_YES
            ? len
            : 0;
}

/* Sends bytes on the connection's (non-blocking) socket, waiting at most DIRECT_WRITE_MS for a
 * client that does not read. */
static bool send_all(int fd, const char *p, size_t n) {
    uint64_t deadline = yaa_mono_ns() + (uint64_t)DIRECT_WRITE_MS * 1000000ull;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            p += w, n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        uint64_t now = yaa_mono_ns();
        if (w == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || now >= deadline) return false;
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        (void)poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
    }
    return true;
}

/* The answer written by yaa itself, then the connection closed (MHD_NO): for refusals sent
 * before the body was read (the pool may be full of the head and of body bytes read with it)
 * and for any reply whose head would not fit in what the request left of the pool. A file or
 * event stream cannot be written this way; it becomes a 431, which has no side effect. */
static enum MHD_Result send_direct(conn_ctx *cx) {
    yaa_http_resp *r = &cx->resp;
    if (r->file_fd >= 0 || r->sse_run_id) {
        if (r->file_fd >= 0) close(r->file_fd);
        r->file_fd = -1;
        r->sse_run_id = NULL;
        yaa_api_http_error(r, 431,
                           "request head too large: %zu bytes with %zu fields (header fields, "
                           "cookies and query parameters) leave no room for the reply",
                           cx->head.bytes, cx->head.fields);
    }
    tracked *t = tracked_of(cx->conn);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(cx->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : t ? t->fd : -1;
    yaa_buf out;
    yaa_buf_init(&out, 0);
    bool head_only = cx->req.method && strcmp(cx->req.method, "HEAD") == 0;
    if (fd >= 0 && yaa_api__reply_serialize(r, head_only, time(NULL), &out) == 0 &&
        !send_all(fd, out.data, out.len))
        yaa_log_ev(YAA_LOG_DEBUG, "api.direct_reply", "the client did not take the reply",
                   YAA_F_INT("status", r->status), YAA_F_END);
    yaa_buf_free(&out);
    return MHD_NO; /* libmicrohttpd closes the connection (after on_completed logs the answer) */
}

static enum MHD_Result send_resp(yaa_api *api, conn_ctx *cx) {
    yaa_http_resp *r = &cx->resp;
    if (cx->early || !yaa_api__reply_fits(&cx->head, r)) return send_direct(cx);
    struct MHD_Response *mr;
    if (r->sse_run_id) {
        mr = yaa_api_sse_response(api, cx->conn, r->sse_run_id, cx->req.key_id);
    } else if (r->file_fd >= 0) {
        mr = MHD_create_response_from_fd_at_offset64(r->file_len, r->file_fd, r->file_off);
        if (mr) r->file_fd = -1; /* MHD owns it now */
    } else {
        /* the body is handed over, not copied (MHD frees it) */
        size_t len = r->body.len;
        mr = len ? MHD_create_response_from_buffer(len, r->body.data, MHD_RESPMEM_MUST_FREE)
                 : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (mr && len) yaa_buf_init(&r->body, 0); /* MHD owns the bytes now */
    }
    if (!mr) return MHD_NO;
    MHD_add_response_header(mr, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(cx->conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* True if the decoded path has a NUL byte or is not UTF-8: refused before routing, so a
 * truncated path never reaches a route (GET /api/v1/pipeline/runs/%00 is not the list). */
static bool path_invalid(struct MHD_Connection *conn, const char *url) {
    tracked *t = tracked_of(conn);
    return (t && t->nul_in_path) || !yaa_utf8_valid(url, strlen(url));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    (void)version;
    yaa_api *api = cls;
    conn_ctx *cx = *con_cls;
    if (!cx) {
        cx = calloc(1, sizeof *cx);
        if (!cx) return MHD_NO;
        cx->start_ns = yaa_mono_ns();
        cx->conn = conn;
        phase_set(tracked_of(conn), PH_BODY); /* the head is in; now the body's clock */
        yaa_arena_init(&cx->arena, 8192);
        yaa_buf_init(&cx->body, YAA_HTTP_MAX_BODY);
        head_measure(conn, &cx->head);
        /* A head over the limits is refused at once, its body unread. */
        cx->early = yaa_api__head_too_large(&cx->head);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        long v;
        if (cl && yaa_parse_long(cl, 0, 1L << 62, &v) == 0 && v > YAA_HTTP_MAX_BODY) {
            cx->too_large = true;
            /* A body up to 8x the cap is read and discarded so the client sees the 413;
             * anything larger is refused at once and the connection closed. */
            cx->early = cx->early || v > 8L * YAA_HTTP_MAX_BODY;
        }
        *con_cls = cx;
        if (!cx->early) return MHD_YES;
    } else if (*upload_data_size) {
        cx->received += *upload_data_size;
        /* An endless (chunked) body is cut off: the connection is closed. */
        if (cx->received > 8ull * YAA_HTTP_MAX_BODY) return MHD_NO;
        if (!cx->too_large && yaa_buf_append(&cx->body, upload_data, *upload_data_size) != 0)
            cx->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (cx->have_resp) return MHD_YES; /* already answered (early 413) */
    phase_set(tracked_of(conn), PH_BUSY);
    yaa_http_req *req = &cx->req;
    tracked *t = tracked_of(conn);
    char ip[64];
    if (t)
        memcpy(ip, t->ip, sizeof ip);
    else
        client_ip(conn, ip, sizeof ip);
    req->arena = &cx->arena;
    req->api = api;
    req->method = yaa_arena_strdup(&cx->arena, method);
    req->path = yaa_arena_strdup(&cx->arena, url);
    req->header = lookup_header;
    req->query = lookup_query;
    req->lookup_ud = conn;
    req->body = yaa_buf_cstr(&cx->body);
    req->body_len = cx->body.len;
    req->client_ip = yaa_arena_strdup(&cx->arena, ip);
    yaa_api_http_resp_init(&cx->resp);
    cx->have_resp = true;
    if (yaa_api__head_too_large(&cx->head)) {
        yaa_api_http_error(&cx->resp, 431,
                           "request head too large: %zu bytes with %zu fields (header fields, "
                           "cookies and query parameters); at most %d bytes and %d fields are "
                           "accepted",
                           cx->head.bytes, cx->head.fields, YAA_HTTP_MAX_HEAD_BYTES,
                           YAA_HTTP_MAX_HEAD_FIELDS);
        yaa_api_dispatch(api, req, &cx->resp); /* sees status 431 preset and keeps it */
    } else if (!cx->too_large && over_ordinary_share(api, url)) {
        yaa_api_http_error(&cx->resp, 503, "server busy: too many open connections; retry later");
        yaa_api_http_resp_header(&cx->resp, &cx->arena, "Connection", "close");
        yaa_api_http_resp_header(&cx->resp, &cx->arena, "Retry-After", "1");
        yaa_api__common_headers(api, req, &cx->resp); /* dispatch is skipped, not its headers */
        return send_resp(api, cx);
    } else if (cx->too_large) {
        req->request_id = yaa_arena_strdup(&cx->arena, "");
        yaa_api_http_error(&cx->resp, 413, "request body too large (limit %d bytes)",
                           YAA_HTTP_MAX_BODY);
        yaa_api_http_resp_header(&cx->resp, &cx->arena, "Connection", "close");
        /* Dispatch would re-route; only the common headers are needed. */
        req->path = yaa_arena_strdup(&cx->arena, url);
        yaa_api_dispatch(api, req, &cx->resp); /* sees status 413 preset and keeps it */
    } else if (path_invalid(conn, url)) {
        yaa_api_http_error(&cx->resp, 400,
                           "request path is invalid: it must be UTF-8 with no NUL byte (%%00)");
        yaa_api_dispatch(api, req, &cx->resp); /* sees status 400 preset and keeps it */
    } else {
        yaa_api_dispatch(api, req, &cx->resp);
    }
    return send_resp(api, cx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)toe;
    phase_set(tracked_of(conn), PH_IDLE);
    yaa_api *api = cls;
    conn_ctx *cx = *con_cls;
    if (!cx) return;
    if (cx->have_resp) {
        double ms = (double)(yaa_mono_ns() - cx->start_ns) / 1e6;
        yaa_api_finish(api, &cx->req, &cx->resp, ms);
        if (cx->req.json) json_decref(cx->req.json);
        yaa_api_http_resp_free(&cx->resp);
    }
    yaa_buf_free(&cx->body);
    yaa_arena_free(&cx->arena);
    free(cx);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    yaa_log_ev(YAA_LOG_DEBUG, "api.mhd", msg, YAA_F_END);
}

int yaa_api_listen(yaa_api *api, yaa_err *err) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    uint16_t port = api->port < 0 ? 0 : (uint16_t)api->port;
    socklen_t sl;
    if (strchr(api->host, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, api->host, &s6->sin6_addr) != 1)
            return yaa_err_set(err, YAA_ECONFIG, "API_HOST '%s' is not an IP address", api->host);
        flags |= MHD_USE_IPv6;
        sl = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        const char *h = strcmp(api->host, "localhost") == 0 ? "127.0.0.1" : api->host;
        if (inet_pton(AF_INET, h, &s4->sin_addr) != 1)
            return yaa_err_set(err, YAA_ECONFIG, "API_HOST '%s' is not an IPv4/IPv6 address",
                               api->host);
        sl = sizeof *s4;
    }
    (void)sl;
    const yaa_config *cfg = api->cfg;
    unsigned max_conn = (unsigned)(cfg ? cfg->api_max_connections : 1024);
    unsigned per_ip = (unsigned)(cfg ? cfg->api_max_connections_per_ip : 64);
    if (guard_start(api) || yaa_api_sse_hub_start(api)) {
        guard_stop(api);
        guard_free(api);
        return yaa_err_set(err, YAA_EIO, "cannot start the server's helper threads");
    }
    api->daemon = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, api, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)api->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)IDLE_SEC, MHD_OPTION_CONNECTION_LIMIT, max_conn,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL_BYTES, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, api, MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, api, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_END);
    if (!api->daemon) {
        yaa_api_sse_hub_stop(api);
        yaa_api_sse_hub_free(api);
        guard_stop(api);
        guard_free(api);
        return yaa_err_set(err, YAA_EIO, "cannot listen on %s:%ld (port in use?)", api->host,
                           api->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (di) api->port = di->port;
    return 0;
}

long yaa_api_port(const yaa_api *api) { return api->port; }

void yaa_api_free(yaa_api *api) {
    if (!api) return;
    atomic_store(&api->stopping, true);
    if (api->daemon) {
        /* Stop accepting, end the event streams (none may stay suspended), then let requests
         * in flight finish. */
        MHD_quiesce_daemon(api->daemon);
        yaa_api_sse_hub_stop(api);
        for (int i = 0; i < 100; i++) {
            const union MHD_DaemonInfo *di =
                MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            if (!di || di->num_connections == 0) break;
            yaa_sleep_ms(50);
        }
        MHD_stop_daemon(api->daemon);
    }
    yaa_api_sse_hub_free(api);
    guard_stop(api);
    guard_free(api);
    yaa_api_audit_stop(api->audit);
    yaa_api_ratelimit_free(api->rl);
    yaa_api_ratelimit_free(api->authfail);
    yaa_api_readcache_free(api->keys_cache);
    yaa_api_readcache_free(api->pages_cache);
    yaa_api__health_free(api->health);
    free(api->host);
    free(api->web_dir);
    free(api->web_missing);
    free(api);
}
