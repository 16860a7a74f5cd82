/* apistore.h - the data the API reads and writes, as JSON objects in the contract's shapes,
 * built over the repositories of src/db (db/repo.h). Every function takes the db handle and
 * fills a yaa_err; results come back as jansson values the caller owns. */
#ifndef YAA_API_APISTORE_H
#define YAA_API_APISTORE_H

#include "api/api.h"
#include "api/audit.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/run_store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct yaa_db;

/* ---- runs ---- */
/* A pending run as spec asks (spec->id set by the caller). */
int yaa_api_store_run_create(struct yaa_db *db, const yaa_db_runstore_spec *spec, yaa_err *err);
/* RunDetail (stages and cost_usd included) or YAA_ENOTFOUND. */
int yaa_api_store_run_detail(struct yaa_db *db, const char *id, json_t **out, yaa_err *err);
/* RunSummary list, newest first, with the filtered total (NULL filters match any). */
int yaa_api_store_runs_list(struct yaa_db *db, const char *channel_id, const char *status,
                            const char *batch_id, long limit, long offset, json_t **runs,
                            long *total, yaa_err *err);
/* The same list as the whole response body {"runs","total","limit","offset"}, written into out
 * without a JSON tree (the list endpoint's hot path). */
int yaa_api_store_runs_list_write(struct yaa_db *db, const char *channel_id, const char *status,
                                  const char *batch_id, long limit, long offset, yaa_buf *out,
                                  yaa_err *err);
/* Status and stages of a run for the SSE stream: status into out (16 bytes), stages array. */
int yaa_api_store_run_progress(struct yaa_db *db, const char *id, char status[16], json_t **stages,
                               yaa_err *err);
/* pending|running|awaiting_review -> cancelled; YAA_ECONFLICT if finished, YAA_ENOTFOUND if absent.
 */
int yaa_api_store_run_cancel(struct yaa_db *db, const char *id, yaa_err *err);
/* failed|cancelled|completed -> pending (errors kept); YAA_ECONFLICT while pending/running. */
int yaa_api_store_run_rearm(struct yaa_db *db, const char *id, yaa_err *err);
/* Marks a run failed with a message (enqueue failures). */
int yaa_api_store_run_fail(struct yaa_db *db, const char *id, const char *msg, yaa_err *err);
/* {"total_runs","active_runs","success_runs","failed_runs","avg_duration_sec",
 *  "estimated_cost_usd","recent_runs"} */
int yaa_api_store_dashboard(struct yaa_db *db, long recent, json_t **out, yaa_err *err);

/* ---- API keys ---- */
typedef struct yaa_apistore_key {
    char id[40];
    int scopes; /* YAA_SCOPE_* bits */
    bool active;
    bool expired;   /* at the time of the lookup; see yaa_api_store_key_expired */
    time_t expires; /* 0 = never; 1 for an expiry that does not parse (refused) */
} yaa_apistore_key;
/* Whether k is past its expiry at now (a cached lookup is re-checked with this). */
bool yaa_api_store_key_expired(const yaa_apistore_key *k, time_t now);
/* Looks a key up by its SHA-256 hex; YAA_ENOTFOUND if unknown. */
int yaa_api_store_key_lookup(struct yaa_db *db, const char *hash_hex, yaa_apistore_key *out,
                             yaa_err *err);
/* Creates a key; *out is {"api_key","key_id","name","scopes","created_at","expires_at"}. */
int yaa_api_store_key_create(struct yaa_db *db, const char *name, json_t *scopes, long expires_days,
                             json_t **out, yaa_err *err);
/* Ensures a key with this plaintext exists with admin scope (ADMIN_API_KEY bootstrap). */
int yaa_api_store_key_ensure(struct yaa_db *db, const char *plaintext, const char *name,
                             yaa_err *err);
int yaa_api_store_keys_list(struct yaa_db *db, json_t **keys, yaa_err *err);
int yaa_api_store_key_revoke(struct yaa_db *db, const char *id, yaa_err *err);
int yaa_api_store_keys_touch(struct yaa_db *db, const char *const *ids, size_t n, yaa_err *err);

/* ---- audit ---- */
int yaa_api_store_audit_insert(struct yaa_db *db, const yaa_audit_entry *rows, size_t n,
                               yaa_err *err);
typedef struct yaa_audit_filter {
    const char *method, *path, *api_key_id, *since, *until;
    long status_code; /* -1 = any */
    long limit, offset;
} yaa_audit_filter;
int yaa_api_store_audit_list(struct yaa_db *db, const yaa_audit_filter *f, json_t **logs,
                             long *total, yaa_err *err);

/* ---- usage (yaa_usage_filter and the summary: api.h, shared with `yaa usage`) ---- */
/* {"totals":{...},"events":[...],"total","limit","offset"} */
int yaa_api_store_usage(struct yaa_db *db, const yaa_usage_filter *f, json_t **out, yaa_err *err);

#endif
