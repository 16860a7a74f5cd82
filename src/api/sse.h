/* sse.h - server-sent events of one run: `stage` events (from run_stages, polled, so runs
 * executed by other processes are followed too, and from the in-process bus), `log` events
 * (in-process bus) and a final `done` event. Streams hold no server thread: they are
 * suspended between events and resumed by one hub thread (sse.c). */
#ifndef YAA_API_SSE_H
#define YAA_API_SSE_H

struct yaa_api;
struct MHD_Response;
struct MHD_Connection;

/* The hub thread (started with the server) and its end: stop ends every stream (so that none
 * is left suspended when the server stops); free releases it after the server stopped. */
int yaa_api_sse_hub_start(struct yaa_api *api);
void yaa_api_sse_hub_stop(struct yaa_api *api);
void yaa_api_sse_hub_free(struct yaa_api *api);
/* Whether one more stream may open for key_id: 0 yes, 503 (all streams taken), 429 (this
 * key's streams taken). */
int yaa_api_sse_admit(struct yaa_api *api, const char *key_id);
/* A streaming response for run_id (which exists) on conn. NULL when out of memory. */
struct MHD_Response *yaa_api_sse_response(struct yaa_api *api, struct MHD_Connection *conn,
                                          const char *run_id, const char *key_id);

#endif
