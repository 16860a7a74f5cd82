/* loki.h - ships the core logger's JSON lines to Loki (POST /loki/api/v1/push) in batches.
 *
 * The log sink copies each line into a bounded ring and returns at once: it never waits for
 * the network. When the ring is full the line is dropped and counted
 * (yaa_log_lines_dropped_total{reason="buffer_full"}). A background thread sends a batch
 * when batch_lines are waiting or flush_ms after the previous push, retries 429/5xx and
 * network errors with exponential backoff and jitter, gives up after max_retries (reason
 * "push_failed") and drops batches Loki refuses with another 4xx (reason "rejected").
 * Streams carry low-cardinality labels only: app, component (the logger name), level; ids
 * (run_id, request_id, ...) stay in the JSON line, where `| json | run_id="..."` finds them. */
#ifndef YAA_METRICS_LOKI_H
#define YAA_METRICS_LOKI_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct yaa_loki_config {
    const char *url;    /* LOKI_URL: http://host:3100 (the push path is added) or a full push URL */
    const char *tenant; /* X-Scope-OrgID header; NULL = none (single-tenant Loki) */
    const char *app;    /* the app label; NULL = "yaa" */
    size_t capacity;    /* lines buffered before dropping; default 10000 */
    size_t batch_lines; /* lines per push at most; default 1000 */
    size_t batch_bytes; /* line bytes per push at most; default 1 MiB */
    long flush_ms;      /* longest a line waits before a push; default 1000 */
    long timeout_ms;    /* whole push request; default 5000 */
    int max_retries;    /* retries of one batch after the first try; default 5 */
    long backoff_ms;    /* first retry delay, doubled each time; default 250 */
    long backoff_max_ms; /* default 8000 */
    long shutdown_ms;    /* longest yaa_metrics_loki_stop spends flushing; default 5000 */
} yaa_loki_config;

typedef struct yaa_loki_stats {
    uint64_t queued;           /* lines accepted into the ring */
    uint64_t shipped;          /* lines Loki accepted */
    uint64_t dropped_full;     /* ring full */
    uint64_t dropped_failed;   /* retries exhausted (or shutdown deadline) */
    uint64_t dropped_rejected; /* Loki answered 4xx (not 429) */
    uint64_t pushes;           /* HTTP requests made, retries included */
    uint64_t retries;
    size_t buffered; /* lines waiting now */
} yaa_loki_stats;

void yaa_metrics_loki_config_default(yaa_loki_config *cfg);

/* Starts the shipper and registers it as a log sink. Zero fields of cfg take the defaults.
 * One shipper per process: YAA_EEXIST if already started. */
int yaa_metrics_loki_start(const yaa_loki_config *cfg, yaa_err *err);
/* The usual start from the configuration: LOKI_URL (cfg->loki_url) with the defaults above.
 * Does nothing and returns 0 when url is NULL or empty. */
int yaa_metrics_loki_start_url(const char *url, yaa_err *err);
/* Unregisters the sink, pushes what is buffered (within shutdown_ms) and stops the thread.
 * Safe to call when not started. */
void yaa_metrics_loki_stop(void);
/* Asks for a push now and waits until the ring is empty and no push is in flight, or
 * timeout_ms passed. Returns 0, or YAA_ETIMEOUT. */
int yaa_metrics_loki_flush(long timeout_ms);
void yaa_metrics_loki_get_stats(yaa_loki_stats *out);

#endif
