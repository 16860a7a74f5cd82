/* review.h - review gates and run options: where a run stops for a person (after the script,
 * after the video), and what that person may do there (approve, reject with notes, replace
 * the script, edit the upload's metadata). The API, `yaa review` and the orchestrator all
 * use these, so a decision made anywhere has the same effect. docs/WORKFLOW.md.
 *
 * State lives in pipeline_runs.review_json:
 *   {"stage": "script"|"video"|null,          the gate the run waits at
 *    "approved": ["script", ...],             gates passed since the last rejection
 *    "notes": "...", "notes_from": "script_writer",   the last rejection's notes for the agents
 *    "history": [{"action","notes","from_stage","key_id","at", ...}]}
 */
#ifndef YAA_PIPELINE_REVIEW_H
#define YAA_PIPELINE_REVIEW_H

#include "core/config.h"
#include "core/err.h"
#include "core/util.h"

#include <jansson.h>
#include <stdbool.h>

struct yaa_db;
struct yaa_queue;
struct yaa_channel;
struct yaa_db_runstore_spec;

/* Gates as bits: the script gate sits after script_writer, the video gate after media_editor
 * (before publisher). */
enum { YAA_REVIEW_SCRIPT = 1, YAA_REVIEW_VIDEO = 2 };

/* "none" 0, "script", "video", "both"; -1 for anything else. */
int yaa_pipeline_review_mode_parse(const char *s);
/* The name of a gate bit ("script" / "video"). */
const char *yaa_pipeline_review_gate_name(int gate);
/* The gate that stops a run before stage index `stage` (0 when none sits there). */
int yaa_pipeline_review_gate_before(int stage);

/* A scheduled publication time: a full RFC 3339 date-time in the future, normalised to UTC
 * in out ("2026-12-24T18:00:00Z"). YAA_EINVAL with a message naming what was expected. */
int yaa_pipeline_review_publish_at(const char *in, char out[YAA_TIME_LEN + 1], yaa_err *err);

/* A topic for a new run: trimmed into out (cap bytes), 1..500 characters, no control
 * characters. YAA_EINVAL saying what is wrong. */
int yaa_pipeline_review_topic(const char *in, char *out, size_t cap, yaa_err *err);

/* Who acts and how, for the history. key_id: the API key's id, or "cli:<user>". */
typedef struct yaa_review_actor {
    const char *key_id;
} yaa_review_actor;

/* Approves the gate run_id waits at; the run goes back to pending and is queued (q may be NULL:
 * the caller runs it). YAA_ECONFLICT when the run is not awaiting review. */
int yaa_pipeline_review_approve(struct yaa_db *db, struct yaa_queue *q, const char *run_id,
                                const yaa_review_actor *who, yaa_err *err);
/* Rejects: stages from from_stage on run again (their attempt goes up) with notes handed to
 * the agents, and the run stops at the first gate after from_stage again. from_stage NULL =
 * the stage that produced what the gate shows (script_writer / media_generator). */
int yaa_pipeline_review_reject(struct yaa_db *db, struct yaa_queue *q, const char *run_id,
                               const char *notes, const char *from_stage,
                               const yaa_review_actor *who, yaa_err *err);
/* The script (script_writer's checkpoint) of a run; *out owned by the caller. */
int yaa_pipeline_review_script_get(struct yaa_db *db, const char *run_id, json_t **out,
                                   yaa_err *err);
/* The upload's metadata (seo_optimizer's checkpoint, with the edits made at the gate). */
int yaa_pipeline_review_metadata_get(struct yaa_db *db, const char *run_id, json_t **out,
                                     yaa_err *err);
/* Replaces the script while the run waits at the script gate: validated like an agent's
 * output, written to the checkpoint and to script.json / script.md in the run's folder (and
 * the artifact store). */
int yaa_pipeline_review_script_put(struct yaa_db *db, const yaa_config *cfg, const char *run_id,
                                   const json_t *script, const yaa_review_actor *who, yaa_err *err);
/* Edits the upload's metadata while the run waits at the video gate: any of title,
 * description, tags, category_id, privacy, publish_at, thumbnail; checked against YouTube's
 * limits (errors collects one {"loc","msg","type"} per bad field, then YAA_EINVAL). *out is
 * the new metadata. */
int yaa_pipeline_review_metadata_patch(struct yaa_db *db, const yaa_config *cfg, const char *run_id,
                                       const json_t *patch, const yaa_review_actor *who,
                                       json_t *errors, json_t **out, yaa_err *err);

/* ---- batches (batch.c) ---- */
typedef struct yaa_batch_item {
    const char *topic;      /* checked with yaa_pipeline_review_topic */
    const char *publish_at; /* normalised, or NULL for the batch's */
    const char *review;     /* or NULL for the batch's */
    char run_id[37];        /* out */
    bool queued;            /* out: false when the queue refused it (the run stays pending
                               and the reconciler queues it later) */
} yaa_batch_item;
/* Creates one pending run per item from base (channel, brand, dry_run, short, review,
 * publish_at), all with one new batch_id, in one transaction, and queues each: all of them or,
 * on an error, none (nothing is left behind). With the db queue the jobs are part of that
 * transaction; with Redis they are queued after the commit, and a run the queue refuses then
 * is reported with queued = false and left pending for the reconciler (yaa_queue_reconcile). */
int yaa_pipeline_batch_start(struct yaa_db *db, struct yaa_queue *q,
                             const struct yaa_db_runstore_spec *base, yaa_batch_item *items,
                             size_t n, char batch_id[37], yaa_err *err);

/* Adds one entry to a review state's history (action, key_id, at, and the extra fields). */
void yaa_pipeline_review_history_add(json_t *state, const char *action, const yaa_review_actor *who,
                                     json_t *extra);

#endif
