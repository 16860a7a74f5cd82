/* server.c - libmicrohttpd glue: accumulates the request (413 past the body cap), hands it to
 * yaa_api_dispatch, and turns the yaa_http_resp into an MHD response (buffer, file or SSE). */
#include "api/api_internal.h"
#include "api/sse.h"

#include "core/log.h"
#include "core/util.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct conn_ctx {
    yaa_arena arena;
    yaa_buf body;
    bool too_large;
    uint64_t received; /* body bytes seen, kept or discarded */
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

static enum MHD_Result send_resp(yaa_api *api, conn_ctx *cx) {
    yaa_http_resp *r = &cx->resp;
    struct MHD_Response *mr;
    if (r->sse_run_id) {
        mr = yaa_sse_response(api, r->sse_run_id);
    } else if (r->file_fd >= 0) {
        mr = MHD_create_response_from_fd_at_offset64(r->file_len, r->file_fd, r->file_off);
        if (mr) r->file_fd = -1; /* MHD owns it now */
    } else {
        mr = MHD_create_response_from_buffer(r->body.len, r->body.len ? r->body.data : (void *)"",
                                             MHD_RESPMEM_MUST_COPY);
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
        yaa_arena_init(&cx->arena, 8192);
        yaa_buf_init(&cx->body, YAA_HTTP_MAX_BODY);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        long v;
        bool early = false;
        if (cl && yaa_parse_long(cl, 0, 1L << 62, &v) == 0 && v > YAA_HTTP_MAX_BODY) {
            cx->too_large = true;
            /* A body up to 8x the cap is read and discarded so the client sees the 413;
             * anything larger is refused at once and the connection closed. */
            early = v > 8L * YAA_HTTP_MAX_BODY;
        }
        *con_cls = cx;
        if (!early) return MHD_YES;
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
    yaa_http_req *req = &cx->req;
    char ip[64];
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
    yaa_http_resp_init(&cx->resp);
    cx->have_resp = true;
    if (cx->too_large) {
        req->request_id = yaa_arena_strdup(&cx->arena, "");
        yaa_http_error(&cx->resp, 413, "request body too large (limit %d bytes)",
                       YAA_HTTP_MAX_BODY);
        yaa_http_resp_header(&cx->resp, &cx->arena, "Connection", "close");
        /* Dispatch would re-route; only the common headers are needed. */
        req->path = yaa_arena_strdup(&cx->arena, url);
        yaa_api_dispatch(api, req, &cx->resp); /* sees status 413 preset and keeps it */
    } else {
        yaa_api_dispatch(api, req, &cx->resp);
    }
    return send_resp(api, cx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    (void)toe;
    yaa_api *api = cls;
    conn_ctx *cx = *con_cls;
    if (!cx) return;
    if (cx->have_resp) {
        double ms = (double)(yaa_mono_ns() - cx->start_ns) / 1e6;
        yaa_api_finish(api, &cx->req, &cx->resp, ms);
        if (cx->req.json) json_decref(cx->req.json);
        yaa_http_resp_free(&cx->resp);
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
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
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
    api->daemon = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, api, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)api->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, api, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (!api->daemon)
        return yaa_err_set(err, YAA_EIO, "cannot listen on %s:%ld (port in use?)", api->host,
                           api->port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (di) api->port = di->port;
    return 0;
}

long yaa_api_port(const yaa_api *api) { return api->port; }

void yaa_api_free(yaa_api *api) {
    if (!api) return;
    atomic_store(&api->stopping, true);
    if (api->daemon) {
        /* Stop accepting, then let requests in flight finish (SSE streams end on stopping). */
        MHD_quiesce_daemon(api->daemon);
        for (int i = 0; i < 100; i++) {
            const union MHD_DaemonInfo *di =
                MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            if (!di || di->num_connections == 0) break;
            yaa_sleep_ms(50);
        }
        MHD_stop_daemon(api->daemon);
    }
    yaa_audit_stop(api->audit);
    yaa_ratelimit_free(api->rl);
    free(api->host);
    free(api->web_dir);
    free(api->web_missing);
    free(api);
}
