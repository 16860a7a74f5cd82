/* pipeline_internal.h - what the pipeline's own files share: the event bus's publisher and
 * the once-per-process usage hook. Not for other libraries. */
#ifndef YAA_PIPELINE_INTERNAL_H
#define YAA_PIPELINE_INTERNAL_H

#include "pipeline/pipeline.h"

#include <jansson.h>

/* Hands ev to every subscriber of the in-process bus (events.c). */
void yaa_pipeline__publish(const yaa_pipeline_event *ev);
/* Installs the usage hook that writes usage_events, once per process (usage_hook.c). */
void yaa_pipeline__install_usage_hook(void);

/* The artifact store around each stage (artifacts.c). Before a stage: brings the run's
 * current files into out_dir (nothing to do with the file store) and rebases paths in the
 * earlier checkpoints onto out_dir. */
int yaa_pipeline__artifacts_fetch(const yaa_pipeline_env *env, const char *run_id,
                                  const char *out_dir, json_t *outputs[], int noutputs,
                                  yaa_err *err);
/* After a stage, before its checkpoint: stores what it wrote under this attempt's keys and
 * makes them current; last = the run's final stage (no sync index is kept: the scratch
 * folder goes when the run ends). */
int yaa_pipeline__artifacts_upload(const yaa_pipeline_env *env, const char *run_id,
                                   const char *out_dir, const char *stage, int attempt, bool last,
                                   yaa_err *err);
/* The scratch folders of runs (artifacts.c). begin: this process works on run_id now (its
 * folder is never evicted until the matching end). end: it stopped, whatever the reason;
 * with the s3 store the folder OUTPUT_DIR/<run_id> is removed once no other execution of
 * the run holds it (never with the file store: the folder is the artifacts). evict: past
 * ARTIFACT_CACHE_MB, removes the oldest folders of runs not being worked on (s3 only). */
int yaa_pipeline__scratch_begin(const char *run_id, yaa_err *err);
void yaa_pipeline__scratch_end(const yaa_config *cfg, const char *run_id);
void yaa_pipeline__scratch_evict(const yaa_config *cfg);
/* The run's channel: from CHANNELS_DIR, or from the database when CHANNELS_STORE=db. */
struct yaa_channel;
int yaa_pipeline__channel_load(const yaa_pipeline_env *env, const char *channel_id,
                               struct yaa_channel **out, yaa_err *err);

#endif
