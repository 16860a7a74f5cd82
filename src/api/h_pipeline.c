/* h_pipeline.c - runs: start (202 + enqueue), list, detail, status, cancel, retry, artifacts,
 * SSE events; and the dashboard summary. */
#include "api/api_internal.h"
#include "api/apistore.h"
#include "api/readcache.h"
#include "api/sse.h"

#include "channels/channels.h"
#include "core/log.h"
#include "core/util.h"
#include "metrics/metrics.h"
#include "pipeline/budget.h"
#include "pipeline/pipeline.h"
#include "queue/queue.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The run id parameter, or NULL after answering 404 for a malformed id. */
const char *yaa_api__run_param(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (!id || !yaa_uuid_valid(id)) {
        yaa_api_http_error(resp, 404, "Run not found");
        return NULL;
    }
    return id;
}

bool yaa_api__channel_exists(const yaa_api *api, const char *id) {
    if (!yaa_channels_id_valid(id)) return false;
    if (yaa_channels_in_db(api->cfg)) { /* the database holds the channels: cache it here */
        yaa_err err = {0};
        if (!api->db || yaa_channels_db_pull(api->cfg, api->db, id, &err) != 0) return false;
    }
    char path[PATH_MAX];
    const char *root = api->cfg && api->cfg->channels_dir ? api->cfg->channels_dir : "./channels";
    snprintf(path, sizeof path, "%s/%s/config.yaml", root, id);
    if (!yaa_path_inside(root, path)) return false; /* a symlink out of CHANNELS_DIR */
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* YAA_EBUDGET when the channel's monthly budget is spent (answered 402). A channel whose
 * files have problems still has its budget read; the run itself reports the problems. */
int yaa_api__budget_allows(const yaa_api *api, const char *channel_id, yaa_err *err) {
    yaa_channel *ch = NULL;
    yaa_err ignored = {0};
    (void)yaa_channels_validate(api->cfg && api->cfg->channels_dir ? api->cfg->channels_dir
                                                                   : "./channels",
                                channel_id, &ch, &ignored);
    if (!ch) return 0;
    int rc = yaa_pipeline_budget_check_start(api->db, ch, err);
    yaa_channels_free(ch);
    return rc;
}

static int run_start(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *channel_id = json_string_value(json_object_get(req->json, "channel_id"));
    const char *topic = json_string_value(json_object_get(req->json, "topic"));
    const char *brand = json_string_value(json_object_get(req->json, "brand_name"));
    bool dry_run = json_is_true(json_object_get(req->json, "dry_run"));
    bool short_video = json_is_true(json_object_get(req->json, "short"));
    yaa_err err = {0};
    char *clean = NULL; /* blank, multi-line or overlong topics: 422 like any bad field */
    if (yaa_pipeline_topic_clean(topic, &clean, &err)) {
        json_t *errors = json_array();
        yaa_api_validate_error(errors, "body", "topic", "value_error", err.msg);
        return yaa_api_http_json(resp, 422, json_pack("{s:o}", "detail", errors));
    }
    topic = yaa_arena_strdup(req->arena, clean);
    free(clean);
    if (!yaa_api__channel_exists(api, channel_id))
        return yaa_api_http_error(resp, 404, "Channel '%s' not found", channel_id);
    if (!api->queue) return yaa_api_http_error(resp, 503, "queue not configured");
    int rc = yaa_api__budget_allows(api, channel_id, &err);
    if (rc == YAA_EBUDGET) return yaa_api_http_error(resp, 402, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    char id[YAA_UUID_LEN + 1];
    yaa_uuid4(id);
    yaa_db_runstore_spec spec = {.id = id,
                                 .channel_id = channel_id,
                                 .topic = topic,
                                 .brand_name = brand ? brand : "",
                                 .dry_run = dry_run,
                                 .short_video = short_video};
    char publish_at[YAA_TIME_LEN + 1];
    if ((rc = yaa_api__run_options(req, resp, req->json, &spec, publish_at))) return 0;
    rc = yaa_api_store_run_create(api->db, &spec, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    rc = yaa_queue_enqueue_run(api->queue, id, NULL, NULL, &err);
    if (rc) {
        yaa_err e2 = {0};
        yaa_api_store_run_fail(api->db, id, "could not be queued", &e2);
        yaa_log_ev(YAA_LOG_ERROR, "api", "enqueue failed", YAA_F_STR("run_id", id),
                   YAA_F_STR("error", err.msg), YAA_F_END);
        return yaa_api_http_error(resp, 503, "queue unavailable: the run could not be queued");
    }
    yaa_metrics_run_created();
    yaa_log_ev(YAA_LOG_INFO, "api", "run queued", YAA_F_STR("run_id", id),
               YAA_F_STR("channel_id", channel_id), YAA_F_END);
    return yaa_api_http_json(resp, 202,
                             json_pack("{s:s, s:s, s:s, s:s}", "run_id", id, "status", "pending",
                                       "channel_id", channel_id, "topic", topic));
}

int yaa_api__h_run_start(yaa_http_req *req, yaa_http_resp *resp) {
    return yaa_api__idempotent(req, resp, run_start);
}

/* The list page's key in the read cache: every parameter, each string with its length (and
 * absent apart from empty), so two different queries never share a key. False if too long. */
static bool page_key(char *out, size_t n, long limit, long offset, const char *const f[3]) {
    int w = snprintf(out, n, "%ld,%ld", limit, offset);
    for (int i = 0; i < 3 && w > 0 && (size_t)w < n; i++)
        w += f[i] ? snprintf(out + w, n - (size_t)w, ",%zu:%s", strlen(f[i]), f[i])
                  : snprintf(out + w, n - (size_t)w, ",-");
    return w > 0 && (size_t)w < n;
}

int yaa_api__h_runs_list(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    long limit = yaa_api_query_long(req, "limit", 20),
         offset = yaa_api_query_long(req, "offset", 0);
    const char *const f[3] = {yaa_api_query_str(req, "channel_id"),
                              yaa_api_query_str(req, "status"), yaa_api_query_str(req, "batch_id")};
    yaa_buf_reset(&resp->body);
    /* the page as written for the last identical request, while the database is unchanged */
    char key[256];
    uint64_t gen;
    bool cache = page_key(key, sizeof key, limit, offset, f) && yaa_api__db_generation(req, &gen);
    if (!cache || !yaa_api_readcache_get(req->api->pages_cache, key, gen, &resp->body)) {
        yaa_err err = {0};
        int rc = yaa_api_store_runs_list_write(req->api->db, f[0], f[1], f[2], limit, offset,
                                               &resp->body, &err);
        if (rc) return yaa_api__fail(resp, rc, &err);
        if (cache)
            yaa_api_readcache_put(req->api->pages_cache, key, gen, resp->body.data, resp->body.len);
    }
    resp->status = 200;
    resp->content_type = "application/json";
    return 0;
}

/* result.video_url as an absolute URL on the host the client called, so a dashboard served
 * from another origin (e.g. on :3000, see CORS_ORIGINS) can use it as is. */
static void absolute_video_url(yaa_http_req *req, json_t *detail) {
    json_t *res = json_object_get(detail, "result");
    const char *url = json_string_value(json_object_get(res, "video_url"));
    const char *host = yaa_api_http_header_get(req, "Host");
    if (!url || url[0] != '/' || !host || !*host || strpbrk(host, "/\\\"<> ")) return;
    char abs[1024];
    snprintf(abs, sizeof abs, "http://%s%s", host, url);
    json_object_set_new(res, "video_url", json_string(abs));
}

/* The run of the path as RunDetail (video URL made absolute), or NULL after answering. */
static json_t *run_detail(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return NULL;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return NULL;
    json_t *j = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_run_detail(req->api->db, id, &j, &err);
    if (rc) {
        yaa_api__fail(resp, rc, &err);
        return NULL;
    }
    absolute_video_url(req, j);
    return j;
}

int yaa_api__h_run_get(yaa_http_req *req, yaa_http_resp *resp) {
    json_t *j = run_detail(req, resp);
    return j ? yaa_api_http_json(resp, 200, j) : 0;
}

int yaa_api__h_status(yaa_http_req *req, yaa_http_resp *resp) {
    json_t *j = run_detail(req, resp);
    if (!j) return 0;
    json_t *out = json_pack("{s:O, s:O, s:O, s:O, s:O}", "run_id", json_object_get(j, "run_id"),
                            "status", json_object_get(j, "status"), "current_agent",
                            json_object_get(j, "current_agent"), "errors",
                            json_object_get(j, "errors"), "result", json_object_get(j, "result"));
    json_decref(j);
    return yaa_api_http_json(resp, 200, out);
}

int yaa_api__h_run_cancel(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    yaa_err err = {0};
    int rc = yaa_api_store_run_cancel(api->db, id, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    /* A queued job is dropped; a running one stops at its next checkpoint (it sees the
     * run's status). */
    if (api->queue && yaa_queue_cancel(api->queue, id, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "api", "queue cancel failed", YAA_F_STR("error", err.msg),
                   YAA_F_END);
    return yaa_api_http_json(resp, 202,
                             json_pack("{s:s, s:s, s:s}", "run_id", id, "status", "cancelled",
                                       "detail", "Run cancelled"));
}

int yaa_api__h_run_retry(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    if (!api->queue) return yaa_api_http_error(resp, 503, "queue not configured");
    const char *from = json_string_value(json_object_get(req->json, "from_stage"));
    yaa_err err = {0};
    int rc = yaa_api_store_run_rearm(api->db, id, &err);
    if (rc == YAA_ECONFLICT) {
        /* pending/running: accepted only when the run is stuck (its job lost, nobody
         * touching it for the reconcile grace period); the rescue queues it again */
        bool requeued = false;
        yaa_err rerr = {0};
        long grace = api->cfg ? api->cfg->reconcile_grace_sec : 120;
        if (yaa_queue_rescue_run(api->queue, api->db, id, from, (int)grace, &requeued, &rerr) ==
                0 &&
            requeued)
            return yaa_api_http_json(resp, 202,
                                     json_pack("{s:s, s:s, s:s?}", "run_id", id, "status",
                                               "pending", "from_stage", from));
    }
    if (rc) return yaa_api__fail(resp, rc, &err);
    rc = yaa_queue_enqueue_run(api->queue, id, from, NULL, &err);
    if (rc) {
        yaa_err e2 = {0};
        yaa_api_store_run_fail(api->db, id, "retry could not be queued", &e2);
        return yaa_api_http_error(resp, 503, "queue unavailable: the retry could not be queued");
    }
    return yaa_api_http_json(
        resp, 202,
        json_pack("{s:s, s:s, s:s?}", "run_id", id, "status", "pending", "from_stage", from));
}

/* Artifact names a client may ask for (and images/NN.png, audio/NN.wav). */
static bool artifact_ok(const char *dir, const char *name) {
    static const char *const names[] = {
        "script.md",     "script.json",   "video.mp4",    "thumbnail.png", "subtitles.srt",
        "metadata.json", "research.json", "publish.json", "quality.json",  NULL};
    if (!dir) {
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], name) == 0) return true;
        return false;
    }
    const char *ext = strcmp(dir, "images") == 0  ? ".png"
                      : strcmp(dir, "audio") == 0 ? ".wav"
                                                  : NULL;
    if (!ext) return false;
    size_t n = strlen(name);
    if (n < 6 || n > 8 || strcmp(name + n - 4, ext) != 0) return false;
    for (size_t i = 0; i < n - 4; i++)
        if (name[i] < '0' || name[i] > '9') return false;
    return true;
}

/* True when the run exists; otherwise the 404 (or the database's error) is answered. */
static bool run_known(yaa_api *api, const char *id, yaa_http_resp *resp) {
    char st[16];
    json_t *stages = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_run_progress(api->db, id, st, &stages, &err);
    json_decref(stages);
    if (rc) yaa_api__fail(resp, rc, &err);
    return rc == 0;
}

int yaa_api__h_run_artifact(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    const char *dir = req->nparams == 3 ? yaa_api_http_param(req, 1) : NULL;
    const char *name = yaa_api_http_param(req, req->nparams - 1);
    if (!name || !artifact_ok(dir, name))
        return yaa_api_http_error(resp, 404, "Unknown artifact '%s'", name ? name : "");
    if (!run_known(api, id, resp)) return 0;
    char rel[PATH_MAX];
    if (dir)
        snprintf(rel, sizeof rel, "%s/%s", dir, name);
    else
        snprintf(rel, sizeof rel, "%s", name);
    return yaa_api__send_artifact(req, resp, id, rel);
}

int yaa_api__h_run_events(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    if (!run_known(api, id, resp)) return 0;
    int admit = yaa_api_sse_admit(api, req->key_id);
    if (admit == 429)
        return yaa_api_http_error(resp, 429,
                                  "too many event streams for this API key (at most %ld)",
                                  api->cfg ? api->cfg->sse_max_streams_per_key : 50);
    if (admit) return yaa_api_http_error(resp, 503, "too many event streams; retry later");
    resp->status = 200;
    resp->content_type = "text/event-stream";
    yaa_api_http_resp_header(resp, req->arena, "Cache-Control", "no-cache");
    yaa_api_http_resp_header(resp, req->arena, "X-Accel-Buffering", "no");
    resp->sse_run_id = yaa_arena_strdup(req->arena, id);
    return 0;
}

int yaa_api__h_dashboard(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    json_t *j = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_dashboard(req->api->db, yaa_api_query_long(req, "limit", 5), &j, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, j);
}
