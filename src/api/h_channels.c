/* h_channels.c - channels CRUD over the channel registry (files under CHANNELS_DIR): create
 * from the template, update config.yaml keeping its layout, delete = move aside. */
#include "api/api_internal.h"

#include "channels/channels.h"
#include "core/log.h"
#include "pipeline/budget.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Writes to the channel directories are serialised within this process. */
static pthread_mutex_t channels_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *root(const yaa_http_req *req) {
    const yaa_config *cfg = req->api->cfg;
    return cfg && cfg->channels_dir ? cfg->channels_dir : "./channels";
}

/* Keeps the `channels` table in step with the files (the files are the truth). */
int yaa_api_channels_sync(yaa_api *api, yaa_err *err) {
    if (!api->db) return 0;
    const char *root = api->cfg && api->cfg->channels_dir ? api->cfg->channels_dir : "./channels";
    return yaa_channels_sync(api->db, root, NULL, err);
}

/* After a change through the API: best effort, logged. */
static void resync(yaa_api *api) {
    yaa_err err = {0};
    if (yaa_api_channels_sync(api, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "api.channels", "channels table not updated",
                   YAA_F_STR("error", err.msg), YAA_F_END);
}

static json_t *summary_json(const yaa_channel_summary *s) {
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "channel_id", s->id, "name",
                     s->name ? s->name : "", "category", s->category ? s->category : "general",
                     "has_brand_guide", s->has_brand_guide, "description",
                     s->description ? s->description : "", "language",
                     s->language ? s->language : "");
}

/* Spend this month and the budget of config.yaml (budget.monthly_usd / per_run_usd; null
 * when unset); spend_month_usd is null when the database cannot be read. */
static void add_budget(yaa_http_req *req, json_t *info, const char *id) {
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    (void)yaa_channels_validate(root(req), id, &ch, &err); /* problems still carry budget */
    yaa_budget_status st = {0};
    bool spent = false;
    if (ch) {
        st.has_monthly = ch->budget.has_monthly_usd;
        st.monthly_usd = ch->budget.monthly_usd;
        st.has_per_run = ch->budget.has_per_run_usd;
        st.per_run_usd = ch->budget.per_run_usd;
        if (req->api->db) spent = yaa_budget_status_get(req->api->db, ch, &st, &err) == 0;
        yaa_channel_free(ch);
    }
    json_object_set_new(info, "spend_month_usd",
                        spent ? json_real(st.month_spent_usd) : json_null());
    json_object_set_new(info, "budget",
                        json_pack("{s:o, s:o}", "monthly_usd",
                                  st.has_monthly ? json_real(st.monthly_usd) : json_null(),
                                  "per_run_usd",
                                  st.has_per_run ? json_real(st.per_run_usd) : json_null()));
}

int yaa_h_channels_list(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api_fail(resp, rc, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < list.n; i++) {
        json_t *one = summary_json(&list.items[i]);
        add_budget(req, one, list.items[i].id);
        json_array_append_new(arr, one);
    }
    json_int_t n = (json_int_t)list.n;
    yaa_channel_list_free(&list);
    return yaa_http_json(resp, 200, json_pack("{s:o, s:I}", "channels", arr, "total", n));
}

/* ChannelInfo of one channel in *out, or an error answered (404 for unknown or malformed
 * ids) and *out NULL. */
static int info_json(yaa_http_req *req, yaa_http_resp *resp, const char *id, json_t **out) {
    *out = NULL;
    if (!yaa_channels_id_valid(id)) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api_fail(resp, rc, &err);
    json_t *found = NULL;
    for (size_t i = 0; i < list.n && !found; i++)
        if (strcmp(list.items[i].id, id) == 0) found = summary_json(&list.items[i]);
    yaa_channel_list_free(&list);
    if (!found) return yaa_http_error(resp, 404, "Channel '%s' not found", id);
    add_budget(req, found, id);
    *out = found;
    return 0;
}

static int info_sync(yaa_http_req *req, yaa_http_resp *resp, const char *id, int status,
                     bool sync) {
    json_t *found = NULL;
    int rc = info_json(req, resp, id, &found);
    if (!found) return rc;
    if (sync) resync(req->api);
    return yaa_http_json(resp, status, found);
}

static int info(yaa_http_req *req, yaa_http_resp *resp, const char *id, int status) {
    return info_sync(req, resp, id, status, false);
}

/* One channel's view adds its brand guide, read-only (the dashboard shows it). */
int yaa_h_channel_get(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_http_param(req, 0);
    json_t *found = NULL;
    int rc = info_json(req, resp, id, &found);
    if (!found) return rc;
    yaa_channel *ch = NULL;
    yaa_err ignored = {0};
    (void)yaa_channels_validate(root(req), id, &ch, &ignored);
    if (ch) {
        json_t *full = yaa_channel_to_json(ch);
        json_t *guide = json_object_get(full, "brand_guide");
        if (guide && !json_is_null(guide)) json_object_set(found, "brand_guide", guide);
        json_decref(full);
        yaa_channel_free(ch);
    }
    return yaa_http_json(resp, 200, found);
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
    resync(req->api);
    return yaa_http_json(
        resp, 200,
        json_pack("{s:s, s:s}", "detail", "Channel deleted (files moved aside)", "channel_id", id));
}
