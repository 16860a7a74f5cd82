/* h_channels.c - channels CRUD over the channel registry (files under CHANNELS_DIR): create
 * from the template, update config.yaml keeping its layout, delete = move aside.
 *
 * With CHANNELS_STORE=db the folders are this process's cache of the database
 * (OUTPUT_DIR/.channels): every request first brings the cache to the current revisions,
 * and every change is stored back as a new revision before it is answered, so any API
 * instance and any worker on any host sees it next (dbstore.c in src/channels). */
#include "api/api_internal.h"

#include "channels/channels.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "db/channel_files_repo.h"
#include "pipeline/budget.h"
#include "rag/rag.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes to the channel directories are serialised within this process. */
static pthread_mutex_t channels_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *root(const yaa_http_req *req) {
    const yaa_config *cfg = req->api->cfg;
    return cfg && cfg->channels_dir ? cfg->channels_dir : "./channels";
}

/* CHANNELS_STORE=db: the cache up to date with the database (all channels), before a read. */
static int refresh(yaa_http_req *req, yaa_http_resp *resp) {
    yaa_api *api = req->api;
    if (!yaa_channels_in_db(api->cfg)) return 0;
    if (!api->db) return yaa_api_http_error(resp, 503, "CHANNELS_STORE=db needs the database");
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_db_pull(api->cfg, api->db, NULL, &err);
    pthread_mutex_unlock(&channels_mu);
    if (rc) {
        yaa_api__fail(resp, rc, &err);
        return -1;
    }
    return 0;
}

/* CHANNELS_STORE=db: after a change to the cached folder of id (under channels_mu), stores
 * it as a new revision and refreshes the brand index from it. On failure the response is
 * answered and the cache is put back to the stored revision. */
static int commit(yaa_http_req *req, yaa_http_resp *resp, const char *id, const char *note) {
    yaa_api *api = req->api;
    if (!yaa_channels_in_db(api->cfg)) return 0;
    yaa_err err = {0};
    bool changed = false;
    int rc = yaa_channels_db_push(api->cfg, api->db, root(req), id, note, NULL, &changed, &err);
    if (rc) {
        yaa_err ignore = {0};
        yaa_channels_db_pull(api->cfg, api->db, NULL, &ignore); /* undo the local change */
        if (rc == YAA_EINVAL) return yaa_api_http_error(resp, 422, "%s", err.msg);
        return yaa_api__fail(resp, rc, &err);
    }
    if (changed && api->cfg->rag_enabled) {
        yaa_rag_index_stats st = {0};
        if (yaa_rag_index(api->db, api->cfg, id, &st, &err) != 0)
            yaa_log_ev(YAA_LOG_WARN, "api.channels", "brand index not refreshed",
                       YAA_F_STR("channel_id", id), YAA_F_STR("error", err.msg), YAA_F_END);
    }
    return 0;
}

/* Keeps the `channels` table in step with the files (the files are the truth). */
int yaa_api_channels_sync(yaa_api *api, yaa_err *err) {
    if (!api->db) return 0;
    const char *root = api->cfg && api->cfg->channels_dir ? api->cfg->channels_dir : "./channels";
    if (yaa_channels_in_db(api->cfg)) { /* the cache first, or the table would lose rows */
        pthread_mutex_lock(&channels_mu);
        int rc =
            yaa_mkdirs(root, 0755) ? YAA_EIO : yaa_channels_db_pull(api->cfg, api->db, NULL, err);
        pthread_mutex_unlock(&channels_mu);
        if (rc) return rc;
    }
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
        if (req->api->db) spent = yaa_pipeline_budget_status_get(req->api->db, ch, &st, &err) == 0;
        yaa_channels_free(ch);
    }
    json_object_set_new(info, "spend_month_usd",
                        spent ? json_real(st.month_spent_usd) : json_null());
    json_object_set_new(info, "budget",
                        json_pack("{s:o, s:o}", "monthly_usd",
                                  st.has_monthly ? json_real(st.monthly_usd) : json_null(),
                                  "per_run_usd",
                                  st.has_per_run ? json_real(st.per_run_usd) : json_null()));
}

int yaa_api__h_channels_list(yaa_http_req *req, yaa_http_resp *resp) {
    if (refresh(req, resp)) return 0;
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < list.n; i++) {
        json_t *one = summary_json(&list.items[i]);
        add_budget(req, one, list.items[i].id);
        json_array_append_new(arr, one);
    }
    json_int_t n = (json_int_t)list.n;
    yaa_channels_list_free(&list);
    return yaa_api_http_json(resp, 200, json_pack("{s:o, s:I}", "channels", arr, "total", n));
}

/* The {channel_id} path parameter, or NULL after answering 404 for a malformed id. */
static const char *channel_param(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (yaa_channels_id_valid(id)) return id;
    yaa_api_http_error(resp, 404, "Channel '%s' not found", id ? id : "");
    return NULL;
}

/* ChannelInfo of one channel in *out, or an error answered (404 for unknown or malformed
 * ids) and *out NULL. */
static int info_json(yaa_http_req *req, yaa_http_resp *resp, const char *id, json_t **out) {
    *out = NULL;
    if (!yaa_channels_id_valid(id))
        return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    yaa_channel_list list;
    yaa_err err = {0};
    int rc = yaa_channels_list(root(req), &list, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    json_t *found = NULL;
    for (size_t i = 0; i < list.n && !found; i++)
        if (strcmp(list.items[i].id, id) == 0) found = summary_json(&list.items[i]);
    yaa_channels_list_free(&list);
    if (!found) return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
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
    return yaa_api_http_json(resp, status, found);
}

/* One channel's view adds its brand guide, read-only (the dashboard shows it). */
int yaa_api__h_channel_get(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (refresh(req, resp)) return 0;
    json_t *found = NULL;
    int rc = info_json(req, resp, id, &found);
    if (!found) return rc;
    yaa_channel *ch = NULL;
    yaa_err ignored = {0};
    (void)yaa_channels_validate(root(req), id, &ch, &ignored);
    if (ch) {
        json_t *full = yaa_channels_to_json(ch);
        json_t *guide = json_object_get(full, "brand_guide");
        if (guide && !json_is_null(guide)) json_object_set(found, "brand_guide", guide);
        json_decref(full);
        yaa_channels_free(ch);
    }
    return yaa_api_http_json(resp, 200, found);
}

static const char *jstr(const yaa_http_req *req, const char *k) {
    return json_string_value(json_object_get(req->json, k));
}

/* Folders whose name starts with '_' (the `_template` new channels are copied from) are not
 * channels: the API never changes, removes or connects them (the channel routes and the
 * YouTube account routes share this). Returns true after answering 403. */
bool yaa_api__channel_reserved(const char *id, yaa_http_resp *resp) {
    if (!yaa_channels_id_reserved(id)) return false;
    yaa_api_http_error(resp, 403,
                       "'%s' is reserved (the template new channels are made from); it cannot be "
                       "changed, deleted or connected to YouTube through the API",
                       id);
    return true;
}

int yaa_api__h_channel_create(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = jstr(req, "channel_id");
    yaa_err err = {0};
    if (yaa_api__channel_reserved(id, resp)) return 0;
    if (refresh(req, resp)) return 0;
    if (yaa_channels_in_db(req->api->cfg) && yaa_channels_id_valid(id)) {
        /* the template comes from the operator's folders, as without the database */
        char tpl[4096], dst[4096];
        snprintf(tpl, sizeof tpl, "%s/_template", req->api->cfg->channels_import_dir);
        snprintf(dst, sizeof dst, "%s/_template", root(req));
        yaa_err ignore = {0};
        (void)yaa_channels_copy_dir(tpl, dst, &ignore);
    }
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_create(root(req), id, jstr(req, "name"), jstr(req, "category"),
                                 jstr(req, "description"), &err);
    /* The template has no language: a client that names one gets it (the original dashboard
     * sends none; the channel then says so in `yaa channels show` until it is set). */
    const char *lang = jstr(req, "language");
    if (rc == 0 && lang) rc = yaa_channels_set_language(root(req), id, lang, &err);
    if (rc == 0 && commit(req, resp, id, "created through the API")) rc = 1;
    pthread_mutex_unlock(&channels_mu);
    if (rc == 1) return 0;
    if (rc == YAA_EEXIST) return yaa_api_http_error(resp, 409, "Channel '%s' already exists", id);
    if (rc == YAA_ENOTFOUND)
        return yaa_api_http_error(resp, 500, "channel template missing: %s", err.msg);
    if (rc == YAA_EINVAL) return yaa_api_http_error(resp, 422, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return info_sync(req, resp, id, 201, true);
}

int yaa_api__h_channel_update(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = channel_param(req, resp);
    if (!id) return 0;
    if (yaa_api__channel_reserved(id, resp)) return 0;
    const char *name = jstr(req, "name"), *cat = jstr(req, "category"),
               *desc = jstr(req, "description");
    if (refresh(req, resp)) return 0;
    if (!name && !cat && !desc) { /* 404 for an unknown channel first, as before */
        json_t *found = NULL;
        int rc = info_json(req, resp, id, &found);
        if (!found) return rc;
        json_decref(found);
        return yaa_api_http_error(resp, 400,
                                  "Nothing to update: give name, category or description");
    }
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_update(root(req), id, name, cat, desc, &err);
    if (rc == 0 && commit(req, resp, id, "updated through the API")) rc = 1;
    pthread_mutex_unlock(&channels_mu);
    if (rc == 1) return 0;
    if (rc == YAA_ENOTFOUND) return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    if (rc == YAA_EINVAL) return yaa_api_http_error(resp, 422, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return info_sync(req, resp, id, 200, true);
}

int yaa_api__h_channel_delete(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = channel_param(req, resp);
    if (!id) return 0;
    if (yaa_api__channel_reserved(id, resp)) return 0;
    char moved[1024] = "";
    yaa_err err = {0};
    if (refresh(req, resp)) return 0;
    pthread_mutex_lock(&channels_mu);
    int rc = yaa_channels_delete(root(req), id, moved, sizeof moved, &err);
    if (rc == 0 && commit(req, resp, id, "deleted through the API")) rc = 1;
    pthread_mutex_unlock(&channels_mu);
    if (rc == 1) return 0;
    if (rc == YAA_ENOTFOUND) return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    if (rc) return yaa_api__fail(resp, rc, &err);
    resync(req->api);
    return yaa_api_http_json(
        resp, 200,
        json_pack("{s:s, s:s}", "detail", "Channel deleted (files moved aside)", "channel_id", id));
}

/* ---- a channel's files: read and edit through the API -------------------------------- */

/* "brand_guide.yaml" or "knowledge/notes.md" from the route's parameters, or NULL (404
 * answered) when the id or path is not acceptable. */
static const char *file_param(yaa_http_req *req, yaa_http_resp *resp, const char **id) {
    if (!(*id = channel_param(req, resp))) return NULL;
    const char *dir = req->nparams == 3 ? yaa_api_http_param(req, 1) : NULL;
    const char *name = yaa_api_http_param(req, req->nparams - 1);
    bool ok = name && *name && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\') &&
              (!dir || (*dir && dir[0] != '.' && !strchr(dir, '/') && !strchr(dir, '\\')));
    if (!ok) {
        yaa_api_http_error(resp, 404, "No such channel file");
        return NULL;
    }
    return dir ? yaa_arena_sprintf(req->arena, "%s/%s", dir, name) : name;
}

int yaa_api__h_channel_files(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = channel_param(req, resp);
    if (!id) return 0;
    if (refresh(req, resp)) return 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root(req), id);
    json_t *files = json_array();
    yaa_err err = {0};
    int rc = yaa_channels_list_files(dir, files, &err);
    if (rc == YAA_ENOTFOUND) {
        json_decref(files);
        return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    }
    if (rc) {
        json_decref(files);
        return yaa_api__fail(resp, rc, &err);
    }
    json_t *out = json_pack("{s:s, s:s, s:o}", "channel_id", id, "store",
                            yaa_channels_in_db(req->api->cfg) ? "db" : "files", "files", files);
    if (yaa_channels_in_db(req->api->cfg) && req->api->db) {
        yaa_db_chrev cur;
        if (yaa_db_chfiles_current(req->api->db, id, &cur, req->arena, &err) == 0)
            json_object_set_new(out, "revision", json_integer(cur.revision));
    }
    return yaa_api_http_json(resp, 200, out);
}

/* A message with CHANNELS_DIR cut off the paths it names: no absolute server path reaches
 * an error body ("/srv/yaa/channels/demo/config.yaml:3: ..." becomes "demo/config.yaml:3: ..."). */
static void strip_root(const yaa_http_req *req, yaa_err *err) {
    char real[PATH_MAX];
    const char *roots[2] = {root(req), realpath(root(req), real)};
    for (size_t r = 0; r < 2; r++) {
        if (!roots[r] || !*roots[r]) continue;
        size_t n = strlen(roots[r]);
        char *at;
        while ((at = strstr(err->msg, roots[r])) != NULL) {
            size_t cut = n + (at[n] == '/');
            memmove(at, at + cut, strlen(at + cut) + 1);
        }
    }
}

int yaa_api__h_channel_file_get(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id;
    const char *rel = file_param(req, resp, &id);
    if (!rel) return 0;
    if (refresh(req, resp)) return 0;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s/%s", root(req), id, rel);
    /* symbolic links followed, it must stay inside CHANNELS_DIR (O_NOFOLLOW guards only the
     * last component: a linked folder such as knowledge/ could lead anywhere) */
    bool inside = yaa_path_inside(root(req), path);
    if (inside) yaa_api__send_file(req, resp, path, "no-cache");
    if (!inside || resp->status == 404)
        yaa_api_http_error(resp, 404, "Channel '%s' has no file '%s'", id, rel);
    return 0;
}

/* PUT: the body is the file's new content. YAML files must load without a problem (422
 * with the problems otherwise, nothing changed). */
int yaa_api__h_channel_file_put(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id;
    const char *rel = file_param(req, resp, &id);
    if (!rel) return 0;
    if (yaa_api__channel_reserved(id, resp)) return 0;
    if (refresh(req, resp)) return 0;
    char dir[4096], path[8192];
    snprintf(dir, sizeof dir, "%s/%s", root(req), id);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    yaa_err err = {0};
    pthread_mutex_lock(&channels_mu);
    struct stat st;
    int rc = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : YAA_ENOTFOUND;
    if (rc == 0 && !yaa_path_inside(root(req), path)) { /* a linked folder leading out */
        pthread_mutex_unlock(&channels_mu);
        return yaa_api_http_error(resp, 403,
                                  "'%s' of channel '%s' leads outside the channels folder (a "
                                  "symbolic link); refused",
                                  rel, id);
    }
    char *old = NULL;
    size_t old_len = 0;
    bool had = rc == 0 && yaa_read_file(path, 64u << 20, &old, &old_len) == 0;
    if (rc == 0) rc = yaa_channels_write_file(dir, rel, req->body, req->body_len, &err);
    if (rc == 0) {
        /* nothing the loader refuses gets stored: check before committing */
        yaa_channel *ch = NULL;
        rc = yaa_channels_load(root(req), id, &ch, &err);
        yaa_channels_free(ch);
        if (rc) {
            if (had)
                yaa_channels_write_file(dir, rel, old, old_len, NULL);
            else
                unlink(path);
        }
    }
    bool answered = false;
    if (rc == 0) answered = commit(req, resp, id, "file edited through the API") != 0;
    pthread_mutex_unlock(&channels_mu);
    free(old);
    if (answered) return 0;
    strip_root(req, &err);
    if (rc == YAA_ENOTFOUND) return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    if (rc == YAA_EINVAL || rc == YAA_EPARSE) return yaa_api_http_error(resp, 422, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    if (!yaa_channels_in_db(req->api->cfg)) resync(req->api);
    return yaa_api_http_json(resp, 200,
                             json_pack("{s:s, s:s, s:I}", "channel_id", id, "path", rel, "size",
                                       (json_int_t)req->body_len));
}

int yaa_api__h_channel_revisions(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = channel_param(req, resp);
    if (!id) return 0;
    if (!yaa_channels_in_db(req->api->cfg))
        return yaa_api_http_error(resp, 404, "Channel revisions are kept with CHANNELS_STORE=db");
    yaa_db_chrev *revs = NULL;
    size_t n = 0;
    yaa_err err = {0};
    int rc = yaa_db_chfiles_revisions(req->api->db, id, 100, req->arena, &revs, &n, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    if (n == 0) return yaa_api_http_error(resp, 404, "Channel '%s' not found", id);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[21];
        yaa_db_time_public(revs[i].created_at, at);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I}", "revision",
                                             (json_int_t)revs[i].revision, "created_at", at, "note",
                                             revs[i].note ? revs[i].note : "", "files",
                                             (json_int_t)revs[i].files));
    }
    return yaa_api_http_json(resp, 200,
                             json_pack("{s:s, s:o}", "channel_id", id, "revisions", arr));
}
