/* loki.c - the Loki push client: a non-blocking log sink over a bounded ring, and a thread
 * that batches lines into /loki/api/v1/push JSON, retries with backoff and flushes on stop. */
#include "metrics/loki.h"

#include "core/buf.h"
#include "core/log.h"
#include "metrics/metrics.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMPONENT_MAX 48
#define MAX_STREAMS 64

typedef struct entry {
    char *line;
    size_t len;
    uint64_t ts_ns;
    yaa_log_level level;
    char component[COMPONENT_MAX];
} entry;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* to the shipper: lines waiting, flush or stop */
    pthread_cond_t idle; /* from the shipper: ring drained */
    bool running, stopping, flush_req, in_flight;
    pthread_t thread;
    yaa_loki_config cfg;
    char *url, *shown_url, *tenant, *app; /* shown_url: without user:password@ */
    entry *ring;
    size_t head, count;
    yaa_loki_stats st;
    unsigned seed;
} L = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

void yaa_metrics_loki_config_default(yaa_loki_config *c) {
    memset(c, 0, sizeof *c);
    c->app = "yaa";
    c->capacity = 10000;
    c->batch_lines = 1000;
    c->batch_bytes = 1024 * 1024;
    c->flush_ms = 1000;
    c->timeout_ms = 5000;
    c->max_retries = 5;
    c->backoff_ms = 250;
    c->backoff_max_ms = 8000;
    c->shutdown_ms = 5000;
}

static uint64_t now_ns(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct timespec deadline_in(long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xe0) == 0xc0 ? 2
                 : (p[0] & 0xf0) == 0xe0 ? 3
                 : (p[0] & 0xf8) == 0xf0 ? 4
                                         : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (len > 1 && yaa_utf8_valid((const char *)p, len)) return len; /* overlongs, surrogates */
    return len == 1 ? 1 : 0;
}

/* Copies a line, replacing bytes that are not valid UTF-8 by '?': Loki refuses a whole push
 * whose JSON is not UTF-8, and one bad byte must not cost a batch. */
static char *copy_line(const char *line, size_t len) {
    char *out = malloc(len + 1);
    if (!out) return NULL;
    const unsigned char *p = (const unsigned char *)line;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            out[i++] = '?';
            continue;
        }
        memcpy(out + i, p + i, n);
        i += n;
    }
    out[len] = 0;
    return out;
}

/* The log sink: runs on the logging thread, under the logger's lock. Never waits. */
static void sink(void *ud, yaa_log_level level, const char *logger, const char *line, size_t len) {
    (void)ud;
    char *copy = copy_line(line, len);
    pthread_mutex_lock(&L.lock);
    if (!copy || L.count >= L.cfg.capacity || !L.running) {
        L.st.dropped_full++;
        pthread_mutex_unlock(&L.lock);
        free(copy);
        yaa_metrics_log_dropped("buffer_full", 1);
        return;
    }
    entry *e = &L.ring[(L.head + L.count) % L.cfg.capacity];
    e->line = copy;
    e->len = len;
    e->ts_ns = now_ns(CLOCK_REALTIME);
    e->level = level;
    snprintf(e->component, sizeof e->component, "%s", logger && *logger ? logger : "yaa");
    L.count++;
    L.st.queued++;
    if (L.count >= L.cfg.batch_lines) pthread_cond_signal(&L.wake);
    pthread_mutex_unlock(&L.lock);
}

/* Takes up to batch_lines / batch_bytes entries off the ring (caller holds the lock). */
static size_t take_batch(entry *out) {
    size_t n = 0, bytes = 0;
    while (L.count > 0 && n < L.cfg.batch_lines) {
        const entry *e = &L.ring[L.head];
        if (n > 0 && bytes + e->len > L.cfg.batch_bytes) break;
        bytes += e->len;
        out[n++] = *e;
        L.head = (L.head + 1) % L.cfg.capacity;
        L.count--;
    }
    return n;
}

/* {"streams":[{"stream":{"app":..,"component":..,"level":..},"values":[["ns","line"],..]},..]} */
static int build_body(const entry *b, size_t n, yaa_buf *out) {
    unsigned char *done = calloc(n ? n : 1, 1);
    if (!done) return YAA_ENOMEM;
    int rc = yaa_buf_puts(out, "{\"streams\":[");
    bool first_stream = true;
    for (size_t i = 0; i < n && !rc; i++) {
        if (done[i]) continue;
        rc = yaa_buf_puts(out, first_stream ? "{\"stream\":{\"app\":" : ",{\"stream\":{\"app\":");
        first_stream = false;
        if (!rc) rc = yaa_buf_json_str(out, L.app);
        if (!rc) rc = yaa_buf_puts(out, ",\"component\":");
        if (!rc) rc = yaa_buf_json_str(out, b[i].component);
        if (!rc) rc = yaa_buf_puts(out, ",\"level\":");
        if (!rc) rc = yaa_buf_json_str(out, yaa_log_level_name(b[i].level));
        if (!rc) rc = yaa_buf_puts(out, "},\"values\":[");
        bool first = true;
        for (size_t j = i; j < n && !rc; j++) {
            if (done[j] || b[j].level != b[i].level || strcmp(b[j].component, b[i].component))
                continue;
            done[j] = 1;
            rc = yaa_buf_printf(out, "%s[\"%llu\",", first ? "" : ",",
                                (unsigned long long)b[j].ts_ns);
            if (!rc) rc = yaa_buf_json_str(out, b[j].line);
            if (!rc) rc = yaa_buf_putc(out, ']');
            first = false;
        }
        if (!rc) rc = yaa_buf_puts(out, "]}");
    }
    if (!rc) rc = yaa_buf_puts(out, "]}");
    free(done);
    return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *ud) {
    yaa_buf *b = ud;
    if (b->len < 256) yaa_buf_append(b, p, size * n < 256 ? size * n : 256);
    return size * n;
}

/* One POST. Returns the HTTP status, or 0 on a network error / timeout. */
static long push_once(CURL *h, const yaa_buf *body, long timeout_ms, yaa_buf *reply) {
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    char tenant[256];
    if (L.tenant) {
        snprintf(tenant, sizeof tenant, "X-Scope-OrgID: %s", L.tenant);
        hdrs = curl_slist_append(hdrs, tenant);
    }
    curl_easy_setopt(h, CURLOPT_URL, L.url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, yaa_buf_cstr(body));
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    yaa_buf_reset(reply);
    long status = 0;
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        yaa_buf_puts(reply, curl_easy_strerror(cc));
    curl_slist_free_all(hdrs);
    return status;
}

/* Sleeps ms unless stopping (then returns early: shutdown has its own deadline). */
static void backoff_sleep(long ms) {
    pthread_mutex_lock(&L.lock);
    struct timespec until = deadline_in(ms);
    while (!L.stopping && pthread_cond_timedwait(&L.wake, &L.lock, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&L.lock);
}

static void report(const char *what, long status, const yaa_buf *reply, size_t lines) {
    /* stderr, not the logger: a log line about failing to ship logs would feed the loop */
    int n = (int)(reply->len > 200 ? 200 : reply->len);
    const char *r = yaa_buf_cstr(reply);
    while (n > 0 && (r[n - 1] == '\n' || r[n - 1] == '\r' || r[n - 1] == ' ')) n--;
    fprintf(stderr, "loki: %s to %s (status %ld%s%.*s); %zu lines dropped\n", what, L.shown_url,
            status, n ? ": " : "", n, r, lines);
}

/* Sends one batch with retries; returns with stats updated and the batch freed. */
static void ship(CURL *h, entry *b, size_t n, uint64_t stop_deadline_ns) {
    yaa_buf body, reply;
    yaa_buf_init(&body, 0);
    yaa_buf_init(&reply, 4096);
    const char *outcome = "push_failed";
    long status = 0;
    if (build_body(b, n, &body) == 0) {
        long delay = L.cfg.backoff_ms;
        for (int attempt = 0;; attempt++) {
            long timeout = L.cfg.timeout_ms;
            if (stop_deadline_ns) {
                uint64_t now = now_ns(CLOCK_MONOTONIC);
                if (now >= stop_deadline_ns) break;
                long left = (long)((stop_deadline_ns - now) / 1000000ULL);
                if (left < timeout) timeout = left;
            }
            status = push_once(h, &body, timeout, &reply);
            pthread_mutex_lock(&L.lock);
            L.st.pushes++;
            if (attempt > 0) L.st.retries++;
            pthread_mutex_unlock(&L.lock);
            if (status >= 200 && status < 300) {
                outcome = NULL;
                break;
            }
            if (status >= 400 && status < 500 && status != 429) {
                outcome = "rejected";
                break;
            }
            if (attempt >= L.cfg.max_retries) break;
            /* exponential backoff with +-25% jitter */
            long jitter =
                delay / 4 > 0 ? (long)(rand_r(&L.seed) % (unsigned)(delay / 2 + 1)) - delay / 4 : 0;
            backoff_sleep(delay + jitter);
            delay = delay * 2 > L.cfg.backoff_max_ms ? L.cfg.backoff_max_ms : delay * 2;
        }
    }
    pthread_mutex_lock(&L.lock);
    if (!outcome)
        L.st.shipped += n;
    else if (strcmp(outcome, "rejected") == 0)
        L.st.dropped_rejected += n;
    else
        L.st.dropped_failed += n;
    pthread_mutex_unlock(&L.lock);
    if (!outcome) {
        yaa_metrics_log_shipped((long)n);
    } else {
        yaa_metrics_log_dropped(outcome, (long)n);
        report(strcmp(outcome, "rejected") == 0 ? "push rejected" : "push failed", status, &reply,
               n);
    }
    for (size_t i = 0; i < n; i++) free(b[i].line);
    yaa_buf_free(&body);
    yaa_buf_free(&reply);
}

static void *run(void *arg) {
    (void)arg;
    CURL *h = curl_easy_init();
    entry *batch = calloc(L.cfg.batch_lines, sizeof *batch);
    uint64_t stop_deadline = 0;
    pthread_mutex_lock(&L.lock);
    for (;;) {
        if (!L.stopping && !L.flush_req && L.count < L.cfg.batch_lines) {
            struct timespec until = deadline_in(L.cfg.flush_ms);
            while (!L.stopping && !L.flush_req && L.count < L.cfg.batch_lines &&
                   pthread_cond_timedwait(&L.wake, &L.lock, &until) != ETIMEDOUT) {
            }
        }
        if (L.stopping && !stop_deadline)
            stop_deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)L.cfg.shutdown_ms * 1000000ULL;
        if (L.count == 0) {
            L.flush_req = false;
            pthread_cond_broadcast(&L.idle);
            if (L.stopping) break;
            continue;
        }
        size_t n = (h && batch) ? take_batch(batch) : 0;
        if (n == 0) { /* no curl handle or no memory: drop what is waiting */
            while (L.count > 0) {
                free(L.ring[L.head].line);
                L.head = (L.head + 1) % L.cfg.capacity;
                L.count--;
                L.st.dropped_failed++;
            }
            continue;
        }
        L.in_flight = true;
        pthread_mutex_unlock(&L.lock);
        ship(h, batch, n, stop_deadline);
        pthread_mutex_lock(&L.lock);
        L.in_flight = false;
        if (L.count == 0) pthread_cond_broadcast(&L.idle);
    }
    pthread_mutex_unlock(&L.lock);
    free(batch);
    if (h) curl_easy_cleanup(h);
    return NULL;
}

static char *push_url(const char *base) {
    static const char path[] = "/loki/api/v1/push";
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') n--;
    bool has_path =
        n >= sizeof path - 1 && memcmp(base + n - (sizeof path - 1), path, sizeof path - 1) == 0;
    char *u = malloc(n + sizeof path);
    if (!u) return NULL;
    memcpy(u, base, n);
    if (has_path)
        u[n] = 0;
    else
        memcpy(u + n, path, sizeof path);
    return u;
}

/* The URL without credentials, for messages. */
static char *redact(const char *url) {
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (!at || (slash && slash < at)) return strdup(url);
    size_t pre = (size_t)(host - url);
    char *out = malloc(strlen(url) + 8);
    if (!out) return NULL;
    memcpy(out, url, pre);
    snprintf(out + pre, strlen(url) + 8 - pre, "***@%s", at + 1);
    return out;
}

/* Frees what start copied (URL, tenant, labels, the ring); with L.lock held. */
static void drop_config(void) {
    free(L.url);
    free(L.shown_url);
    free(L.tenant);
    free(L.app);
    free(L.ring);
    L.url = L.shown_url = L.tenant = L.app = NULL;
    L.ring = NULL;
}

int yaa_metrics_loki_start(const yaa_loki_config *in, yaa_err *err) {
    if (!in || !in->url || !*in->url)
        return yaa_err_set(err, YAA_EINVAL, "LOKI_URL: empty; set it to http://host:3100");
    if (strncmp(in->url, "http://", 7) != 0 && strncmp(in->url, "https://", 8) != 0)
        return yaa_err_set(err, YAA_EINVAL, "LOKI_URL: '%s' must start with http:// or https://",
                           in->url);
    yaa_loki_config d;
    yaa_metrics_loki_config_default(&d);
    pthread_mutex_lock(&L.lock);
    if (L.running) {
        pthread_mutex_unlock(&L.lock);
        return yaa_err_set(err, YAA_EEXIST, "the Loki shipper is already running");
    }
    L.cfg = *in;
#define DEF(f) \
    if (L.cfg.f <= 0) L.cfg.f = d.f
    DEF(capacity);
    DEF(batch_lines);
    DEF(batch_bytes);
    DEF(flush_ms);
    DEF(timeout_ms);
    DEF(backoff_ms);
    DEF(backoff_max_ms);
    DEF(shutdown_ms);
#undef DEF
    if (L.cfg.max_retries < 0) L.cfg.max_retries = 0;
    if (L.cfg.batch_lines > L.cfg.capacity) L.cfg.batch_lines = L.cfg.capacity;
    L.url = push_url(in->url);
    L.shown_url = L.url ? redact(L.url) : NULL;
    L.tenant = in->tenant && *in->tenant ? strdup(in->tenant) : NULL;
    L.app = strdup(in->app && *in->app ? in->app : "yaa");
    L.ring = calloc(L.cfg.capacity, sizeof *L.ring);
    memset(&L.st, 0, sizeof L.st);
    L.head = L.count = 0;
    L.stopping = L.flush_req = L.in_flight = false;
    L.seed = (unsigned)now_ns(CLOCK_MONOTONIC);
    int rc = 0;
    if (!L.url || !L.shown_url || !L.app || !L.ring || (in->tenant && *in->tenant && !L.tenant)) {
        rc = yaa_err_set(err, YAA_ENOMEM, "Loki shipper: out of memory");
    } else {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        L.running = true;
        if (pthread_create(&L.thread, NULL, run, NULL) != 0) {
            L.running = false;
            rc = yaa_err_set(err, YAA_EIO, "Loki shipper: cannot start its thread");
        }
    }
    if (rc) drop_config();
    pthread_mutex_unlock(&L.lock);
    if (rc) return rc;
    yaa_metrics_default(); /* create the drop counters before the first line can be dropped */
    if (yaa_log_add_sink(sink, NULL) != 0) {
        yaa_metrics_loki_stop();
        return yaa_err_set(err, YAA_ELIMIT, "Loki shipper: the logger has no free sink slot");
    }
    return 0;
}

int yaa_metrics_loki_start_url(const char *url, yaa_err *err) {
    if (!url || !*url) return 0;
    yaa_loki_config c;
    yaa_metrics_loki_config_default(&c);
    c.url = url;
    return yaa_metrics_loki_start(&c, err);
}

void yaa_metrics_loki_stop(void) {
    pthread_mutex_lock(&L.lock);
    bool was = L.running;
    pthread_mutex_unlock(&L.lock);
    if (!was) return;
    yaa_log_remove_sink(sink, NULL); /* after this no new line arrives */
    pthread_mutex_lock(&L.lock);
    L.stopping = true;
    pthread_cond_broadcast(&L.wake);
    pthread_mutex_unlock(&L.lock);
    pthread_join(L.thread, NULL);
    pthread_mutex_lock(&L.lock);
    while (L.count > 0) { /* left over after the shutdown deadline */
        free(L.ring[L.head].line);
        L.head = (L.head + 1) % L.cfg.capacity;
        L.count--;
        L.st.dropped_failed++;
    }
    L.running = false;
    drop_config();
    pthread_cond_broadcast(&L.idle);
    pthread_mutex_unlock(&L.lock);
}

int yaa_metrics_loki_flush(long timeout_ms) {
    pthread_mutex_lock(&L.lock);
    struct timespec until = deadline_in(timeout_ms);
    int rc = 0;
    while (L.running && (L.count > 0 || L.in_flight)) {
        L.flush_req = true;
        pthread_cond_broadcast(&L.wake);
        if (pthread_cond_timedwait(&L.idle, &L.lock, &until) == ETIMEDOUT) {
            rc = YAA_ETIMEOUT;
            break;
        }
    }
    pthread_mutex_unlock(&L.lock);
    return rc;
}

void yaa_metrics_loki_get_stats(yaa_loki_stats *out) {
    pthread_mutex_lock(&L.lock);
    *out = L.st;
    out->buffered = L.count;
    pthread_mutex_unlock(&L.lock);
}
