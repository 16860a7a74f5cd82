/* loopback.c - the redirect target of the installed-app OAuth flow: a one-shot HTTP listener
 * on 127.0.0.1 and a free port (Google allows any port for loopback redirects). It waits for
 * the browser's GET /?code=...&state=... (or error=...), answers with a short page, and
 * hands back the code. Requests with another state are refused and the wait goes on, so a
 * stray or forged request cannot finish the flow. Every wait is bounded. */
#include "youtube/youtube.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_MAX 8192
#define CONN_DEADLINE_MS 5000

int yaa_youtube_loopback_open(yaa_youtube_loopback *lb, yaa_err *err) {
    memset(lb, 0, sizeof *lb);
    lb->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lb->fd < 0) return yaa_err_set(err, YAA_EIO, "youtube: socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(lb->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lb->fd, 8) != 0 ||
        getsockname(lb->fd, (struct sockaddr *)&a, &al) != 0) {
        int e = errno;
        close(lb->fd);
        lb->fd = -1;
        return yaa_err_set(err, YAA_EIO, "youtube: cannot listen on 127.0.0.1: %s", strerror(e));
    }
    lb->port = ntohs(a.sin_port);
    snprintf(lb->redirect_uri, sizeof lb->redirect_uri, "http://127.0.0.1:%d/", lb->port);
    return 0;
}

void yaa_youtube_loopback_close(yaa_youtube_loopback *lb) {
    if (lb->fd >= 0) close(lb->fd);
    lb->fd = -1;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The decoded value of key in a query string ("a=1&b=2"), or false. */
static bool query_get(const char *q, const char *key, char *out, size_t n) {
    size_t kl = strlen(key);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > kl && strncmp(q, key, kl) == 0 && q[kl] == '=') {
            size_t o = 0;
            for (size_t i = kl + 1; i < len && o + 1 < n; i++) {
                int h1, h2;
                if (q[i] == '%' && i + 2 < len && (h1 = hexval(q[i + 1])) >= 0 &&
                    (h2 = hexval(q[i + 2])) >= 0) {
                    out[o++] = (char)(h1 * 16 + h2);
                    i += 2;
                } else {
                    out[o++] = q[i] == '+' ? ' ' : q[i];
                }
            }
            out[o] = '\0';
            return true;
        }
        q = amp ? amp + 1 : NULL;
    }
    return false;
}

static void reply(int fd, int status, const char *title, const char *text) {
    char body[1024], head[256];
    int bl = snprintf(body, sizeof body,
                      "<!doctype html><meta charset=utf-8><title>yaa</title>"
                      "<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p>",
                      title, text);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: %d\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n",
                      status,
                      status == 200   ? "OK"
                      : status == 404 ? "Not Found"
                                      : "Bad Request",
                      bl);
    if (write(fd, head, (size_t)hl) < 0 || write(fd, body, (size_t)bl) < 0) return;
}

/* Reads the request head (to the blank line) within the connection deadline. */
static ssize_t read_head(int fd, char *buf, size_t n) {
    size_t got = 0;
    uint64_t end = yaa_mono_ns() + (uint64_t)CONN_DEADLINE_MS * 1000000u;
    while (got + 1 < n) {
        uint64_t now = yaa_mono_ns();
        if (now >= end) return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)((end - now) / 1000000u) + 1);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return -1;
        ssize_t k = read(fd, buf + got, n - 1 - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        got += (size_t)k;
        buf[got] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) return (ssize_t)got;
    }
    return (ssize_t)got;
}

/* 1 = got the code, 0 = not the redirect (keep waiting), <0 = the flow failed. */
static int handle(int fd, const char *state, char *code, size_t code_n, yaa_err *err) {
    char req[REQ_MAX];
    if (read_head(fd, req, sizeof req) <= 0) return 0;
    if (strncmp(req, "GET ", 4) != 0) {
        reply(fd, 400, "Bad request", "yaa expected the redirect from Google here.");
        return 0;
    }
    char *path = req + 4, *sp = strchr(path, ' ');
    if (sp) *sp = '\0';
    char *q = strchr(path, '?');
    char got_state[128] = "", error[128] = "";
    if (!q || !query_get(q + 1, "state", got_state, sizeof got_state)) {
        reply(fd, 404, "Not found", "yaa is waiting for the redirect from Google.");
        return 0;
    }
    if (strcmp(got_state, state) != 0) {
        reply(fd, 400, "Wrong state",
              "This redirect does not belong to the sign-in yaa started; it was ignored.");
        return 0;
    }
    if (query_get(q + 1, "error", error, sizeof error)) {
        reply(fd, 200, "Not connected",
              "Access was not granted. You can close this window and run the command again.");
        return yaa_err_set(err, YAA_EAUTH,
                           "youtube: consent was refused in the browser (%s); nothing was "
                           "stored",
                           error);
    }
    if (!query_get(q + 1, "code", code, code_n) || !*code) {
        reply(fd, 400, "Bad request", "The redirect carries no authorization code.");
        return yaa_err_set(err, YAA_EPROVIDER, "youtube: the redirect carries no code");
    }
    reply(fd, 200, "Connected", "yaa received the authorization. You can close this window.");
    return 1;
}

int yaa_youtube_loopback_wait(yaa_youtube_loopback *lb, const char *state, long timeout_ms,
                              char *code, size_t code_n, yaa_err *err) {
    uint64_t end = yaa_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 300000) * 1000000u;
    for (;;) {
        uint64_t now = yaa_mono_ns();
        if (now >= end)
            return yaa_err_set(err, YAA_ETIMEOUT,
                               "youtube: no answer from the browser within %ld s; run the "
                               "command again and open the link it prints",
                               (timeout_ms > 0 ? timeout_ms : 300000) / 1000);
        struct pollfd p = {.fd = lb->fd, .events = POLLIN};
        long slice = (long)((end - now) / 1000000u);
        int pr = poll(&p, 1, slice > 1000 ? 1000 : (int)slice + 1);
        if (pr < 0 && errno != EINTR)
            return yaa_err_set(err, YAA_EIO, "youtube: poll: %s", strerror(errno));
        if (lb->cancel && lb->cancel(lb->cancel_ud))
            return yaa_err_set(err, YAA_ECANCELLED, "youtube: connecting was interrupted");
        if (pr <= 0) continue;
        int c = accept4(lb->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue;
        int rc = handle(c, state, code, code_n, err);
        close(c);
        if (rc < 0) return rc;
        if (rc == 1) return 0;
    }
}
