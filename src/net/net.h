/* net.h - the one HTTP client of yaa (over libcurl): a request, a bounded reply, and a retry
 * policy with exponential backoff and jitter that honours Retry-After.
 *
 * Used by every hosted provider (LLMs, embeddings, Tavily, ElevenLabs, OpenAI images,
 * YouTube) and by the Loki push. One curl easy handle per thread is reused between calls
 * (keep-alive); libcurl's global init runs once. Header values and bodies are never logged:
 * only the method, the URL without its query string, the status and the time. */
#ifndef YAA_NET_H
#define YAA_NET_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

#define YAA_HTTP_CONNECT_TIMEOUT_MS 10000L
#define YAA_HTTP_TIMEOUT_MS 60000L
#define YAA_HTTP_MAX_REPLY ((size_t)16 * 1024 * 1024)

/* Returns true when the caller wants the request (or the retry loop) abandoned. */
typedef bool (*yaa_net_cancel_fn)(void *ud);

typedef struct yaa_http_request {
    const char *method; /* "GET", "POST", "PUT", "DELETE"...; NULL = POST with a body, else GET */
    const char *url;
    const char *const *headers; /* "Name: value" lines */
    size_t nheaders;
    const void *body; /* NULL = no body (an empty PUT/POST still sends Content-Length: 0) */
    size_t body_len;
    long connect_timeout_ms;  /* 0 = YAA_HTTP_CONNECT_TIMEOUT_MS */
    long timeout_ms;          /* whole transfer; 0 = YAA_HTTP_TIMEOUT_MS */
    size_t max_reply;         /* body cap; 0 = YAA_HTTP_MAX_REPLY; past it: YAA_ELIMIT */
    yaa_net_cancel_fn cancel; /* optional, polled during the transfer */
    void *cancel_ud;
} yaa_http_request;

typedef struct yaa_http_reply {
    long status;     /* HTTP status of the last response, 0 if none */
    yaa_buf headers; /* header block of the last response ("Name: value\r\n" lines) */
    yaa_buf body;
    double elapsed_ms; /* of the last attempt */
    int attempts;      /* how many attempts yaa_net_http_send made */
} yaa_http_reply;

void yaa_net_http_reply_init(yaa_http_reply *r);
void yaa_net_http_reply_free(yaa_http_reply *r);

/* Copies the value of header `name` (case-insensitive, first match) to out (truncated to
 * n-1 bytes); returns out, or NULL when absent. */
const char *yaa_net_http_reply_header(const yaa_http_reply *r, const char *name, char *out,
                                      size_t n);

/* Retry-After of a reply in milliseconds (delta-seconds or an HTTP-date, relative to now);
 * -1 when absent or unparsable. */
long yaa_net_http_retry_after_ms(const yaa_http_reply *r);
/* The same for a raw header value; now is the wall clock in seconds. */
long yaa_net_http_parse_retry_after(const char *value, long long now);

/* One attempt. Returns 0 when a response arrived (whatever its status: check rep->status);
 * YAA_ETIMEOUT, YAA_ENET (connection refused/reset, DNS, TLS, truncated body), YAA_ELIMIT
 * (reply past max_reply), YAA_ECANCELLED, YAA_EINVAL. rep is reset first. */
int yaa_net_http_perform(const yaa_http_request *req, yaa_http_reply *rep, yaa_err *err);

typedef struct yaa_http_retry {
    int max_attempts;         /* total attempts including the first; 0 = 4, 1 = no retry */
    long base_delay_ms;       /* first backoff; 0 = 500 */
    long max_delay_ms;        /* cap of one backoff (not of Retry-After); 0 = 30000 */
    long max_total_wait_ms;   /* cap of all waits together; 0 = 120000 */
    yaa_net_cancel_fn cancel; /* optional: checked during waits and transfers */
    void *cancel_ud;
    /* Optional: told before each wait (attempt = the attempt that failed, 1-based; status 0
     * with rc < 0 for network errors). The LLM layer reports outcome=retry from here. */
    void (*on_retry)(void *ud, int attempt, long status, int rc, long delay_ms);
    void *retry_ud;
} yaa_http_retry;

/* True for the statuses worth retrying: 408, 425, 429, 500, 502, 503, 504 (and other 5xx
 * except 501 and 505). */
bool yaa_net_http_status_retryable(long status);

/* Backoff before attempt `attempt`+1: exponential from base, capped, with jitter (a random
 * value in [d/2, d]); a Retry-After (>= 0) replaces it. */
long yaa_net_http_backoff_ms(const yaa_http_retry *p, int attempt, long retry_after_ms);

/* yaa_net_http_perform with retries on network errors, timeouts and retryable statuses.
 * policy NULL = the defaults. Returns 0 when a final response arrived (rep->status may still
 * be an error: after the last attempt, or a non-retryable 4xx) and the perform error of the
 * last attempt otherwise. A wait that would pass max_total_wait_ms (e.g. a long Retry-After)
 * stops the loop and returns the last response. */
int yaa_net_http_send(const yaa_http_request *req, const yaa_http_retry *policy,
                      yaa_http_reply *rep, yaa_err *err);

/* A short, secret-free description of a failed reply for error messages:
 * "HTTP 429: rate limit exceeded" using the JSON error message when the body has one. */
void yaa_net_http_describe(const yaa_http_reply *r, char *out, size_t n);

/* base (its trailing slashes dropped) followed by path, into out; false when it did not fit
 * (out then holds what fitted). For providers whose base URL is configurable. */
bool yaa_net_url_join(const char *base, const char *path, char *out, size_t n);

/* curl_global_init, once per process (called by the first request; call it from main before
 * starting threads to be safe). Cleanup frees the calling thread's handle; global cleanup
 * at exit is optional. */
int yaa_net_global_init(void);
void yaa_net_thread_cleanup(void);
void yaa_net_global_cleanup(void);

#endif
