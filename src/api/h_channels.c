/* h_channels.c - channels CRUD over the channel registry (files under CHANNELS_DIR): create
 * from the template, update config.yaml keeping its layout, delete = move aside. */
#include "api/api_internal.h"

#include "channels/channels.h"
#include "core/log.h"
#include "db/repo.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Writes to the channel directories are serialised within this process. */
static pthread_mutex_t channels_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *root(const yaa_http_req *req) {
    const yaa_config *cfg = req->api->cfg;
    return cfg && cfg->channels_dir ? cfg->channels_dir : "./channels";
}

/* Keeps the `channels` table in step with the files (best effort: the files are the truth). */
static void db_upsert(yaa_api *api, const yaa_channel_summary *c) {
    if (!api->db) return;
    yaa_db_channel row = {.id = c->id,
                          .name = c->name ? c->name : c->id,
                          .category = c->category,
                          .description = c->description,
                          .language = c->language && *c->language ? c->language : NULL};
    yaa_err err = {0};
    if (yaa_db_channels_upsert(api->db, &row, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "api.channels", "channels table not updated",
                   YAA_F_STR("channel_id", c->id), YAA_F_STR("error", err.msg), YAA_F_END);
}

int yaa_api_channels_sync(yaa_api *api, yaa_err *err) {
    const char *root = api->cfg && api->cfg->channels_dir ? api->cfg->channels_dir : "./channels";
    yaa_channel_list list;
    int rc = yaa_channels_list(root, &list, err);
    if (rc || !api->db) {
        if (rc == 0) yaa_channel_list_free(&list);
        return rc;
    }
    for (size_t i = 0; i < list.n; i++) db_upsert(api, &list.items[i]);
    /* Rows whose directory is gone are soft-deleted. */
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_channel *rows = NULL;
    size_t n = 0;
    if (yaa_db_channels_list(api->db, &a, &rows, &n, err) == 0) {
        for (size_t i = 0; i < n; i++) {
            bool on_disk = false;
            for (size_t j = 0; j < list.n && !on_disk; j++)
                on_disk = strcmp(list.items[j].id, rows[i].id) == 0;
            yaa_err e2 = {0};
            if (!on_disk) yaa_db_channels_delete(api->db, rows[i].id, &e2);
        }
    }
    yaa_arena_free(&a);
    yaa_channel_list_free(&list);
    return 0;
}

static json_t *summary_json(const yaa_channel_summary *s) {
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "channel_id", s->id, "name",
                     s->name ? s->name : "", "category", s->category ? s->category : "general",
                     "has_brand_guide", s->has_brand_guide, "description",
                     s->description ? s->description : "", "language",
                     s->language ? s->language : "");
}

int yaa_h_channels_list(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api_fail(resp, rc, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < list.n; i++) json_array_append_new(arr, summary_json(&list.items[i]));
    json_int_t n = (json_int_t)list.n;
    yaa_channel_list_free(&list);
    return yaa_http_json(resp, 200, json_pack("{s:o, s:I}", "channels", arr, "total", n));
}

/* ChannelInfo of one channel, or an error answered (404 for unknown or malformed ids). */
static int info_sync(yaa_http_req *req, yaa_http_resp *resp, const char *id, int status,
                     bool sync) {
    if (!yaa_channels_id_valid(id)) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api_fail(resp, rc, &err);
    json_t *found = NULL;
    for (size_t i = 0; i < list.n && !found; i++)
        if (strcmp(list.items[i].id, id) == 0) {
            found = summary_json(&list.items[i]);
            if (sync) db_upsert(req->api, &list.items[i]);
        }
    yaa_channel_list_free(&list);
    if (!found) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    return yaa_http_json(resp, status, found);
}

static int info(yaa_http_req *req, yaa_http_resp *resp, const char *id, int status) {
    return info_sync(req, resp, id, status, false);
}

int yaa_h_channel_get(yaa_http_req *req, yaa_http_resp *resp) {
    return info(req, resp, yaa_http_param(req, 0), 200);
}

static const char *jstr(const yaa_http_req *req, const char *k) {
    return json_string_value(json_object_get(req->json, k));
}

int yaa_h_channel_create(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = jstr(req, "channel_id");
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_create(root(req), id, jstr(req, "name"), jstr(req, "category"),
                                 jstr(req, "description"), &err);
    pthread_mutex_unlock(&channels_mu);
    if (rc == YAA_EEXIST) return yaa_http_error(resp, 409, "Channel '%s' already exists", id);
    if (rc == YAA_ENOTFOUND)
        return yaa_http_error(resp, 500, "channel template missing: %s", err.msg);
    if (rc == YAA_EINVAL) return yaa_http_error(resp, 422, "%s", err.msg);
    if (rc) return yaa_api_fail(resp, rc, &err);
    return info_sync(req, resp, id, 201, true);
}

int yaa_h_channel_update(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_http_param(req, 0);
    if (!yaa_channels_id_valid(id)) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    const char *name = jstr(req, "name"), *cat = jstr(req, "category"),
               *desc = jstr(req, "description");
    if (!name && !cat && !desc) return info(req, resp, id, 200); /* nothing to change */
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_update(root(req), id, name, cat, desc, &err);
    pthread_mutex_unlock(&channels_mu);
    if (rc == YAA_ENOTFOUND) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    if (rc == YAA_EINVAL) return yaa_http_error(resp, 422, "%s", err.msg);
    if (rc) return yaa_api_fail(resp, rc, &err);
    return info_sync(req, resp, id, 200, true);
}

int yaa_h_channel_delete(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_http_param(req, 0);
    if (!yaa_channels_id_valid(id)) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    char moved[1024] = "";
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_delete(root(req), id, moved, sizeof moved, &err);
    pthread_mutex_unlock(&channels_mu);
    if (rc == YAA_ENOTFOUND) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    if (rc) return yaa_api_fail(resp, rc, &err);
    if (req->api->db) {
        yaa_err e2 = {0};
        yaa_db_channels_delete(req->api->db, id, &e2); /* soft delete; absent is fine */
    }
    return yaa_http_json(
        resp, 200,
        json_pack("{s:s, s:s}", "detail", "Channel deleted (files moved aside)", "channel_id", id));
}
