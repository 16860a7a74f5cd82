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
 * makes them current; last = the run's final stage (the scratch folder is then removed). */
int yaa_pipeline__artifacts_upload(const yaa_pipeline_env *env, const char *run_id,
                                   const char *out_dir, const char *stage, int attempt, bool last,
                                   yaa_err *err);
/* The run's channel: from CHANNELS_DIR, or from the database when CHANNELS_STORE=db. */
struct yaa_channel;
int yaa_pipeline__channel_load(const yaa_pipeline_env *env, const char *channel_id,
                               struct yaa_channel **out, yaa_err *err);

#endif
