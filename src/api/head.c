/* head.c - request head limits, the pool room a reply needs, and a reply as raw bytes for the
 * answers libmicrohttpd could not build (see head_internal.h for why). */
#include "api/head_internal.h"

#include "core/err.h"

#include <assert.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

static_assert(2 * YAA_HTTP_MAX_HEAD_BYTES + 16 +
                      YAA_HTTP_MAX_HEAD_FIELDS * YAA_HTTP_POOL_FIELD_BYTES + YAA_HTTP_REPLY_ROOM +
                      YAA_HTTP_POOL_SLACK <=
                  YAA_HTTP_CONN_POOL_BYTES,
              "a head at the limits (with a Cookie as long as itself) must leave the reply room");

bool yaa_api__head_too_large(const yaa_http_head *h) {
    return h->bytes > YAA_HTTP_MAX_HEAD_BYTES || h->fields > YAA_HTTP_MAX_HEAD_FIELDS;
}

size_t yaa_api__head_pool_bytes(const yaa_http_head *h) {
    /* the head's lines are parsed in place at the start of the pool; the field records and
     * the Cookie copy are taken from its end, each aligned to 16 */
    size_t n = ALIGN16(h->bytes) + h->fields * YAA_HTTP_POOL_FIELD_BYTES;
    if (h->cookie_bytes) n += ALIGN16(h->cookie_bytes + 1);
    return n;
}

static size_t line_bytes(const char *name, const char *value) {
    return strlen(name) + 2 + strlen(value ? value : "") + 2; /* "name: value\r\n" */
}

size_t yaa_api__reply_head_bytes(const yaa_http_resp *r) {
    /* "HTTP/1.1 431 Request Header Fields Too Large\r\n" (the longest reason yaa uses is 47
     * bytes with the line end), "Date: ...\r\n" (37), "Content-Length: <20 digits>\r\n" or
     * "Transfer-Encoding: chunked\r\n", "Connection: close\r\n" or "keep-alive", final CRLF */
    size_t n = 64 + 37 + 40 + 24 + 2;
    n += line_bytes("Content-Type", r->content_type ? r->content_type : "application/json");
    for (int i = 0; i < r->nheaders; i++) n += line_bytes(r->headers[i].name, r->headers[i].value);
    return n;
}

bool yaa_api__reply_fits(const yaa_http_head *h, const yaa_http_resp *r) {
    size_t need = yaa_api__head_pool_bytes(h) + yaa_api__reply_head_bytes(r) + YAA_HTTP_POOL_SLACK;
    return need <= YAA_HTTP_CONN_POOL_BYTES;
}

/* RFC 9110 IMF-fixdate, independent of the locale. */
static void http_date(time_t now, char out[64]) {
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, 64, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT", days + 3 * tm.tm_wday, tm.tm_mday,
             months + 3 * tm.tm_mon, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int yaa_api__reply_serialize(const yaa_http_resp *r, bool head_only, time_t now, yaa_buf *out) {
    if (r->file_fd >= 0 || r->sse_run_id) return YAA_EINVAL;
    const char *reason = MHD_get_reason_phrase_for((unsigned)r->status);
    char date[64];
    http_date(now, date);
    int rc = yaa_buf_printf(out,
                            "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n",
                            r->status, reason && *reason ? reason : "Unknown", date,
                            r->content_type ? r->content_type : "application/json", r->body.len);
    for (int i = 0; rc == 0 && i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Connection") == 0) continue; /* always close */
        rc = yaa_buf_printf(out, "%s: %s\r\n", r->headers[i].name,
                            r->headers[i].value ? r->headers[i].value : "");
    }
    if (rc == 0) rc = yaa_buf_puts(out, "\r\n");
    if (rc == 0 && !head_only && r->body.len) rc = yaa_buf_append(out, r->body.data, r->body.len);
    return rc;
}
