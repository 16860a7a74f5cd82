/* h_review.c - the creator workflow over HTTP: run options (review, publish_at), batches of
 * runs, and the review gate endpoints (script, metadata, approve, reject). The decisions
 * themselves live in pipeline/review.c, shared with `yaa review`. docs/WORKFLOW.md. */
#include "api/api_internal.h"
#include "api/apistore.h"

#include "core/log.h"
#include "core/util.h"
#include "pipeline/review.h"
#include "queue/queue.h"

#include <stdio.h>
#include <string.h>

/* The configuration the review calls need (output folder, artifact store). */
static const yaa_config *cfg_of(const yaa_api *api) {
    static const yaa_config fallback = {.output_dir = "./output"};
    return api->cfg && api->cfg->output_dir ? api->cfg : &fallback;
}

static void loc_error(json_t *errors, json_t *loc, const char *type, const char *msg) {
    json_array_append_new(errors,
                          json_pack("{s:o, s:s, s:s}", "loc", loc, "msg", msg, "type", type));
}

/* review and publish_at of one run (a run body or a batch item at topics[index], index < 0
 * for the body itself) into spec; publish_at normalised into buf. Bad values go to errors. */
static void run_options(const json_t *obj, long index, yaa_db_runstore_spec *spec,
                        char buf[YAA_TIME_LEN + 1], json_t *errors) {
    const json_t *review = json_object_get(obj, "review");
    if (review && !json_is_null(review)) {
        if (!json_is_string(review) ||
            yaa_pipeline_review_mode_parse(json_string_value(review)) < 0)
            loc_error(errors,
                      index < 0
                          ? json_pack("[s,s]", "body", "review")
                          : json_pack("[s,s,I,s]", "body", "topics", (json_int_t)index, "review"),
                      "literal_error", "Input should be 'none', 'script', 'video' or 'both'");
        else
            spec->review = json_string_value(review);
    }
    const json_t *pa = json_object_get(obj, "publish_at");
    if (pa && !json_is_null(pa)) {
        yaa_err e = {0};
        if (yaa_pipeline_review_publish_at(json_string_value(pa), buf, &e))
            loc_error(errors,
                      index < 0 ? json_pack("[s,s]", "body", "publish_at")
                                : json_pack("[s,s,I,s]", "body", "topics", (json_int_t)index,
                                            "publish_at"),
                      "datetime_parsing", e.msg);
        else
            spec->publish_at = buf;
    }
}

int yaa_api__run_options(yaa_http_req *req, yaa_http_resp *resp, const json_t *body,
                         yaa_db_runstore_spec *spec, char publish_at[YAA_TIME_LEN + 1]) {
    (void)req;
    json_t *errors = json_array();
    run_options(body, -1, spec, publish_at, errors);
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    yaa_api_http_json(resp, 422, json_pack("{s:o}", "detail", errors));
    return YAA_EINVAL;
}

/* ---------------------------------------------------------------- batch */

typedef struct batch_slot {
    char topic[2048];
    char publish_at[YAA_TIME_LEN + 1];
} batch_slot;

static int batch_start(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_api__need_db(req, resp)) return 0;
    const json_t *body = req->json;
    const char *channel_id = json_string_value(json_object_get(body, "channel_id"));
    const json_t *topics = json_object_get(body, "topics");
    size_t n = json_array_size(topics);
    batch_slot *slots = yaa_arena_alloc(req->arena, n * sizeof *slots);
    yaa_batch_item *items = yaa_arena_alloc(req->arena, n * sizeof *items);
    if (!slots || !items) return yaa_api_http_error(resp, 500, "out of memory");
    memset(items, 0, n * sizeof *items);
    yaa_db_runstore_spec base = {.channel_id = channel_id,
                                 .brand_name =
                                     json_string_value(json_object_get(body, "brand_name")),
                                 .dry_run = json_is_true(json_object_get(body, "dry_run")),
                                 .short_video = json_is_true(json_object_get(body, "short"))};
    json_t *errors = json_array();
    char base_at[YAA_TIME_LEN + 1];
    run_options(body, -1, &base, base_at, errors);
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(topics, i);
        yaa_err e = {0};
        if (yaa_pipeline_review_topic(json_string_value(json_object_get(it, "topic")),
                                      slots[i].topic, sizeof slots[i].topic, &e))
            loc_error(errors, json_pack("[s,s,I,s]", "body", "topics", (json_int_t)i, "topic"),
                      "value_error", e.msg);
        yaa_db_runstore_spec one = {0};
        run_options(it, (long)i, &one, slots[i].publish_at, errors);
        items[i].topic = slots[i].topic;
        items[i].publish_at = one.publish_at;
        items[i].review = one.review;
    }
    if (json_array_size(errors))
        return yaa_api_http_json(resp, 422, json_pack("{s:o}", "detail", errors));
    json_decref(errors);
    if (!yaa_api__channel_exists(api, channel_id))
        return yaa_api_http_error(resp, 404, "Channel '%s' not found", channel_id);
    if (!api->queue) return yaa_api_http_error(resp, 503, "queue not configured");
    yaa_err err = {0};
    int rc = yaa_api__budget_allows(api, channel_id, &err);
    if (rc == YAA_EBUDGET) return yaa_api_http_error(resp, 402, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    char batch_id[YAA_UUID_LEN + 1];
    if ((rc = yaa_pipeline_batch_start(api->db, api->queue, &base, items, n, batch_id, &err)))
        return yaa_api__fail(resp, rc, &err);
    json_t *runs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            runs, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s?, s:s?}", "run_id", items[i].run_id,
                            "status", "pending", "queued", items[i].queued, "channel_id",
                            channel_id, "topic", items[i].topic, "publish_at",
                            items[i].publish_at ? items[i].publish_at : base.publish_at, "review",
                            items[i].review ? items[i].review : base.review));
    return yaa_api_http_json(
        resp, 202,
        json_pack("{s:s, s:s, s:o}", "batch_id", batch_id, "channel_id", channel_id, "runs", runs));
}

int yaa_api__h_batch_start(yaa_http_req *req, yaa_http_resp *resp) {
    return yaa_api__idempotent(req, resp, batch_start);
}

/* ---------------------------------------------------------------- review */

/* The run detail after a decision or an edit, so a client redraws from one answer. */
static int answer_detail(yaa_http_req *req, yaa_http_resp *resp, const char *id, int status) {
    json_t *j = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_run_detail(req->api->db, id, &j, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, status, j);
}

/* GET .../script and .../metadata: a stage's checkpoint as the review sees it. */
static int answer_checkpoint(yaa_http_req *req, yaa_http_resp *resp,
                             int (*get)(struct yaa_db *, const char *, json_t **, yaa_err *)) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    json_t *j = NULL;
    yaa_err err = {0};
    int rc = get(req->api->db, id, &j, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, j);
}

int yaa_api__h_review_script_get(yaa_http_req *req, yaa_http_resp *resp) {
    return answer_checkpoint(req, resp, yaa_pipeline_review_script_get);
}

int yaa_api__h_review_metadata_get(yaa_http_req *req, yaa_http_resp *resp) {
    return answer_checkpoint(req, resp, yaa_pipeline_review_metadata_get);
}

int yaa_api__h_review_script_put(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    yaa_review_actor who = {req->key_id};
    yaa_err err = {0};
    int rc =
        yaa_pipeline_review_script_put(req->api->db, cfg_of(req->api), id, req->json, &who, &err);
    if (rc == YAA_EINVAL)
        return yaa_api_http_json(resp, 422,
                                 json_pack("{s:[{s:[s], s:s, s:s}]}", "detail", "loc", "body",
                                           "msg", err.msg, "type", "value_error"));
    if (rc) return yaa_api__fail(resp, rc, &err);
    json_t *script = NULL;
    rc = yaa_pipeline_review_script_get(req->api->db, id, &script, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, script);
}

int yaa_api__h_review_metadata(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    yaa_review_actor who = {req->key_id};
    json_t *errors = json_array(), *meta = NULL;
    yaa_err err = {0};
    int rc = yaa_pipeline_review_metadata_patch(req->api->db, cfg_of(req->api), id, req->json, &who,
                                                errors, &meta, &err);
    if (rc == YAA_EINVAL) {
        if (json_array_size(errors) == 0)
            json_array_append_new(errors, json_pack("{s:[s], s:s, s:s}", "loc", "body", "msg",
                                                    err.msg, "type", "value_error"));
        return yaa_api_http_json(resp, 422, json_pack("{s:o}", "detail", errors));
    }
    json_decref(errors);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, meta);
}

int yaa_api__h_review_approve(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    if (!req->api->queue) return yaa_api_http_error(resp, 503, "queue not configured");
    yaa_review_actor who = {req->key_id};
    yaa_err err = {0};
    int rc = yaa_pipeline_review_approve(req->api->db, req->api->queue, id, &who, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return answer_detail(req, resp, id, 202);
}

int yaa_api__h_review_reject(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api__run_param(req, resp);
    if (!id) return 0;
    if (!req->api->queue) return yaa_api_http_error(resp, 503, "queue not configured");
    yaa_review_actor who = {req->key_id};
    const char *notes = json_string_value(json_object_get(req->json, "notes"));
    const char *from = json_string_value(json_object_get(req->json, "from_stage"));
    yaa_err err = {0};
    int rc = yaa_pipeline_review_reject(req->api->db, req->api->queue, id, notes, from, &who, &err);
    if (rc == YAA_EINVAL)
        return yaa_api_http_json(resp, 422,
                                 json_pack("{s:[{s:[s,s], s:s, s:s}]}", "detail", "loc", "body",
                                           "from_stage", "msg", err.msg, "type", "value_error"));
    if (rc) return yaa_api__fail(resp, rc, &err);
    return answer_detail(req, resp, id, 202);
}
