/* pipeline.h - runs the six stages of one run, checkpointing each in run_stages.
 *
 * The API (in-process workers), `yaa worker` and `yaa run` all call yaa_pipeline_execute();
 * it resumes at the first stage without a checkpoint, so a re-delivered job never redoes
 * finished work or pays for it twice. */
#ifndef YAA_PIPELINE_H
#define YAA_PIPELINE_H

#include "core/config.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>

struct yaa_db;
struct yaa_agent_ctx;

/* The stages (names, order, count): the registry in agents/stages.h. */
#include "agents/stages.h"

/* A run's topic: trimmed, 1-YAA_TOPIC_MAX characters of UTF-8, no control characters. On
 * success *out is the trimmed copy (caller frees); else YAA_EINVAL with the reason. */
#define YAA_TOPIC_MAX 500
int yaa_pipeline_topic_clean(const char *in, char **out, yaa_err *err);

/* Event kinds published while a run executes (for SSE and progress displays). */
typedef enum {
    YAA_PIPELINE_EV_STAGE = 1, /* a stage changed status: stage, status, error */
    YAA_PIPELINE_EV_LOG = 2,   /* a human-readable progress line: message */
    /* the run stopped: status completed|failed|cancelled, or awaiting_review at a gate */
    YAA_PIPELINE_EV_DONE = 3,
} yaa_pipeline_ev_kind;

typedef struct yaa_pipeline_event {
    yaa_pipeline_ev_kind kind;
    const char *run_id;
    const char *stage;   /* EV_STAGE, may be NULL otherwise */
    const char *status;  /* stage status (pending|running|done|failed|skipped) or run status */
    const char *message; /* EV_LOG line, or error text */
    double elapsed_sec;  /* since the run (EV_DONE) or stage (EV_STAGE) started */
} yaa_pipeline_event;

typedef void (*yaa_pipeline_event_fn)(void *ud, const yaa_pipeline_event *ev);

/* Cancellation: return true when the run should stop at the next checkpoint. */
typedef bool (*yaa_pipeline_cancel_fn)(void *ud, const char *run_id);

/* A stage's work: reads ctx, returns its checkpoint in *out (the agents of agents/agent.h). */
typedef int (*yaa_pipeline_stage_fn)(struct yaa_agent_ctx *ctx, json_t **out, yaa_err *err);

typedef struct yaa_pipeline_env {
    const yaa_config *cfg;
    struct yaa_db *db;
    yaa_pipeline_event_fn on_event; /* optional, called on the executing thread */
    void *event_ud;
    yaa_pipeline_cancel_fn should_cancel; /* optional; the run's db status is checked too */
    void *cancel_ud;
    /* Optional (called with cancel_ud): true once another worker owns the run's job; the
     * run then stops like a cancellation but writes nothing more (no checkpoint, status). */
    yaa_pipeline_cancel_fn lease_lost;
    /* Optional test seam: stage i runs stages[i] instead of its agent when both are set
     * (a NULL entry keeps the agent), so the orchestrator's paths can be tested without
     * models or FFmpeg. */
    const yaa_pipeline_stage_fn *stages;
} yaa_pipeline_env;

typedef struct yaa_run_options {
    const char *from_stage; /* NULL = first stage without a checkpoint */
    bool short_video;       /* 9:16 instead of 16:9 */
} yaa_run_options;

/* Executes (or resumes) run_id, which must exist in pipeline_runs. Returns 0 when the run
 * completed or stopped at a review gate (status awaiting_review, pipeline/review.h: the
 * caller holds nothing for it); YAA_ECANCELLED when cancelled or interrupted; another code
 * (err filled, run marked failed) when a stage failed. */
int yaa_pipeline_execute(const yaa_pipeline_env *env, const char *run_id,
                         const yaa_run_options *opts, yaa_err *err);

/* In-process event bus: every executing run publishes here as well as to env->on_event,
 * so an SSE handler in the same process can follow a run. Returns a subscription id > 0. */
int yaa_pipeline_subscribe(yaa_pipeline_event_fn fn, void *ud);
void yaa_pipeline_unsubscribe(int id);

#endif
