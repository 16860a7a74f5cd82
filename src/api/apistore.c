/* apistore.c - the API's data access over the repositories of src/db: runs (with stages and
 * cost), API keys, audit rows, usage. Turns repository records into the contract's JSON. */
#include "api/apistore.h"

#include "agents/stages.h"
#include "agents/text.h"
#include "api/http.h"
#include "core/arena.h"
#include "core/util.h"
#include "db/db.h"
#include "db/repo.h"
#include "llm/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *jtime(const char *stored) {
    if (!stored) return json_null();
    char out[21];
    yaa_db_time_public(stored, out);
    return json_string(out);
}

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *parsed(const char *s, json_t *dflt) {
    if (!s) return dflt;
    json_t *j = json_loads(s, 0, NULL);
    if (!j) return dflt;
    json_decref(dflt);
    return j;
}

/* ---------------------------------------------------------------- runs */

static json_t *run_summary(const yaa_db_run *r) {
    json_t *opts = parsed(r->options_json, json_object());
    json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:O?}", "run_id", jstr(r->id),
                          "channel_id", jstr(r->channel_id), "topic", jstr(r->topic), "status",
                          jstr(r->status), "dry_run", r->dry_run, "created_at",
                          jtime(r->created_at), "completed_at", jtime(r->completed_at), "batch_id",
                          jstr(r->batch_id), "publish_at", json_object_get(opts, "publish_at"));
    json_decref(opts);
    return j;
}

int yaa_api_store_run_create(struct yaa_db *db, const yaa_db_runstore_spec *spec, yaa_err *err) {
    return yaa_db_runstore_run_create_spec(db, spec, NULL, err);
}

/* RunDetail's review: the run's review option, the gate it waits at (null when it does not)
 * and every decision and edit made so far. */
static json_t *review_of(const yaa_db_run *r) {
    json_t *opts = parsed(r->options_json, json_object());
    json_t *state = parsed(r->review_json, json_object());
    json_t *history = json_object_get(state, "history");
    bool waiting = r->status && strcmp(r->status, "awaiting_review") == 0;
    json_t *mode = json_object_get(opts, "review");
    if (!mode) mode = json_object_get(state, "mode"); /* the channel's, recorded at a gate */
    json_t *j = json_pack("{s:O?, s:O?, s:o}", "mode", mode, "stage",
                          waiting ? json_object_get(state, "stage") : NULL, "history",
                          json_is_array(history) ? json_incref(history) : json_array());
    json_decref(opts);
    json_decref(state);
    return j;
}

/* Every stage in pipeline order (the registry); a stage without a row is "pending". */
static int stages_of(struct yaa_db *db, const char *id, json_t **out, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_stage *items = NULL;
    size_t n = 0;
    int rc = yaa_db_stages_list(db, id, &a, &items, &n, err);
    if (rc) {
        yaa_arena_free(&a);
        return rc;
    }
    json_t *arr = json_array();
    for (int s = 0; s < YAA_STAGE_COUNT; s++) {
        const yaa_db_stage *st = NULL;
        for (size_t i = 0; i < n && !st; i++)
            if (items[i].stage && strcmp(items[i].stage, yaa_agents_stage_names[s]) == 0)
                st = &items[i];
        if (st)
            json_array_append_new(
                arr, json_pack("{s:s, s:o, s:o, s:o, s:o}", "stage", yaa_agents_stage_names[s],
                               "status", jstr(st->status), "started_at", jtime(st->started_at),
                               "finished_at", jtime(st->finished_at), "error", jstr(st->error)));
        else
            json_array_append_new(arr, json_pack("{s:s, s:s, s:n, s:n, s:n}", "stage",
                                                 yaa_agents_stage_names[s], "status", "pending",
                                                 "started_at", "finished_at", "error"));
    }
    yaa_arena_free(&a);
    *out = arr;
    return 0;
}

static int usage_totals(struct yaa_db *db, const yaa_db_usage_filter *f, yaa_db_usage_totals *t,
                        yaa_err *err) {
    return yaa_db_usage_totals_get(db, f, t, err);
}

/* The models the run used, each with whether yaa knows its price, and a warning per model
 * without one: its usage counts as $0, so the run's cost_usd is too low. */
static int add_models(struct yaa_db *db, const char *id, json_t *j, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 8192);
    yaa_db_usage_filter f = {.run_id = id, .limit = 1000};
    yaa_db_usage *items = NULL;
    size_t n = 0;
    int rc = yaa_db_usage_list(db, &f, &a, &items, &n, NULL, NULL, err);
    json_t *models = json_array(), *warnings = json_array();
    for (size_t i = n; rc == 0 && i-- > 0;) { /* oldest first: the order the stages ran */
        const yaa_db_usage *u = &items[i];
        if (!u->provider || !u->model) continue;
        bool seen = false;
        size_t k;
        json_t *m;
        json_array_foreach(models, k, m) {
            seen = seen ||
                   (strcmp(json_string_value(json_object_get(m, "provider")), u->provider) == 0 &&
                    strcmp(json_string_value(json_object_get(m, "model")), u->model) == 0 &&
                    strcmp(json_string_value(json_object_get(m, "agent")),
                           u->agent ? u->agent : "") == 0);
        }
        if (seen) continue;
        bool priced = yaa_llm_pricing_known(u->provider, u->model);
        json_array_append_new(models, json_pack("{s:s, s:s, s:s, s:s, s:b}", "agent",
                                                u->agent ? u->agent : "", "provider", u->provider,
                                                "model", u->model, "kind",
                                                u->kind ? u->kind : "chat", "priced", priced));
        if (!priced) {
            char w[512];
            snprintf(w, sizeof w,
                     "no price for model '%s' (%s): its usage is counted at $0, so cost_usd is too "
                     "low; add it to PRICING_FILE",
                     u->model, u->provider);
            bool dup = false;
            json_array_foreach(warnings, k, m) dup = dup || strcmp(json_string_value(m), w) == 0;
            if (!dup) json_array_append_new(warnings, json_string(w));
        }
    }
    yaa_arena_free(&a);
    if (rc) {
        json_decref(models);
        json_decref(warnings);
        return rc;
    }
    json_object_set_new(j, "models", models);
    json_object_set_new(j, "warnings", warnings);
    return 0;
}

/* What dashboards read from a completed run (docs/CONTRACT.md "Additions"): the script's text
 * (rendered from the script writer's checkpoint, so it needs no artifact file) and the video's
 * artifact URL (relative: the API makes it absolute with the request's Host). */
static int add_compat_result(struct yaa_db *db, const char *id, json_t *res, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_stage *items = NULL;
    size_t n = 0;
    int rc = yaa_db_stages_list(db, id, &a, &items, &n, err);
    char *md = NULL;
    for (size_t i = 0; rc == 0 && i < n && !md; i++) {
        if (!items[i].stage ||
            strcmp(items[i].stage, yaa_agents_stage_names[YAA_STAGE_SCRIPT_WRITER]) != 0)
            continue;
        json_t *script = parsed(items[i].output_json, NULL);
        if (script) md = yaa_agents_text_script_markdown(script);
        json_decref(script);
    }
    yaa_arena_free(&a);
    if (rc) return rc;
    if (!json_object_get(res, "script")) json_object_set_new(res, "script", jstr(md));
    free(md);
    char url[160];
    snprintf(url, sizeof url, "/api/v1/pipeline/runs/%s/artifacts/video.mp4", id);
    if (!json_object_get(res, "video_url")) json_object_set_new(res, "video_url", json_string(url));
    return 0;
}

int yaa_api_store_run_detail(struct yaa_db *db, const char *id, json_t **out, yaa_err *err) {
    *out = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    int rc = yaa_db_runs_get(db, id, &a, &r, err);
    if (rc) {
        yaa_arena_free(&a);
        if (rc == YAA_ENOTFOUND) yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
        return rc;
    }
    json_t *j = run_summary(&r);
    json_object_set_new(j, "brand_name", jstr(r.brand_name));
    json_object_set_new(j, "current_agent", jstr(r.current_agent));
    json_object_set_new(j, "updated_at", jtime(r.updated_at));
    json_object_set_new(j, "result", parsed(r.result_json, json_null()));
    json_object_set_new(j, "errors", parsed(r.errors_json, json_array()));
    json_object_set_new(j, "review", review_of(&r));
    yaa_arena_free(&a);
    json_t *stages = NULL;
    yaa_db_usage_totals t;
    yaa_db_usage_filter f = {.run_id = id};
    if ((rc = stages_of(db, id, &stages, err)) != 0 || (rc = usage_totals(db, &f, &t, err)) != 0) {
        json_decref(stages);
        json_decref(j);
        return rc;
    }
    json_object_set_new(j, "stages", stages);
    json_object_set_new(j, "cost_usd", json_real(t.cost_usd));
    if ((rc = add_models(db, id, j, err)) != 0) {
        json_decref(j);
        return rc;
    }
    json_t *res = json_object_get(j, "result");
    const char *status = json_string_value(json_object_get(j, "status"));
    if (json_is_object(res) && status && strcmp(status, "completed") == 0 &&
        (rc = add_compat_result(db, id, res, err)) != 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return 0;
}

/* One newest-first page of list items (summary columns only) into a, with the filtered total. */
static int list_page(struct yaa_db *db, const char *channel_id, const char *status,
                     const char *batch_id, long limit, long offset, yaa_arena *a,
                     yaa_db_run **items, size_t *n, int64_t *total, yaa_err *err) {
    yaa_db_run_filter f = {.channel_id = channel_id,
                           .status = status,
                           .batch_id = batch_id,
                           .limit = limit,
                           .offset = offset,
                           .summary = true};
    return limit > 0 ? yaa_db_runs_list(db, &f, a, items, n, total, err) : 0;
}

int yaa_api_store_runs_list(struct yaa_db *db, const char *channel_id, const char *status,
                            const char *batch_id, long limit, long offset, json_t **runs,
                            long *total, yaa_err *err) {
    *runs = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_run *items = NULL;
    size_t n = 0;
    int64_t t = 0;
    json_t *arr = json_array();
    int rc = list_page(db, channel_id, status, batch_id, limit, offset, &a, &items, &n, &t, err);
    for (size_t i = 0; rc == 0 && i < n; i++) json_array_append_new(arr, run_summary(&items[i]));
    yaa_arena_free(&a);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *runs = arr;
    *total = (long)t;
    return 0;
}

/* One RunSummary written straight into b, in run_summary's key order: the list is the busiest
 * read, and building then dumping a jansson tree per item cost a quarter of its time. */
static int write_summary(yaa_buf *b, const yaa_db_run *r) {
    /* keys with their separators, so each field is two appends (no printf per field) */
    static const char *const keys[] = {
        "{\"run_id\":",     ",\"channel_id\":",   ",\"topic\":",    ",\"status\":",
        ",\"created_at\":", ",\"completed_at\":", ",\"batch_id\":", ",\"publish_at\":"};
    const char *strs[] = {r->id, r->channel_id, r->topic, r->status};
    int rc = 0;
    for (size_t k = 0; k < 4 && !rc; k++) {
        rc = yaa_buf_puts(b, keys[k]);
        if (!rc) rc = strs[k] ? yaa_buf_json_str(b, strs[k]) : yaa_buf_puts(b, "null");
    }
    if (!rc) rc = yaa_buf_puts(b, r->dry_run ? ",\"dry_run\":true" : ",\"dry_run\":false");
    const char *times[] = {r->created_at, r->completed_at};
    for (size_t k = 0; k < 2 && !rc; k++) {
        char t[21];
        yaa_db_time_public(times[k], t);
        rc = yaa_buf_puts(b, keys[4 + k]);
        if (!rc) rc = times[k] ? yaa_buf_json_str(b, t) : yaa_buf_puts(b, "null");
    }
    if (!rc) rc = yaa_buf_puts(b, keys[6]);
    if (!rc) rc = r->batch_id ? yaa_buf_json_str(b, r->batch_id) : yaa_buf_puts(b, "null");
    /* publish_at is the only option a summary shows: parsed only when it can be there */
    char *pa = NULL;
    if (r->options_json && strstr(r->options_json, "publish_at")) {
        json_t *opts = parsed(r->options_json, NULL);
        json_t *v = json_object_get(opts, "publish_at");
        if (v) pa = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        json_decref(opts);
    }
    if (!rc) rc = yaa_buf_puts(b, keys[7]);
    if (!rc) rc = yaa_buf_puts(b, pa ? pa : "null");
    if (!rc) rc = yaa_buf_putc(b, '}');
    free(pa);
    return rc;
}

int yaa_api_store_runs_list_write(struct yaa_db *db, const char *channel_id, const char *status,
                                  const char *batch_id, long limit, long offset, yaa_buf *out,
                                  yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_run *items = NULL;
    size_t n = 0;
    int64_t t = 0;
    int rc = list_page(db, channel_id, status, batch_id, limit, offset, &a, &items, &n, &t, err);
    int wrc = rc ? 0 : yaa_buf_puts(out, "{\"runs\":[");
    for (size_t i = 0; rc == 0 && wrc == 0 && i < n; i++) {
        if (i) wrc = yaa_buf_putc(out, ',');
        if (!wrc) wrc = write_summary(out, &items[i]);
    }
    yaa_arena_free(&a);
    if (rc) return rc;
    if (!wrc)
        wrc = yaa_buf_printf(out, "],\"total\":%lld,\"limit\":%ld,\"offset\":%ld}", (long long)t,
                             limit, offset);
    return wrc ? yaa_err_set(err, YAA_ENOMEM, "out of memory") : 0;
}

int yaa_api_store_run_progress(struct yaa_db *db, const char *id, char status[16], json_t **stages,
                               yaa_err *err) {
    *stages = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 2048);
    yaa_db_run r;
    int rc = yaa_db_runs_get(db, id, &a, &r, err);
    if (rc == 0) snprintf(status, 16, "%s", r.status ? r.status : "");
    yaa_arena_free(&a);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    if (rc) return rc;
    return stages_of(db, id, stages, err);
}

int yaa_api_store_run_cancel(struct yaa_db *db, const char *id, yaa_err *err) {
    yaa_db_run_update u = {.status = "cancelled",
                           .set_completed_at = true,
                           .if_status_in = "pending,running,awaiting_review"};
    int rc = yaa_db_runs_update(db, id, &u, err);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    if (rc == YAA_ECONFLICT) yaa_err_prefix(err, "Run already finished: ");
    return rc;
}

int yaa_api_store_run_rearm(struct yaa_db *db, const char *id, yaa_err *err) {
    yaa_db_run_update u = {.status = "pending",
                           .clear_completed_at = true,
                           .if_status_in = "failed,cancelled,completed"};
    int rc = yaa_db_runs_update(db, id, &u, err);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    if (rc == YAA_ECONFLICT) yaa_err_prefix(err, "Run cannot be retried while active: ");
    return rc;
}

int yaa_api_store_run_fail(struct yaa_db *db, const char *id, const char *msg, yaa_err *err) {
    json_t *errs = json_pack("[s]", msg);
    char *ej = json_dumps(errs, JSON_COMPACT);
    json_decref(errs);
    yaa_db_run_update u = {.status = "failed", .errors_json = ej, .set_completed_at = true};
    int rc = yaa_db_runs_update(db, id, &u, err);
    free(ej);
    return rc;
}

int yaa_api_store_dashboard(struct yaa_db *db, long recent, json_t **out, yaa_err *err) {
    *out = NULL;
    yaa_db_run_stats st;
    int rc = yaa_db_runs_stats(db, NULL, &st, err);
    if (rc) return rc;
    yaa_db_usage_totals t;
    yaa_db_usage_filter f = {0};
    if ((rc = usage_totals(db, &f, &t, err)) != 0) return rc;
    json_t *runs = NULL;
    long total;
    if ((rc = yaa_api_store_runs_list(db, NULL, NULL, NULL, recent < 0 ? 0 : recent, 0, &runs,
                                      &total, err)) != 0)
        return rc;
    /* avg_duration_sec is null until a run completes (0 would read as "instant"). */
    *out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:f, s:o, s:I}", "total_runs", (json_int_t)st.total,
                     "active_runs", (json_int_t)st.active, "success_runs", (json_int_t)st.completed,
                     "failed_runs", (json_int_t)st.failed, "avg_duration_sec",
                     st.has_avg_duration ? json_real(st.avg_duration_sec) : json_null(),
                     "estimated_cost_usd", t.cost_usd, "recent_runs", runs, "awaiting_review",
                     (json_int_t)st.awaiting_review);
    return 0;
}

/* ---------------------------------------------------------------- keys */

int yaa_api_store_key_lookup(struct yaa_db *db, const char *hash_hex, yaa_apistore_key *out,
                             yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_apikey k;
    int rc = yaa_db_keys_find_by_hash(db, hash_hex, &a, &k, err);
    if (rc) {
        yaa_arena_free(&a);
        return rc;
    }
    /* The index found it; compare in constant time anyway so timing says nothing. */
    if (!k.key_hash || strlen(k.key_hash) != 64 || !yaa_ct_equal(k.key_hash, hash_hex, 64)) {
        yaa_arena_free(&a);
        return YAA_ENOTFOUND;
    }
    snprintf(out->id, sizeof out->id, "%s", k.id);
    if (yaa_db_apikey_has_scope(&k, "read")) out->scopes |= YAA_SCOPE_READ;
    if (yaa_db_apikey_has_scope(&k, "write")) out->scopes |= YAA_SCOPE_WRITE;
    if (yaa_db_apikey_has_scope(&k, "admin")) out->scopes |= YAA_SCOPE_ADMIN;
    out->active = k.is_active;
    if (k.expires_at && yaa_time_parse(k.expires_at, &out->expires) != 0) out->expires = 1;
    out->expired = yaa_api_store_key_expired(out, time(NULL));
    yaa_arena_free(&a);
    return 0;
}

bool yaa_api_store_key_expired(const yaa_apistore_key *k, time_t now) {
    return k->active && k->expires != 0 && now >= k->expires;
}

static json_t *key_json(const yaa_db_apikey *k) {
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o}", "key_id", jstr(k->id), "name",
                     jstr(k->name), "prefix", jstr(k->key_prefix), "scopes",
                     parsed(k->scopes_json, json_array()), "is_active", k->is_active, "created_at",
                     jtime(k->created_at), "expires_at", jtime(k->expires_at), "last_used_at",
                     jtime(k->last_used_at));
}

int yaa_api_store_key_create(struct yaa_db *db, const char *name, json_t *scopes, long expires_days,
                             json_t **out, yaa_err *err) {
    *out = NULL;
    char csv[64] = "";
    size_t i;
    json_t *it;
    json_array_foreach(scopes, i, it) {
        if (*csv) strncat(csv, ",", sizeof csv - strlen(csv) - 1);
        strncat(csv, json_string_value(it), sizeof csv - strlen(csv) - 1);
    }
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    char key[YAA_APIKEY_LEN + 1];
    yaa_db_apikey k;
    int rc = yaa_db_keys_issue(db, name, scopes ? csv : NULL, (int)expires_days, key, &a, &k, err);
    if (rc == 0) {
        json_t *j = key_json(&k);
        json_object_set_new(j, "api_key", json_string(key));
        json_object_set_new(j, "key",
                            json_string(key)); /* the name some dashboards read (docs/API.md) */
        json_object_del(j, "is_active");
        json_object_del(j, "last_used_at");
        *out = j;
    }
    memset(key, 0, sizeof key);
    yaa_arena_free(&a);
    return rc;
}

int yaa_api_store_key_ensure(struct yaa_db *db, const char *plaintext, const char *name,
                             yaa_err *err) {
    return yaa_db_keys_ensure(db, plaintext, name, NULL, err);
}

int yaa_api_store_keys_list(struct yaa_db *db, json_t **keys, yaa_err *err) {
    *keys = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 8192);
    yaa_db_apikey *items = NULL;
    size_t n = 0;
    int rc = yaa_db_keys_list(db, true, &a, &items, &n, err);
    if (rc == 0) {
        *keys = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(*keys, key_json(&items[i]));
    }
    yaa_arena_free(&a);
    return rc;
}

int yaa_api_store_key_revoke(struct yaa_db *db, const char *id, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_apikey k;
    int rc = yaa_db_keys_get(db, id, &a, &k, err);
    bool active = rc == 0 && k.is_active;
    yaa_arena_free(&a);
    if (rc == 0 && !active) return yaa_err_set(err, YAA_ECONFLICT, "API key already revoked");
    if (rc == 0) rc = yaa_db_keys_revoke(db, id, err);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, YAA_ENOTFOUND, "API key not found");
    return rc;
}

int yaa_api_store_keys_touch(struct yaa_db *db, const char *const *ids, size_t n, yaa_err *err) {
    for (size_t i = 0; i < n; i++) {
        int rc = yaa_db_keys_touch(db, ids[i], err);
        if (rc && rc != YAA_ENOTFOUND) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- audit */

int yaa_api_store_audit_insert(struct yaa_db *db, const yaa_audit_entry *rows, size_t n,
                               yaa_err *err) {
    yaa_db_audit *r = calloc(n ? n : 1, sizeof *r);
    if (!r) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const yaa_audit_entry *e = &rows[i];
        r[i] = (yaa_db_audit){.timestamp = e->timestamp,
                              .method = e->method,
                              .path = e->path,
                              .status_code = e->status_code,
                              .api_key_id = e->api_key_id[0] ? e->api_key_id : NULL,
                              .ip_address = e->ip_address,
                              .user_agent = e->user_agent,
                              .duration_ms = e->duration_ms,
                              .request_id = e->request_id,
                              .request_count = e->count > 0 ? e->count : 1};
    }
    int rc = yaa_db_audit_insert_many(db, r, n, err);
    free(r);
    return rc;
}

int yaa_api_store_audit_list(struct yaa_db *db, const yaa_audit_filter *f, json_t **logs,
                             long *total, yaa_err *err) {
    *logs = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_audit_filter g = {.method = f->method,
                             .path = f->path,
                             .status_code = f->status_code > 0 ? f->status_code : 0,
                             .api_key_id = f->api_key_id,
                             .since = f->since,
                             .until = f->until,
                             .limit = f->limit,
                             .offset = f->offset};
    yaa_db_audit *items = NULL;
    size_t n = 0;
    int64_t t = 0;
    int rc = yaa_db_audit_list(db, &g, &a, &items, &n, &t, err);
    if (rc == 0) {
        *logs = json_array();
        for (size_t i = 0; i < n; i++) {
            const yaa_db_audit *e = &items[i];
            json_array_append_new(
                *logs, json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:f, s:o, s:o, s:I}", "id",
                                 (json_int_t)e->id, "timestamp", jtime(e->timestamp), "method",
                                 jstr(e->method), "path", jstr(e->path), "status_code",
                                 (json_int_t)e->status_code, "api_key_id", jstr(e->api_key_id),
                                 "ip_address", jstr(e->ip_address), "duration_ms", e->duration_ms,
                                 "user_agent", jstr(e->user_agent), "request_id",
                                 jstr(e->request_id), "request_count",
                                 (json_int_t)(e->request_count > 0 ? e->request_count : 1)));
        }
        *total = (long)t;
    }
    yaa_arena_free(&a);
    return rc;
}

/* ---------------------------------------------------------------- usage */

static void filter_of(const yaa_usage_filter *f, yaa_db_usage_filter *g) {
    *g = (yaa_db_usage_filter){.run_id = f->run_id,
                               .channel_id = f->channel_id,
                               .agent = f->agent,
                               .provider = f->provider,
                               .model = f->model,
                               .from = f->from,
                               .to = f->to,
                               .limit = f->limit,
                               .offset = f->offset};
}

static json_t *totals_json(const yaa_db_usage_totals *t) {
    return json_pack("{s:I, s:I, s:I, s:f, s:I}", "prompt_tokens", (json_int_t)t->prompt_tokens,
                     "completion_tokens", (json_int_t)t->completion_tokens, "total_tokens",
                     (json_int_t)t->total_tokens, "cost_usd", t->cost_usd, "events",
                     (json_int_t)t->events);
}

static json_t *usage_json(const yaa_db_usage *u) {
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:f, s:f, s:o}", "id",
                     jstr(u->id), "run_id", jstr(u->run_id), "agent", jstr(u->agent), "provider",
                     jstr(u->provider), "model", jstr(u->model), "kind", jstr(u->kind),
                     "prompt_tokens", (json_int_t)u->prompt_tokens, "completion_tokens",
                     (json_int_t)u->completion_tokens, "total_tokens", (json_int_t)u->total_tokens,
                     "units", u->units, "cost_usd", u->cost_usd, "created_at",
                     jtime(u->created_at));
}

int yaa_api_store_usage(struct yaa_db *db, const yaa_usage_filter *f, json_t **out, yaa_err *err) {
    *out = NULL;
    yaa_db_usage_filter g;
    filter_of(f, &g);
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_usage *items = NULL;
    size_t n = 0;
    int64_t total = 0;
    yaa_db_usage_totals t;
    memset(&t, 0, sizeof t);
    /* The page from the events; the totals (and the count: totals.events) from the rollup. */
    int rc = yaa_db_usage_list(db, &g, &a, &items, &n, NULL, NULL, err);
    if (rc == 0) rc = yaa_db_usage_totals_get(db, &g, &t, err);
    if (rc == 0) {
        total = t.events;
        json_t *events = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(events, usage_json(&items[i]));
        *out = json_pack("{s:o, s:o, s:I, s:I, s:I}", "totals", totals_json(&t), "events", events,
                         "total", (json_int_t)total, "limit", (json_int_t)f->limit, "offset",
                         (json_int_t)f->offset);
    }
    yaa_arena_free(&a);
    return rc;
}

int yaa_api_usage_summary(struct yaa_db *db, const yaa_usage_filter *f, const char *group_by,
                          json_t **out, yaa_err *err) {
    *out = NULL;
    const char *by = group_by ? group_by : "day";
    yaa_db_usage_filter g;
    filter_of(f, &g);
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_usage_group *groups = NULL;
    size_t n = 0;
    yaa_db_usage_totals t;
    int rc = yaa_db_usage_summary(db, &g, by, &a, &groups, &n, &t, err);
    if (rc == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const yaa_db_usage_group *e = &groups[i];
            json_array_append_new(arr,
                                  json_pack("{s:o, s:I, s:I, s:I, s:f, s:I}", "key", jstr(e->key),
                                            "prompt_tokens", (json_int_t)e->prompt_tokens,
                                            "completion_tokens", (json_int_t)e->completion_tokens,
                                            "total_tokens", (json_int_t)e->total_tokens, "cost_usd",
                                            e->cost_usd, "events", (json_int_t)e->events));
        }
        *out =
            json_pack("{s:o, s:s, s:o}", "totals", totals_json(&t), "group_by", by, "groups", arr);
    }
    yaa_arena_free(&a);
    return rc;
}
