/* head_internal.h - the request head's limits and the connection memory libmicrohttpd has left
 * for the reply (head.c; used by server.c, tested in tests/unit/api/test_head.c).
 *
 * libmicrohttpd 0.9.75 keeps a request's head in the connection's memory pool
 * (CONN_POOL_BYTES) and builds the reply's head in what is left of it. When the pool runs out
 * while the head is still arriving it answers 431 itself; but a head that arrives whole and
 * leaves less room than the reply's head needs gets no answer at all: the reply cannot be
 * built and the connection is closed. So the server measures each head (size, fields, Cookie),
 * refuses heads over the documented limits with its own 431, and writes any reply whose head
 * would not fit in the pool straight to the socket (yaa_api__reply_serialize). */
#ifndef YAA_API_HEAD_INTERNAL_H
#define YAA_API_HEAD_INTERNAL_H

#include "api/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* What the server measured of a request's head once it had arrived. */
typedef struct yaa_http_head {
    size_t bytes;        /* request line and header lines as received, final CRLF included */
    size_t fields;       /* header fields + cookies + query parameters (each parsed into one
                          * 64-byte record of the pool) */
    size_t cookie_bytes; /* the Cookie header's length (the pool holds a copy to parse), 0 */
} yaa_http_head;

/* Bytes of one parsed field in the pool: struct MHD_HTTP_Header (56) aligned to 16. */
#define YAA_HTTP_POOL_FIELD_BYTES 64
/* Room kept for the reply's head: status line, Date, Content-Length, Connection and yaa's
 * headers (the largest, a CORS preflight's echoing the asked headers, is about 1.2 KiB). */
#define YAA_HTTP_REPLY_ROOM 1280
/* Pool bytes the measured head does not show: a few empty lines before the request line, a
 * pipelined request read with it, the first chunk buffer of an event stream. */
#define YAA_HTTP_POOL_SLACK 256
/* The pool per connection: a head at both limits, with a Cookie header as long as itself,
 * still leaves the reply its room (static_assert in head.c). */
#define YAA_HTTP_CONN_POOL_BYTES (24 * 1024)

/* True when the head is over YAA_HTTP_MAX_HEAD_BYTES or YAA_HTTP_MAX_HEAD_FIELDS. */
bool yaa_api__head_too_large(const yaa_http_head *h);

/* The pool bytes libmicrohttpd holds for the head when the handler runs (an upper bound for
 * heads with no empty lines before them and nothing pipelined behind them). */
size_t yaa_api__head_pool_bytes(const yaa_http_head *h);

/* The bytes libmicrohttpd needs in the pool to build r's head (status line, Date,
 * Content-Length or Transfer-Encoding, Connection, Content-Type and r's headers). */
size_t yaa_api__reply_head_bytes(const yaa_http_resp *r);

/* True when r's head can be built in what the head h left of the pool. */
bool yaa_api__reply_fits(const yaa_http_head *h, const yaa_http_resp *r);

/* The whole answer as bytes for the socket: status line, Date (from now), Content-Type,
 * Content-Length, Connection: close, r's headers, then r's buffer body unless head_only (a
 * HEAD request). r must have a buffer body (no file, no event stream). */
int yaa_api__reply_serialize(const yaa_http_resp *r, bool head_only, time_t now, yaa_buf *out);

#endif
