/* metrics.h - yaa's Prometheus metrics: a lock-free registry, the text exposition 0.0.4, the
 * contract's metrics with one helper per place they are recorded, and a tiny /metrics listener.
 *
 * Hot path: a label set is resolved once to a yaa_series handle (a lock-free hash probe; the
 * first sight of a label set takes a mutex), then recording is a relaxed atomic add on a
 * per-thread shard. Handles live as long as their registry; keep them in statics if you like. */
#ifndef YAA_METRICS_METRICS_H
#define YAA_METRICS_METRICS_H

#include "core/buf.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define YAA_METRICS_MAX_LABELS 4
#define YAA_METRICS_MAX_BUCKETS 32
/* Label sets per family beyond which new ones are refused (recording becomes a no-op and a
 * warning is logged once per family): a guard against unbounded cardinality. */
#define YAA_METRICS_MAX_SERIES 2048
#define YAA_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef enum { YAA_METRIC_COUNTER, YAA_METRIC_GAUGE, YAA_METRIC_HISTOGRAM } yaa_metric_type;

typedef struct yaa_registry yaa_registry;
typedef struct yaa_family yaa_family;
typedef struct yaa_series yaa_series;

/* ---- registry ---------------------------------------------------------------------------- */

yaa_registry *yaa_metrics_registry_new(void);
void yaa_metrics_registry_free(yaa_registry *r);

/* Registers a family. label_names has nlabels entries (<= YAA_METRICS_MAX_LABELS) and must
 * be valid Prometheus label names; buckets (histograms only; NULL = the 15 default buckets
 * .005 .. 10) are strictly increasing upper bounds without +Inf. Names are copied. Returns
 * NULL and fills err on a bad name, a duplicate, or too many buckets. */
yaa_family *yaa_metrics_registry_add(yaa_registry *r, yaa_metric_type type, const char *name,
                                     const char *help, size_t nlabels,
                                     const char *const *label_names, const double *buckets,
                                     size_t nbuckets, yaa_err *err);

/* Extra text appended to the exposition (e.g. process_* metrics), called on each render. */
typedef int (*yaa_collector_fn)(void *ud, yaa_buf *out);
int yaa_metrics_registry_add_collector(yaa_registry *r, yaa_collector_fn fn, void *ud);

/* The series for these label values (nlabels of the family; NULL values count as "").
 * Lock-free when the set exists. NULL only when the family reached YAA_METRICS_MAX_SERIES
 * or memory ran out; every recording function accepts NULL and does nothing. */
yaa_series *yaa_metrics_family_series(yaa_family *f, const char *const *label_values);
/* Shorthand for families without labels. */
yaa_series *yaa_metrics_family_series0(yaa_family *f);
const char *yaa_metrics_family_name(const yaa_family *f);

/* Counters: v must be >= 0 (negative or NaN values are ignored). */
void yaa_metrics_counter_inc(yaa_series *s);
void yaa_metrics_counter_add(yaa_series *s, double v);
/* Gauges. */
void yaa_metrics_gauge_set(yaa_series *s, double v);
void yaa_metrics_gauge_add(yaa_series *s, double v);
/* Histograms. */
void yaa_metrics_histogram_observe(yaa_series *s, double v);

/* Current value (sum of shards): counter/gauge value, histogram _count. For tests. */
double yaa_metrics_series_value(const yaa_series *s);
/* Histogram _sum (0 for other types). */
double yaa_metrics_series_sum(const yaa_series *s);

/* Appends the whole exposition (text format 0.0.4) to out: families in registration order,
 * series in first-seen order, then the collectors' text. */
int yaa_metrics_registry_render(yaa_registry *r, yaa_buf *out);

/* Formats v the way Prometheus clients do (shortest round-trip, +Inf, -Inf, NaN). */
void yaa_metrics_format_double(double v, char out[32]);

/* ---- process_* metrics (from /proc) ------------------------------------------------------ */

/* Appends process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds. A collector: yaa_metrics_registry_add_collector(r, fn, NULL). */
int yaa_metrics_process_collect(void *ud, yaa_buf *out);

/* ---- the contract's metrics on the default registry --------------------------------------- */

/* The process-wide registry holding every metric of docs/CONTRACT.md "Metrics" plus the process
 * collector; created on first use, thread-safe. */
yaa_registry *yaa_metrics_default(void);
/* Writes the default registry's exposition (GET /metrics on `yaa serve`). */
int yaa_metrics_render(yaa_buf *out);

/* HTTP: one call per answered request. route is the route template
 * ("/api/v1/pipeline/runs/{run_id}"), never the raw path; unmatched requests should pass a fixed
 * string such as "unmatched". */
void yaa_metrics_http_observe(const char *method, const char *route, int status, double seconds);

/* Pipeline runs: yaa_pipeline_runs_total{status}. created = a run accepted (status pending);
 * finished with "completed", "failed" or "cancelled". */
void yaa_metrics_run_created(void);
void yaa_metrics_run_finished(const char *status);
/* yaa_pipeline_duration_seconds{channel_id}: wall time of a whole run. */
void yaa_metrics_run_duration(const char *channel_id, double seconds);
/* yaa_stage_duration_seconds{stage}. */
void yaa_metrics_stage_duration(const char *stage, double seconds);

/* Queue: yaa_queue_depth{queue} = jobs ready to be claimed; yaa_queue_jobs{queue,state} with
 * state pending (ready), delayed (waiting for a retry), dead (dead letters). */
void yaa_metrics_queue_depth(const char *queue, double n);
/* yaa_disk_free_bytes{path}: free bytes where path ("output") lives. */
void yaa_metrics_disk_free(const char *path, double bytes);
void yaa_metrics_queue_jobs(const char *queue, const char *state, double n);
/* All three at once; also sets yaa_queue_depth to pending. Negative values are skipped. */
void yaa_metrics_queue_stats(const char *queue, double pending, double delayed, double dead);

/* LLM: one call per provider request. outcome: "ok", "error", "timeout", "rate_limited", ...
 * Adds yaa_llm_requests_total, yaa_llm_tokens_total{kind=prompt|completion} and
 * yaa_llm_cost_usd_total. */
void yaa_metrics_llm(const char *provider, const char *model, long prompt_tokens,
                     long completion_tokens, double cost_usd, const char *outcome);

/* The usage hook's event (net/usage.h) as metrics: every event counts in
 * yaa_llm_requests_total (outcome ok/error/retry) and its cost in yaa_llm_cost_usd_total;
 * chat and embedding tokens in yaa_llm_tokens_total. The pipeline's usage hook calls it. */
struct yaa_usage_event;
void yaa_metrics_usage(const struct yaa_usage_event *ev);

/* Log shipping: yaa_log_lines_dropped_total{reason} (buffer_full, push_failed, rejected) and
 * yaa_log_lines_shipped_total. */
void yaa_metrics_log_dropped(const char *reason, long n);
void yaa_metrics_log_shipped(long n);

/* ---- standalone listener (yaa worker --metrics-port) -------------------------------------- */

typedef struct yaa_metrics_listener yaa_metrics_listener;

/* Serves GET /metrics (the default registry; or r when not NULL) and GET / on host:port
 * (host NULL = 0.0.0.0; port 0 = any free port, see yaa_metrics_listener_port). */
int yaa_metrics_listen(const char *host, int port, yaa_registry *r, yaa_metrics_listener **out,
                       yaa_err *err);
int yaa_metrics_listener_port(const yaa_metrics_listener *l);
void yaa_metrics_listener_stop(yaa_metrics_listener *l);

#endif
