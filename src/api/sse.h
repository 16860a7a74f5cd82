/* sse.h - server-sent events of one run: `stage` events (from run_stages, polled, so runs
 * executed by other processes are followed too, and from the in-process bus), `log` events
 * (in-process bus) and a final `done` event. */
#ifndef YAA_API_SSE_H
#define YAA_API_SSE_H

struct yaa_api;
struct MHD_Response;

/* A streaming response for run_id (which exists). NULL when out of memory. */
struct MHD_Response *yaa_sse_response(struct yaa_api *api, const char *run_id);

#endif
