/* listener.c - a tiny libmicrohttpd server for `yaa worker --metrics-port`: GET /metrics
 * (text format 0.0.4) and GET / (a pointer to /metrics); nothing else. */
#include "metrics/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct yaa_metrics_listener {
    struct MHD_Daemon *d;
    yaa_registry *reg; /* NULL = the default registry */
    int port;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len, enum MHD_ResponseMemoryMode mode) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE) free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state) {
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)state;
    const struct yaa_metrics_listener *l = cls;
    static const char text[] = "text/plain; charset=utf-8";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (!get) {
        static char msg[] = "method not allowed\n";
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, msg, sizeof msg - 1,
                     MHD_RESPMEM_PERSISTENT);
    }
    if (strcmp(url, "/metrics") == 0) {
        yaa_buf b;
        yaa_buf_init(&b, 16 * 1024 * 1024);
        int rc = l->reg ? yaa_metrics_registry_render(l->reg, &b) : yaa_metrics_render(&b);
        if (rc) {
            yaa_buf_free(&b);
            static char msg[] = "cannot render metrics\n";
            return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, text, msg, sizeof msg - 1,
                         MHD_RESPMEM_PERSISTENT);
        }
        size_t len = b.len;
        return reply(c, MHD_HTTP_OK, YAA_METRICS_CONTENT_TYPE, yaa_buf_steal(&b), len,
                     MHD_RESPMEM_MUST_FREE);
    }
    if (strcmp(url, "/") == 0) {
        static char msg[] = "yaa metrics: GET /metrics\n";
        return reply(c, MHD_HTTP_OK, text, msg, sizeof msg - 1, MHD_RESPMEM_PERSISTENT);
    }
    static char msg[] = "not found; try /metrics\n";
    return reply(c, MHD_HTTP_NOT_FOUND, text, msg, sizeof msg - 1, MHD_RESPMEM_PERSISTENT);
}

int yaa_metrics_listen(const char *host, int port, yaa_registry *r, yaa_metrics_listener **out,
                       yaa_err *err) {
    *out = NULL;
    if (port < 0 || port > 65535)
        return yaa_err_set(err, YAA_EINVAL, "metrics port %d is not in 0-65535", port);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host && *host ? host : "0.0.0.0", &sa.sin_addr) != 1)
        return yaa_err_set(err, YAA_EINVAL, "metrics host '%s' is not an IPv4 address", host);
    yaa_metrics_listener *l = calloc(1, sizeof *l);
    if (!l) return yaa_err_set(err, YAA_ENOMEM, "metrics listener: out of memory");
    l->reg = r;
    l->d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, (uint16_t)port, NULL, NULL,
                         handle, l, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!l->d) {
        free(l);
        return yaa_err_set(err, YAA_EIO,
                           "cannot listen for metrics on %s:%d (port in use or not permitted?)",
                           host && *host ? host : "0.0.0.0", port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
    l->port = info ? info->port : port;
    *out = l;
    return 0;
}

int yaa_metrics_listener_port(const yaa_metrics_listener *l) { return l ? l->port : 0; }

void yaa_metrics_listener_stop(yaa_metrics_listener *l) {
    if (!l) return;
    MHD_stop_daemon(l->d);
    free(l);
}
