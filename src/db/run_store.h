/* run_store.h - the orchestrator's view of a run in the database: the run row, its stage
 * checkpoints and its usage rows. Implemented over the repositories of src/db. */
#ifndef YAA_DB_RUN_STORE_H
#define YAA_DB_RUN_STORE_H

#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>

struct yaa_db;

typedef struct yaa_db_runstore_run {
    char *id;
    char *channel_id;
    char *topic;
    char *brand_name;
    bool dry_run;
    char *status;
    char *created_at;
    bool short_video; /* options_json {"short": true}: a 9:16 video */
    char *review;     /* options_json "review": none|script|video|both, or NULL (the channel's) */
    char *publish_at; /* options_json "publish_at" (RFC 3339), or NULL */
    char *batch_id;   /* or NULL */
    json_t *review_state; /* parsed review_json, or NULL before any gate */
} yaa_db_runstore_run;

/* What a new run is asked for. id: NULL generates one. */
typedef struct yaa_db_runstore_spec {
    const char *id;
    const char *channel_id;
    const char *topic;
    const char *brand_name;
    bool dry_run;
    bool short_video;
    const char *review;     /* none|script|video|both, or NULL = the channel's publishing.review */
    const char *publish_at; /* RFC 3339, or NULL */
    const char *batch_id;   /* or NULL */
} yaa_db_runstore_spec;

typedef struct yaa_db_runstore_stage {
    bool present;
    char *status; /* pending|running|done|failed|skipped */
    int attempt;
    json_t *output; /* parsed output_json when done */
} yaa_db_runstore_stage;

/* Creates a pending run; id_out gets its UUID. */
int yaa_db_runstore_run_create(struct yaa_db *db, const char *channel_id, const char *topic,
                               const char *brand_name, bool dry_run, bool short_video,
                               char id_out[37], yaa_err *err);
/* Creates a pending run from a spec (options_json carries short/review/publish_at). */
int yaa_db_runstore_run_create_spec(struct yaa_db *db, const yaa_db_runstore_spec *spec,
                                    char id_out[37], yaa_err *err);
/* The newest run of channel_id with this exact topic that has not completed and was not
 * cancelled (pending, running or failed): what `yaa run` resumes. id_out "" when none. */
int yaa_db_runstore_run_find_unfinished(struct yaa_db *db, const char *channel_id,
                                        const char *topic, char id_out[37], yaa_err *err);
/* The same, counting completed runs too when include_completed (what `yaa run --from-stage`
 * redoes): the newest run of the topic unless it was cancelled. */
int yaa_db_runstore_run_find_latest(struct yaa_db *db, const char *channel_id, const char *topic,
                                    bool include_completed, char id_out[37], yaa_err *err);
int yaa_db_runstore_run_get(struct yaa_db *db, const char *run_id, yaa_db_runstore_run *out,
                            yaa_err *err);
void yaa_db_runstore_run_free(yaa_db_runstore_run *r);
/* Current status only (for cancellation checks). out gets at least 16 bytes. */
int yaa_db_runstore_run_status(struct yaa_db *db, const char *run_id, char *out, size_t n,
                               yaa_err *err);
/* status and current_agent (NULL keeps it); completed_at is set for final states. */
int yaa_db_runstore_run_set_status(struct yaa_db *db, const char *run_id, const char *status,
                                   const char *current_agent, yaa_err *err);
int yaa_db_runstore_run_add_error(struct yaa_db *db, const char *run_id, const char *message,
                                  yaa_err *err);
int yaa_db_runstore_run_set_result(struct yaa_db *db, const char *run_id, const json_t *result,
                                   yaa_err *err);
/* Stores the run's review state (review_json). */
int yaa_db_runstore_run_set_review(struct yaa_db *db, const char *run_id, const json_t *review,
                                   yaa_err *err);

/* The rows of the nstages stages named in names[] (the stage registry's order), by index;
 * a stage without a row stays zeroed (present = false). */
int yaa_db_runstore_stages_get(struct yaa_db *db, const char *run_id, const char *const names[],
                               yaa_db_runstore_stage out[], int nstages, yaa_err *err);
void yaa_db_runstore_stages_free(yaa_db_runstore_stage st[], int nstages);
/* Marks a stage running: attempt + 1, started_at now; returns the new attempt in *attempt. */
int yaa_db_runstore_stage_start(struct yaa_db *db, const char *run_id, const char *stage,
                                int *attempt, yaa_err *err);
/* done with output, failed with error, pending/skipped with neither. */
int yaa_db_runstore_stage_finish(struct yaa_db *db, const char *run_id, const char *stage,
                                 const char *status, const json_t *output, const char *error,
                                 yaa_err *err);

/* One usage row, written once: the id is derived from (run, agent, attempt, seq). */
typedef struct yaa_db_runstore_usage {
    const char *run_id, *agent, *provider, *model, *kind;
    int attempt, seq;
    long prompt_tokens, completion_tokens, units;
    double cost_usd;
} yaa_db_runstore_usage;
int yaa_db_runstore_usage_add(struct yaa_db *db, const yaa_db_runstore_usage *u, yaa_err *err);

#endif
