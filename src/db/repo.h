/* repo.h - the repositories: every query on pipeline_runs, run_stages, channels, api_keys,
 * audit_logs and usage_events (one file each: runs_repo.c, stages_repo.c, ...), so no SQL
 * lives outside src/db. (jobs: jobs_repo.c, rag_chunks: rag_repo.c, with their own headers.)
 *
 * Conventions
 * - Records hold `const char *` fields. What a call returns (records, lists, generated ids
 *   and timestamps) is allocated in the caller's arena `a`: no _free functions.
 * - A NULL text field is SQL NULL; optional update fields left NULL are not changed.
 * - Timestamps are the storage form of db.h ("2026-02-06T10:00:00.123456Z"); filters
 *   accept any RFC 3339 or date string and normalise it (a bad one is YAA_EINVAL naming
 *   the field). yaa_db_time_public() gives the contract's "...:00Z" form for output.
 * - Lists: limit <= 0 takes the default, larger than the maximum is capped; *total is the
 *   count of every row matching the filters (for pagination).
 * - Missing rows: YAA_ENOTFOUND with a message naming the id.
 * - Every function takes a yaa_db, which may be a yaa_db_tx view.
 */
#ifndef YAA_DB_REPO_H
#define YAA_DB_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "db/db.h"

/* ---------------- pipeline_runs (runs_repo.c) ---------------- */

typedef struct yaa_db_run {
    const char *id; /* UUIDv4 */
    const char *channel_id;
    const char *topic;
    const char *brand_name;
    bool dry_run;
    const char *status; /* pending | running | awaiting_review | completed | failed | cancelled */
    const char *current_agent;
    const char *result_json; /* NULL until there is one */
    const char *errors_json; /* JSON array, "[]" */
    const char *created_at;
    const char *updated_at;
    const char *completed_at;
    const char
        *options_json;    /* {"short": true, "review": "video", "publish_at": ...}; NULL = none */
    const char *batch_id; /* the batch that created the run, or NULL */
    const char *review_json; /* {"stage","approved","history"} (pipeline/review.c), or NULL */
} yaa_db_run;

/* Inserts run. NULL id, status, brand_name, errors_json get a new UUID, "pending", "" and
 * "[]"; created_at/updated_at are now (the generated values are written back into *run,
 * allocated in a). */
int yaa_db_runs_create(yaa_db *db, yaa_db_run *run, yaa_arena *a, yaa_err *err);
int yaa_db_runs_get(yaa_db *db, const char *id, yaa_arena *a, yaa_db_run *out, yaa_err *err);

typedef struct yaa_db_run_filter {
    const char *channel_id; /* NULL = any */
    const char *status;     /* NULL = any */
    int64_t limit;          /* default 20, max 1000 */
    int64_t offset;
    const char *batch_id; /* NULL = any */
    bool summary;         /* only a list item's fields: result, errors and review stay NULL */
} yaa_db_run_filter;

/* Newest first (created_at desc). */
int yaa_db_runs_list(yaa_db *db, const yaa_db_run_filter *f, yaa_arena *a, yaa_db_run **items,
                     size_t *n, int64_t *total, yaa_err *err);

typedef struct yaa_db_run_update {
    const char *status;        /* NULL = unchanged */
    const char *current_agent; /* NULL = unchanged */
    bool clear_current_agent;  /* set current_agent to NULL */
    const char *errors_json;   /* NULL = unchanged */
    const char *result_json;   /* NULL = unchanged */
    const char *review_json;   /* NULL = unchanged */
    bool set_completed_at;     /* completed_at = now */
    bool clear_completed_at;   /* completed_at = NULL (a retried run) */
    /* If set ("pending,running"), the update applies only while the run's status is one of
     * these; otherwise YAA_ECONFLICT naming the current status (e.g. cancel -> 409). */
    const char *if_status_in;
} yaa_db_run_update;

/* Applies u and bumps updated_at. YAA_ENOTFOUND, YAA_ECONFLICT (see if_status_in). */
int yaa_db_runs_update(yaa_db *db, const char *id, const yaa_db_run_update *u, yaa_err *err);
/* Deletes a run with its stages and usage events (cascade). */
int yaa_db_runs_delete(yaa_db *db, const char *id, yaa_err *err);

typedef struct yaa_db_run_stats {
    int64_t total;
    int64_t active; /* pending + running */
    int64_t completed;
    int64_t failed;
    int64_t cancelled;
    int64_t awaiting_review; /* stopped at a review gate */
    bool has_avg_duration;   /* false when no completed run has completed_at */
    double avg_duration_sec; /* mean (completed_at - created_at) over completed runs */
} yaa_db_run_stats;

/* Dashboard aggregates over every run (channel_id NULL) or one channel's. */
int yaa_db_runs_stats(yaa_db *db, const char *channel_id, yaa_db_run_stats *out, yaa_err *err);

/* ---------------- run_stages (stages_repo.c): the checkpoints ---------------- */

typedef struct yaa_db_stage {
    const char *run_id;
    const char *stage;
    const char *status; /* pending | running | done | failed | skipped */
    int64_t attempt;
    const char *started_at;
    const char *finished_at;
    const char *output_json;
    const char *error;
} yaa_db_stage;

/* Marks a stage running: inserts it with attempt 1, or on a re-run increments attempt and
 * clears finished_at/output/error; started_at = now. *attempt (may be NULL) gets the new
 * attempt number. YAA_EINVAL if the run does not exist. */
int yaa_db_stages_start(yaa_db *db, const char *run_id, const char *stage, int64_t *attempt,
                        yaa_err *err);
/* Records a stage's end: status (done | failed | skipped), finished_at = now, output_json
 * (the checkpoint, may be NULL) and error (may be NULL). Inserts the row if start was never
 * called (attempt 1). */
int yaa_db_stages_finish(yaa_db *db, const char *run_id, const char *stage, const char *status,
                         const char *output_json, const char *error, yaa_err *err);
/* Writes every field of s as given (insert or replace; attempt as given, 0 -> 1). */
int yaa_db_stages_put(yaa_db *db, const yaa_db_stage *s, yaa_err *err);
int yaa_db_stages_get(yaa_db *db, const char *run_id, const char *stage, yaa_arena *a,
                      yaa_db_stage *out, yaa_err *err);
/* All stages of a run, by started_at (unstarted last), then name. */
int yaa_db_stages_list(yaa_db *db, const char *run_id, yaa_arena *a, yaa_db_stage **items,
                       size_t *n, yaa_err *err);
/* Drops one checkpoint (a retry from that stage); no error if absent. */
int yaa_db_stages_delete(yaa_db *db, const char *run_id, const char *stage, yaa_err *err);

/* ---------------- channels (channels_repo.c) ---------------- */

typedef struct yaa_db_channel {
    const char *id;
    const char *name;
    const char *category;    /* NULL -> "general" on upsert */
    const char *description; /* NULL -> "" */
    const char *language;    /* NULL -> "en" */
    const char *created_at;
    const char *updated_at;
    const char *deleted_at; /* NULL unless soft-deleted */
} yaa_db_channel;

/* Disk sync: inserts the channel, or updates name/category/description/language of an
 * existing one (created_at kept) and clears deleted_at. */
int yaa_db_channels_upsert(yaa_db *db, const yaa_db_channel *c, yaa_err *err);
/* A soft-deleted channel is YAA_ENOTFOUND unless include_deleted. */
int yaa_db_channels_get(yaa_db *db, const char *id, bool include_deleted, yaa_arena *a,
                        yaa_db_channel *out, yaa_err *err);
/* Channels not deleted, by id. */
int yaa_db_channels_list(yaa_db *db, yaa_arena *a, yaa_db_channel **items, size_t *n, yaa_err *err);
/* Any of name/category/description (NULL = unchanged); YAA_ENOTFOUND if absent/deleted. */
int yaa_db_channels_update(yaa_db *db, const char *id, const char *name, const char *category,
                           const char *description, yaa_err *err);
/* Sets deleted_at = now; YAA_ENOTFOUND if absent or already deleted. */
int yaa_db_channels_delete(yaa_db *db, const char *id, yaa_err *err);

/* ---------------- api_keys (keys_repo.c) ---------------- */

#define YAA_APIKEY_LEN 47 /* "yaa_" + 43 url-safe base64 characters */

typedef struct yaa_db_apikey {
    const char *id;         /* UUIDv4, the key_id of the API */
    const char *key_hash;   /* SHA-256 hex of the plaintext key */
    const char *key_prefix; /* "yaa_" + 8 characters, or NULL (older keys, foreign ADMIN_API_KEY) */
    const char *name;
    const char *scopes_json; /* e.g. ["read","write"] */
    bool is_active;
    const char *created_at;
    const char *expires_at; /* NULL = never */
    const char *last_used_at;
} yaa_db_apikey;

/* A new key: "yaa_" + base64url (no padding) of 32 bytes from the CSPRNG, and its SHA-256
 * hex. Shared by `yaa keys create`, POST /admin/api-keys and the ADMIN_API_KEY bootstrap. */
int yaa_db_apikey_generate(char key[YAA_APIKEY_LEN + 1], char hash[65], yaa_err *err);
#define YAA_APIKEY_PREFIX_LEN 12 /* "yaa_" + 8 of the 43 random characters: 48 of 256 bits */
/* The shown prefix of a yaa key; "" for anything that is not a well-formed yaa key (a
 * hand-made ADMIN_API_KEY could be short enough for a prefix to give it away). */
void yaa_db_apikey_prefix(const char *key, char out[YAA_APIKEY_PREFIX_LEN + 1]);
/* True if s looks like a yaa key (prefix and length and alphabet). */
bool yaa_db_apikey_wellformed(const char *s);

/* Validates a scope list ("read,write", "admin", with spaces allowed; NULL or "" ->
 * read,write) and writes its JSON array (["read","write"]) into the arena. Unknown scope:
 * YAA_EINVAL naming it. */
int yaa_db_scopes_json(const char *csv, yaa_arena *a, const char **json, yaa_err *err);
/* True if the key's scopes_json lists scope. */
bool yaa_db_apikey_has_scope(const yaa_db_apikey *k, const char *scope);
/* Active and not expired at now. */
bool yaa_db_apikey_usable(const yaa_db_apikey *k, time_t now);

/* Stores k (id NULL -> new UUID; scopes_json NULL -> ["read","write"]; created_at now;
 * is_active forced true). Generated values are written back into *k. */
int yaa_db_keys_create(yaa_db *db, yaa_db_apikey *k, yaa_arena *a, yaa_err *err);
/* Generates a key and stores it: the plaintext goes to key (shown once), the record to
 * *out. expires_days 0 = never (else 1-3650). scopes_csv as yaa_db_scopes_json. */
int yaa_db_keys_issue(yaa_db *db, const char *name, const char *scopes_csv, int expires_days,
                      char key[YAA_APIKEY_LEN + 1], yaa_arena *a, yaa_db_apikey *out, yaa_err *err);
/* ADMIN_API_KEY bootstrap: stores plaintext's hash with scopes_json (NULL -> admin,read,
 * write) unless a key with that hash exists (then re-activates it). */
int yaa_db_keys_ensure(yaa_db *db, const char *plaintext, const char *name, const char *scopes_json,
                       yaa_err *err);
int yaa_db_keys_get(yaa_db *db, const char *id, yaa_arena *a, yaa_db_apikey *out, yaa_err *err);
/* Looks a presented key up by its SHA-256 hex (active or not: check yaa_db_apikey_usable). */
int yaa_db_keys_find_by_hash(yaa_db *db, const char *key_hash, yaa_arena *a, yaa_db_apikey *out,
                             yaa_err *err);
/* Newest first; revoked keys too if include_inactive. */
int yaa_db_keys_list(yaa_db *db, bool include_inactive, yaa_arena *a, yaa_db_apikey **items,
                     size_t *n, yaa_err *err);
/* is_active = false; YAA_ENOTFOUND if no such key. */
int yaa_db_keys_revoke(yaa_db *db, const char *id, yaa_err *err);
/* last_used_at = now. */
int yaa_db_keys_touch(yaa_db *db, const char *id, yaa_err *err);

/* ---------------- audit_logs (audit_repo.c) ---------------- */

typedef struct yaa_db_audit {
    int64_t id;            /* assigned by the database */
    const char *timestamp; /* NULL -> now on insert */
    const char *method;
    const char *path;
    int64_t status_code;
    const char *api_key_id;
    const char *ip_address;
    const char *user_agent;
    double duration_ms;
    const char *request_id;
    int64_t request_count; /* requests the row stands for (<= 0 means 1) */
} yaa_db_audit;

/* Inserts n rows in one transaction (the API's batched audit writer). */
int yaa_db_audit_insert_many(yaa_db *db, const yaa_db_audit *rows, size_t n, yaa_err *err);

typedef struct yaa_db_audit_filter {
    const char *method;     /* compared upper-cased */
    const char *path;       /* prefix: "/api/v1/pipeline" matches its sub-paths */
    int64_t status_code;    /* 0 = any */
    const char *api_key_id; /* exact */
    const char *since;      /* timestamp >= since */
    const char *until;      /* timestamp <= until */
    int64_t limit;          /* default 50, max 1000 */
    int64_t offset;
} yaa_db_audit_filter;

/* Retention: deletes rows older than `before` (any RFC 3339 / date); *deleted may be NULL. */
int yaa_db_audit_delete_before(yaa_db *db, const char *before, int64_t *deleted, yaa_err *err);

/* Newest first. */
int yaa_db_audit_list(yaa_db *db, const yaa_db_audit_filter *f, yaa_arena *a, yaa_db_audit **items,
                      size_t *n, int64_t *total, yaa_err *err);

/* ---------------- usage_events (usage_repo.c) ---------------- */

typedef struct yaa_db_usage {
    const char *id;     /* supplied by the caller (idempotency key); NULL -> new UUID */
    const char *run_id; /* NULL for usage outside a run (e.g. indexing) */
    const char *agent;
    const char *provider;
    const char *model;
    const char *kind; /* chat | embedding | tts | image; NULL -> chat */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    int64_t total_tokens; /* 0 -> prompt + completion */
    double units;         /* characters, images, seconds: for non-token services */
    double cost_usd;
    const char *created_at; /* NULL -> now */
} yaa_db_usage;

/* INSERT ... ON CONFLICT (id) DO NOTHING: a replayed event is not counted twice.
 * *inserted (may be NULL) tells whether the row is new. */
int yaa_db_usage_insert(yaa_db *db, const yaa_db_usage *u, bool *inserted, yaa_err *err);

typedef struct yaa_db_usage_filter {
    const char *run_id;
    const char *channel_id; /* via pipeline_runs */
    const char *agent;
    const char *provider;
    const char *model;
    const char *from; /* created_at >= from */
    const char *to;   /* created_at <= to */
    int64_t limit;    /* default 50, max 1000 */
    int64_t offset;
} yaa_db_usage_filter;

typedef struct yaa_db_usage_totals {
    int64_t prompt_tokens;
    int64_t completion_tokens;
    int64_t total_tokens;
    double cost_usd;
    int64_t events;
} yaa_db_usage_totals;

/* Newest first; totals (may be NULL) sum every matching event, not just the page. */
int yaa_db_usage_list(yaa_db *db, const yaa_db_usage_filter *f, yaa_arena *a, yaa_db_usage **items,
                      size_t *n, int64_t *total, yaa_db_usage_totals *totals, yaa_err *err);

/* One group of GET /usage/summary: key is the run id, day (YYYY-MM-DD), agent, provider,
 * model or channel id (NULL for events outside a run when grouping by run or channel). */
typedef struct yaa_db_usage_group {
    const char *key;
    int64_t prompt_tokens;
    int64_t completion_tokens;
    int64_t total_tokens;
    double cost_usd;
    int64_t events;
} yaa_db_usage_group;

/* True for the group_by values yaa_db_usage_summary accepts:
 * run, day, agent, provider, model, channel. */
bool yaa_db_usage_group_by_valid(const char *group_by);

/* Sums of the events matching f (limit/offset ignored) grouped by group_by; days in
 * ascending order, other groups by cost (highest first) then key. totals (may be NULL) is
 * the sum over all groups. Whole days come from usage_rollup (0021, kept by triggers), the
 * partial days at the edges of from/to from usage_events, so the answer is exact. */
int yaa_db_usage_summary(yaa_db *db, const yaa_db_usage_filter *f, const char *group_by,
                         yaa_arena *a, yaa_db_usage_group **groups, size_t *n,
                         yaa_db_usage_totals *totals, yaa_err *err);

/* The totals of the events matching f (limit/offset ignored), read like the summary from the
 * rollup of 0021: what RunDetail.cost_usd, the dashboard and budgets use. */
int yaa_db_usage_totals_get(yaa_db *db, const yaa_db_usage_filter *f, yaa_db_usage_totals *t,
                            yaa_err *err);

/* ---- idempotency_keys (idempotency_repo.c) ---------------------------------------------- */

typedef struct yaa_db_idem {
    const char *api_key_id; /* "" without a key */
    const char *route;      /* "POST /api/v1/pipeline/run" */
    const char *idem_key;
    const char *body_sha256;
    int status_code;           /* 0 while the first request runs */
    const char *response_json; /* NULL while it runs */
    const char *created_at;
} yaa_db_idem;

/* Claims (key, route, idem_key) for a first request; *reserved false when a row exists. */
int yaa_db_idem_reserve(yaa_db *db, const yaa_db_idem *x, bool *reserved, yaa_err *err);
/* The row of (api_key_id, route, idem_key) in key; YAA_ENOTFOUND. Strings from a. */
int yaa_db_idem_get(yaa_db *db, const yaa_db_idem *key, yaa_arena *a, yaa_db_idem *out,
                    yaa_err *err);
/* Stores the first answer (status_code, response_json). */
int yaa_db_idem_finish(yaa_db *db, const yaa_db_idem *x, yaa_err *err);
/* Deletes the row of (api_key_id, route, idem_key); with x->created_at set, only while the
 * row still has that created_at (a row read before, not one reserved again since). */
int yaa_db_idem_delete(yaa_db *db, const yaa_db_idem *x, yaa_err *err);
/* Deletes rows created before `before` (RFC 3339). */
int yaa_db_idem_prune(yaa_db *db, const char *before, yaa_err *err);

#endif
