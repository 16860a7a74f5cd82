/* pipeline_internal.h - what the pipeline's own files share: the event bus's publisher and
 * the once-per-process usage hook. Not for other libraries. */
#ifndef YAA_PIPELINE_INTERNAL_H
#define YAA_PIPELINE_INTERNAL_H

#include "pipeline/pipeline.h"

/* Hands ev to every subscriber of the in-process bus (events.c). */
void yaa_pipeline__publish(const yaa_pipeline_event *ev);
/* Installs the usage hook that writes usage_events, once per process (usage_hook.c). */
void yaa_pipeline__install_usage_hook(void);

#endif
