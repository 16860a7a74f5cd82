/* routes.c - the route table of docs/CONTRACT.md "HTTP API", with each route's scope and the
 * validation rules of its query and body. Dispatch, 405 and /openapi.json all read it. */
#include "api/api_internal.h"

#include "agents/stages.h"

#define API "/api/v1"

static const char *const run_statuses[] = {
    "pending", "running", "awaiting_review", "completed", "failed", "cancelled", NULL};
static const char *const review_modes[] = {"none", "script", "video", "both", NULL};
static const char *const scopes[] = {"read", "write", "admin", NULL};
static const char *const languages[] = {"en", "ko", NULL};
static const char *const privacies[] = {"private", "unlisted", "public", NULL};
static const char *const group_bys[] = {"run",   "day",     "agent", "provider",
                                        "model", "channel", NULL};

static const yaa_field_spec run_body[] = {
    {"channel_id", YAA_V_STR, true, 1, 100, NULL, "channel to produce the video for"},
    {"topic", YAA_V_STR, true, 1, 500, NULL, "what the video is about"},
    {"brand_name", YAA_V_STR, false, 0, 200, NULL, "brand name override"},
    {"dry_run", YAA_V_BOOL, false, 0, 0, NULL, "skip the YouTube upload"},
    {"short", YAA_V_BOOL, false, 0, 0, NULL, "a vertical 1080x1920 YouTube Short"},
    {"review", YAA_V_ENUM, false, 0, 0, review_modes,
     "stop for a person after the script, the video, both (default: the channel's "
     "publishing.review)"},
    {"publish_at", YAA_V_TIME, false, 0, 0, NULL,
     "schedule the YouTube publication (RFC 3339, in the future)"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec batch_body[] = {
    {"channel_id", YAA_V_STR, true, 1, 100, NULL, "channel to produce the videos for"},
    {"topics", YAA_V_OBJ_ARR, true, 1, 100, NULL,
     "one run each: {\"topic\" (1-500), \"publish_at\"? (RFC 3339), \"review\"?}"},
    {"brand_name", YAA_V_STR, false, 0, 200, NULL, "brand name override"},
    {"dry_run", YAA_V_BOOL, false, 0, 0, NULL, "skip the YouTube upload"},
    {"short", YAA_V_BOOL, false, 0, 0, NULL, "vertical 1080x1920 YouTube Shorts"},
    {"review", YAA_V_ENUM, false, 0, 0, review_modes, "review gates for every run of the batch"},
    {"publish_at", YAA_V_TIME, false, 0, 0, NULL, "default publication time of the batch"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec script_body[] = {
    {"title", YAA_V_STR, true, 1, 200, NULL, "the video's working title"},
    {"sections", YAA_V_OBJ_ARR, true, 1, 12, NULL,
     "{\"heading\", \"narration\", \"on_screen_text\"?, \"visual_notes\"?}"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec metadata_body[] = {
    {"title", YAA_V_STR, false, 1, 100, NULL, "at most 100 characters, no < or >"},
    {"description", YAA_V_STR, false, 0, 5000, NULL, "at most 5000 bytes, no < or >"},
    {"tags", YAA_V_STR_ARR, false, 1, 500, NULL,
     "YouTube tags: at most 500 characters in all, counting a comma between tags and the "
     "quotes YouTube adds around a tag with a space; none empty"},
    {"category_id", YAA_V_STR, false, 1, 2, NULL, "a YouTube category number, e.g. \"28\""},
    {"category", YAA_V_STR, false, 1, 2, NULL, "another name for category_id (send one of them)"},
    {"privacy", YAA_V_ENUM, false, 0, 0, privacies, "private, unlisted or public"},
    {"publish_at", YAA_V_TIME, false, 0, 0, NULL, "RFC 3339 in the future (makes it private)"},
    {"thumbnail", YAA_V_STR, false, 1, 20, NULL, "thumbnail.png or images/NN.png"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec reject_body[] = {
    {"notes", YAA_V_STR, true, 1, 4000, NULL, "what to change, given to the agents"},
    {"from_stage", YAA_V_ENUM, false, 0, 0, yaa_agents_stage_names,
     "stage to re-run from (default script_writer)"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec runs_query[] = {
    {"channel_id", YAA_V_STR, false, 0, 100, NULL, "only this channel's runs"},
    {"status", YAA_V_ENUM, false, 0, 0, run_statuses, "only runs in this status"},
    {"batch_id", YAA_V_UUID, false, 0, 0, NULL, "only the runs of this batch"},
    {"limit", YAA_V_INT, false, 1, 100, NULL, "page size (default 20)"},
    {"offset", YAA_V_INT, false, 0, 1000000000, NULL, "rows to skip"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec retry_body[] = {
    {"from_stage", YAA_V_ENUM, false, 0, 0, yaa_agents_stage_names, "stage to resume from"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec dash_query[] = {
    {"limit", YAA_V_INT, false, 0, 100, NULL, "recent runs to include (default 5)"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec channel_body[] = {
    {"channel_id", YAA_V_SLUG, true, 1, 100, NULL, "^[A-Za-z0-9_-]{1,100}$"},
    {"name", YAA_V_STR, true, 1, 200, NULL, "display name"},
    {"category", YAA_V_STR, false, 0, 50, NULL, "default general"},
    {"description", YAA_V_STR, false, 0, 500, NULL, "free text"},
    {"language", YAA_V_ENUM, false, 0, 0, languages, "en or ko (the template has no default)"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec channel_patch[] = {
    {"name", YAA_V_STR, false, 1, 200, NULL, "display name"},
    {"category", YAA_V_STR, false, 0, 50, NULL, "category"},
    {"description", YAA_V_STR, false, 0, 500, NULL, "free text"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec key_body[] = {
    {"name", YAA_V_STR, true, 1, 200, NULL, "what the key is for"},
    {"scopes", YAA_V_ENUM_ARR, false, 1, 0, scopes, "default [\"read\",\"write\"]"},
    {"expires_days", YAA_V_INT, false, 1, 365, NULL, "days until it expires"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec audit_query[] = {
    {"limit", YAA_V_INT, false, 1, 1000, NULL, "page size (default 100)"},
    {"offset", YAA_V_INT, false, 0, 1000000000, NULL, "rows to skip"},
    {"method", YAA_V_STR, false, 0, 10, NULL, "HTTP method"},
    {"path", YAA_V_STR, false, 0, 255, NULL, "path prefix"},
    {"status_code", YAA_V_INT, false, 100, 599, NULL, "response status"},
    {"api_key_id", YAA_V_STR, false, 0, 64, NULL, "key id"},
    {"since", YAA_V_TIME, false, 0, 0, NULL, "RFC 3339 lower bound"},
    {"until", YAA_V_TIME, false, 0, 0, NULL, "RFC 3339 upper bound"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
#define USAGE_FILTERS                                                      \
    {"run_id", YAA_V_STR, false, 0, 64, NULL, "run id"},                   \
        {"channel_id", YAA_V_STR, false, 0, 100, NULL, "channel id"},      \
        {"agent", YAA_V_STR, false, 0, 64, NULL, "agent (stage) name"},    \
        {"provider", YAA_V_STR, false, 0, 64, NULL, "provider"},           \
        {"model", YAA_V_STR, false, 0, 200, NULL, "model"},                \
        {"from", YAA_V_TIME, false, 0, 0, NULL, "RFC 3339 lower bound"}, { \
        "to", YAA_V_TIME, false, 0, 0, NULL, "RFC 3339 upper bound"        \
    }
static const yaa_field_spec usage_query[] = {
    USAGE_FILTERS,
    {"limit", YAA_V_INT, false, 1, 1000, NULL, "page size (default 50)"},
    {"offset", YAA_V_INT, false, 0, 1000000000, NULL, "rows to skip"},
    {NULL, 0, false, 0, 0, NULL, NULL}};
static const yaa_field_spec usage_summary_query[] = {
    USAGE_FILTERS,
    {"group_by", YAA_V_ENUM, false, 0, 0, group_bys, "grouping (default day)"},
    {NULL, 0, false, 0, 0, NULL, NULL}};

static const yaa_field_spec oauth_callback_query[] = {
    {"state", YAA_V_STR, false, 0, 200, NULL, "the flow's one-use state"},
    {"code", YAA_V_STR, false, 0, 2048, NULL, "Google's authorization code"},
    {"error", YAA_V_STR, false, 0, 200, NULL, "set when consent was refused"},
    {NULL, 0, false, 0, 0, NULL, NULL}};

#define R YAA_SCOPE_READ
#define W YAA_SCOPE_WRITE
#define A YAA_SCOPE_ADMIN

static const yaa_route routes[] = {
    {"GET", API "/health", 0, yaa_api__h_health, NULL, NULL, 200, "Service health", "service",
     NULL},
    {"GET", "/health", 0, yaa_api__h_health, NULL, NULL, 200, "Service health (root alias)",
     "service", NULL},
    {"GET", "/metrics", 0, yaa_api__h_metrics, NULL, NULL, 200, "Prometheus metrics", "service",
     "text/plain"},
    {"GET", "/openapi.json", 0, yaa_api__h_openapi, NULL, NULL, 200, "This OpenAPI document",
     "service", NULL},
    {"GET", API "/openapi.json", 0, yaa_api__h_openapi, NULL, NULL, 200, "This OpenAPI document",
     "service", NULL},
    {"GET", "/docs", 0, yaa_api__h_docs, NULL, NULL, 200, "Browsable API documentation", "service",
     "text/html"},
    {"GET", API "/docs", 0, yaa_api__h_docs, NULL, NULL, 200, "Browsable API documentation",
     "service", "text/html"},
    {"GET", "/redoc", 0, yaa_api__h_docs, NULL, NULL, 200,
     "Browsable API documentation (ReDoc's path)", "service", "text/html"},
    {"POST", API "/pipeline/run", W, yaa_api__h_run_start, run_body, NULL, 202,
     "Start a pipeline run (queued)", "pipeline", NULL},
    {"POST", API "/pipeline/batch", W, yaa_api__h_batch_start, batch_body, NULL, 202,
     "Start one run per topic (a batch)", "pipeline", NULL},
    {"GET", API "/pipeline/runs/{run_id}/script", W, yaa_api__h_review_script_get, NULL, NULL, 200,
     "The script of a run (review)", "review", NULL},
    {"PUT", API "/pipeline/runs/{run_id}/script", W, yaa_api__h_review_script_put, script_body,
     NULL, 200, "Replace the script at the script gate", "review", NULL},
    {"GET", API "/pipeline/runs/{run_id}/metadata", W, yaa_api__h_review_metadata_get, NULL, NULL,
     200, "The upload's metadata of a run (review)", "review", NULL},
    {"PATCH", API "/pipeline/runs/{run_id}/metadata", W, yaa_api__h_review_metadata, metadata_body,
     NULL, 200, "Edit the upload's metadata at the video gate", "review", NULL},
    {"POST", API "/pipeline/runs/{run_id}/approve", W, yaa_api__h_review_approve, NULL, NULL, 202,
     "Approve the gate a run waits at", "review", NULL},
    {"POST", API "/pipeline/runs/{run_id}/reject", W, yaa_api__h_review_reject, reject_body, NULL,
     202, "Reject with notes: re-run from a stage, then stop at the gate again", "review", NULL},
    {"GET", API "/pipeline/runs", R, yaa_api__h_runs_list, NULL, runs_query, 200,
     "List runs, newest first", "pipeline", NULL},
    {"GET", API "/pipeline/runs/{run_id}", R, yaa_api__h_run_get, NULL, NULL, 200,
     "Run detail with stages and cost", "pipeline", NULL},
    {"GET", API "/pipeline/runs/{run_id}/events", R, yaa_api__h_run_events, NULL, NULL, 200,
     "Server-sent events of a run", "pipeline", "text/event-stream"},
    {"POST", API "/pipeline/runs/{run_id}/cancel", W, yaa_api__h_run_cancel, NULL, NULL, 202,
     "Cancel a run", "pipeline", NULL},
    {"POST", API "/pipeline/runs/{run_id}/retry", W, yaa_api__h_run_retry, retry_body, NULL, 202,
     "Retry a run from its checkpoints", "pipeline", NULL},
    {"GET", API "/pipeline/runs/{run_id}/artifacts/{name}", R, yaa_api__h_run_artifact, NULL, NULL,
     200, "Download an artifact (Range supported)", "pipeline", "application/octet-stream"},
    {"GET", API "/pipeline/runs/{run_id}/artifacts/{dir}/{name}", R, yaa_api__h_run_artifact, NULL,
     NULL, 200, "Download images/NN.png or audio/NN.wav", "pipeline", "application/octet-stream"},
    {"GET", API "/status/{run_id}", R, yaa_api__h_status, NULL, NULL, 200, "Run status", "pipeline",
     NULL},
    {"GET", API "/dashboard/summary", R, yaa_api__h_dashboard, NULL, dash_query, 200,
     "Dashboard summary", "dashboard", NULL},
    {"GET", API "/channels", R, yaa_api__h_channels_list, NULL, NULL, 200, "List channels",
     "channels", NULL},
    {"POST", API "/channels", A, yaa_api__h_channel_create, channel_body, NULL, 201,
     "Create a channel from the template", "channels", NULL},
    {"GET", API "/channels/{channel_id}", R, yaa_api__h_channel_get, NULL, NULL, 200,
     "Channel info", "channels", NULL},
    {"PATCH", API "/channels/{channel_id}", A, yaa_api__h_channel_update, channel_patch, NULL, 200,
     "Update a channel", "channels", NULL},
    {"DELETE", API "/channels/{channel_id}", A, yaa_api__h_channel_delete, NULL, NULL, 200,
     "Delete a channel (files moved aside)", "channels", NULL},
    {"GET", API "/channels/{channel_id}/youtube", R, yaa_api__h_youtube_get, NULL, NULL, 200,
     "The YouTube account the channel uploads with", "channels", NULL},
    {"POST", API "/channels/{channel_id}/youtube/connect", A, yaa_api__h_youtube_connect, NULL,
     NULL, 200, "Start connecting the channel's own YouTube account (consent URL)", "channels",
     NULL},
    {"DELETE", API "/channels/{channel_id}/youtube", A, yaa_api__h_youtube_disconnect, NULL, NULL,
     200, "Forget the channel's own YouTube account", "channels", NULL},
    {"GET", API "/youtube/oauth/callback", 0, yaa_api__h_youtube_callback, NULL,
     oauth_callback_query, 200,
     "Google's redirect after consent (public; the one-use state authorises it)", "channels",
     "text/html"},
    {"GET", API "/channels/{channel_id}/files", R, yaa_api__h_channel_files, NULL, NULL, 200,
     "The channel's files (path, size, sha256) and its revision", "channels", NULL},
    {"GET", API "/channels/{channel_id}/files/{name}", R, yaa_api__h_channel_file_get, NULL, NULL,
     200, "One channel file (config.yaml, brand_guide.yaml, ...)", "channels",
     "application/octet-stream"},
    {"GET", API "/channels/{channel_id}/files/{dir}/{name}", R, yaa_api__h_channel_file_get, NULL,
     NULL, 200, "One channel file in a folder (knowledge/, media/, music/)", "channels",
     "application/octet-stream"},
    {"PUT", API "/channels/{channel_id}/files/{name}", A, yaa_api__h_channel_file_put, NULL, NULL,
     200, "Replace a channel file (the body is its content; YAML is checked)", "channels", NULL},
    {"PUT", API "/channels/{channel_id}/files/{dir}/{name}", A, yaa_api__h_channel_file_put, NULL,
     NULL, 200, "Replace a channel file in a folder", "channels", NULL},
    {"GET", API "/channels/{channel_id}/revisions", R, yaa_api__h_channel_revisions, NULL, NULL,
     200, "Revision history (CHANNELS_STORE=db)", "channels", NULL},
    {"POST", API "/admin/api-keys", A, yaa_api__h_keys_create, key_body, NULL, 201,
     "Create an API key (shown once)", "admin", NULL},
    {"GET", API "/admin/api-keys", A, yaa_api__h_keys_list, NULL, NULL, 200, "List API keys",
     "admin", NULL},
    {"DELETE", API "/admin/api-keys/{key_id}", A, yaa_api__h_keys_revoke, NULL, NULL, 200,
     "Revoke an API key", "admin", NULL},
    {"GET", API "/admin/audit-logs", A, yaa_api__h_audit_list, NULL, audit_query, 200,
     "Audit log with filters", "admin", NULL},
    {"GET", API "/usage", R, yaa_api__h_usage, NULL, usage_query, 200, "Usage events and totals",
     "usage", NULL},
    {"GET", API "/usage/events", R, yaa_api__h_usage, NULL, usage_query, 200,
     "Usage events and totals (alias)", "usage", NULL},
    {"GET", API "/usage/summary", R, yaa_api__h_usage_summary, NULL, usage_summary_query, 200,
     "Usage grouped by run, day, agent, provider, model or channel", "usage", NULL},
};

const yaa_route *yaa_api_routes(size_t *n) {
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
