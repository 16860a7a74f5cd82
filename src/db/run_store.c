/* run_store.c - the orchestrator's view of a run, over the repositories of repo.h: the run
 * row, its stage checkpoints and its usage rows (written once, keyed by a deterministic id). */
#include "db/run_store.h"

#include "core/util.h"
#include "db/repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

int yaa_db_runstore_run_create_spec(yaa_db *db, const yaa_db_runstore_spec *spec, char id_out[37],
                                    yaa_err *err) {
    json_t *opts = json_object();
    if (spec->short_video) json_object_set_new(opts, "short", json_true());
    if (spec->review) json_object_set_new(opts, "review", json_string(spec->review));
    if (spec->publish_at) json_object_set_new(opts, "publish_at", json_string(spec->publish_at));
    char *opts_text = json_object_size(opts) ? json_dumps(opts, JSON_COMPACT) : NULL;
    json_decref(opts);
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    yaa_db_run run = {0};
    run.id = spec->id;
    run.channel_id = spec->channel_id;
    run.topic = spec->topic;
    run.brand_name = spec->brand_name ? spec->brand_name : "";
    run.dry_run = spec->dry_run;
    run.options_json = opts_text;
    run.batch_id = spec->batch_id;
    int rc = yaa_db_runs_create(db, &run, &a, err);
    if (rc == 0 && id_out) snprintf(id_out, 37, "%s", run.id);
    yaa_arena_free(&a);
    free(opts_text);
    return rc;
}

int yaa_db_runstore_run_create(yaa_db *db, const char *channel_id, const char *topic,
                               const char *brand_name, bool dry_run, bool short_video,
                               char id_out[37], yaa_err *err) {
    yaa_db_runstore_spec spec = {.channel_id = channel_id,
                                 .topic = topic,
                                 .brand_name = brand_name,
                                 .dry_run = dry_run,
                                 .short_video = short_video};
    return yaa_db_runstore_run_create_spec(db, &spec, id_out, err);
}

int yaa_db_runstore_run_find_latest(yaa_db *db, const char *channel_id, const char *topic,
                                    bool include_completed, char id_out[37], yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 16 * 1024);
    yaa_db_run_filter f = {channel_id, NULL, 200, 0};
    yaa_db_run *items = NULL;
    size_t n = 0;
    int64_t total = 0;
    id_out[0] = '\0';
    int rc = yaa_db_runs_list(db, &f, &a, &items, &n, &total, err);
    for (size_t i = 0; rc == 0 && i < n; i++) { /* newest first */
        const yaa_db_run *r = &items[i];
        if (strcmp(r->topic, topic) != 0) continue;
        if (strcmp(r->status, "cancelled") == 0) break;
        if (!include_completed && strcmp(r->status, "completed") == 0) break;
        snprintf(id_out, 37, "%s", r->id);
        break;
    }
    yaa_arena_free(&a);
    return rc;
}

int yaa_db_runstore_run_find_unfinished(yaa_db *db, const char *channel_id, const char *topic,
                                        char id_out[37], yaa_err *err) {
    return yaa_db_runstore_run_find_latest(db, channel_id, topic, false, id_out, err);
}

int yaa_db_runstore_run_get(yaa_db *db, const char *run_id, yaa_db_runstore_run *out,
                            yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    int rc = yaa_db_runs_get(db, run_id, &a, &r, err);
    if (rc == 0) {
        out->id = dup_or_empty(r.id);
        out->channel_id = dup_or_empty(r.channel_id);
        out->topic = dup_or_empty(r.topic);
        out->brand_name = dup_or_empty(r.brand_name);
        out->dry_run = r.dry_run;
        json_t *opts = r.options_json ? json_loads(r.options_json, 0, NULL) : NULL;
        out->short_video = json_is_true(json_object_get(opts, "short"));
        const char *review = json_string_value(json_object_get(opts, "review"));
        const char *publish_at = json_string_value(json_object_get(opts, "publish_at"));
        out->review = review ? strdup(review) : NULL;
        out->publish_at = publish_at ? strdup(publish_at) : NULL;
        json_decref(opts);
        out->batch_id = r.batch_id ? strdup(r.batch_id) : NULL;
        out->review_state = r.review_json ? json_loads(r.review_json, 0, NULL) : NULL;
        out->status = dup_or_empty(r.status);
        out->created_at = dup_or_empty(r.created_at);
        if (!out->id || !out->channel_id || !out->topic || !out->brand_name || !out->status ||
            !out->created_at) {
            yaa_db_runstore_run_free(out);
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
    }
    yaa_arena_free(&a);
    return rc;
}

void yaa_db_runstore_run_free(yaa_db_runstore_run *r) {
    free(r->id);
    free(r->channel_id);
    free(r->topic);
    free(r->brand_name);
    free(r->status);
    free(r->created_at);
    free(r->review);
    free(r->publish_at);
    free(r->batch_id);
    json_decref(r->review_state);
    memset(r, 0, sizeof *r);
}

int yaa_db_runstore_run_status(yaa_db *db, const char *run_id, char *out, size_t n, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    int rc = yaa_db_runs_get(db, run_id, &a, &r, err);
    if (rc == 0) snprintf(out, n, "%s", r.status);
    yaa_arena_free(&a);
    return rc;
}

int yaa_db_runstore_run_set_status(yaa_db *db, const char *run_id, const char *status,
                                   const char *current_agent, yaa_err *err) {
    bool final = strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
                 strcmp(status, "cancelled") == 0;
    yaa_db_run_update u = {0};
    u.status = status;
    u.current_agent = current_agent;
    u.set_completed_at = final;
    u.clear_completed_at = !final;
    /* A cancelled run stays cancelled: a worker finishing a stage must not revive it. */
    if (strcmp(status, "cancelled") != 0)
        u.if_status_in = "pending,running,awaiting_review,failed,completed";
    int rc = yaa_db_runs_update(db, run_id, &u, err);
    if (rc == YAA_ECONFLICT)
        return yaa_err_set(err, YAA_ECANCELLED, "run %s was cancelled", run_id);
    return rc;
}

typedef struct {
    const char *run_id;
    const char *message;
} add_error_arg;

static int add_error_tx(yaa_db *tx, void *arg, yaa_err *err) {
    add_error_arg *ae = arg;
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run r;
    int rc = yaa_db_runs_get(tx, ae->run_id, &a, &r, err);
    json_t *arr = rc == 0 && r.errors_json ? json_loads(r.errors_json, 0, NULL) : NULL;
    yaa_arena_free(&a);
    if (rc) return rc;
    if (!json_is_array(arr)) {
        json_decref(arr);
        arr = json_array();
    }
    json_array_append_new(arr, json_string(ae->message));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_run_update u = {0};
    u.errors_json = text;
    rc = yaa_db_runs_update(tx, ae->run_id, &u, err);
    free(text);
    return rc;
}

int yaa_db_runstore_run_add_error(yaa_db *db, const char *run_id, const char *message,
                                  yaa_err *err) {
    add_error_arg ae = {run_id, message};
    return yaa_db_tx(db, add_error_tx, &ae, err);
}

/* Stores j as the run's result_json (review false) or review_json (review true). */
static int set_json_column(yaa_db *db, const char *run_id, const json_t *j, bool review,
                           yaa_err *err) {
    char *text = json_dumps(j, JSON_COMPACT);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_run_update u = {0};
    if (review)
        u.review_json = text;
    else
        u.result_json = text;
    int rc = yaa_db_runs_update(db, run_id, &u, err);
    free(text);
    return rc;
}

int yaa_db_runstore_run_set_result(yaa_db *db, const char *run_id, const json_t *result,
                                   yaa_err *err) {
    return set_json_column(db, run_id, result, false, err);
}

int yaa_db_runstore_run_set_review(yaa_db *db, const char *run_id, const json_t *review,
                                   yaa_err *err) {
    return set_json_column(db, run_id, review, true, err);
}

int yaa_db_runstore_stages_get(yaa_db *db, const char *run_id, const char *const names[],
                               yaa_db_runstore_stage out[], int nstages, yaa_err *err) {
    memset(out, 0, (size_t)nstages * sizeof *out);
    yaa_arena a;
    yaa_arena_init(&a, 64 * 1024);
    yaa_db_stage *items = NULL;
    size_t n = 0;
    int rc = yaa_db_stages_list(db, run_id, &a, &items, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        for (int s = 0; s < nstages; s++) {
            if (strcmp(items[i].stage, names[s]) != 0) continue;
            out[s].present = true;
            out[s].status = dup_or_empty(items[i].status);
            out[s].attempt = (int)items[i].attempt;
            out[s].output = items[i].output_json ? json_loads(items[i].output_json, 0, NULL) : NULL;
            /* A checkpoint that does not parse is no checkpoint: the stage runs again. */
            if (strcmp(out[s].status, "done") == 0 && !out[s].output) {
                free(out[s].status);
                out[s].status = strdup("pending");
            }
        }
    }
    yaa_arena_free(&a);
    return rc;
}

void yaa_db_runstore_stages_free(yaa_db_runstore_stage st[], int nstages) {
    for (int i = 0; i < nstages; i++) {
        free(st[i].status);
        json_decref(st[i].output);
        memset(&st[i], 0, sizeof st[i]);
    }
}

int yaa_db_runstore_stage_start(yaa_db *db, const char *run_id, const char *stage, int *attempt,
                                yaa_err *err) {
    int64_t a = 0;
    int rc = yaa_db_stages_start(db, run_id, stage, &a, err);
    *attempt = (int)a;
    return rc;
}

int yaa_db_runstore_stage_finish(yaa_db *db, const char *run_id, const char *stage,
                                 const char *status, const json_t *output, const char *error,
                                 yaa_err *err) {
    char *text = output ? json_dumps(output, JSON_COMPACT) : NULL;
    int rc = yaa_db_stages_finish(db, run_id, stage, status, text, error, err);
    free(text);
    return rc;
}

int yaa_db_runstore_usage_add(yaa_db *db, const yaa_db_runstore_usage *u, yaa_err *err) {
    /* The id is a UUID-shaped digest of (run, agent, attempt, seq): the same call reported
     * twice (a re-delivered job replaying a finished stage's hook) lands on the same row. */
    char key[512], hex[65], id[37];
    snprintf(key, sizeof key, "%s|%s|%d|%d", u->run_id, u->agent, u->attempt, u->seq);
    yaa_sha256_hex(key, strlen(key), hex);
    snprintf(id, sizeof id, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17,
             hex + 20);
    yaa_db_usage row = {0};
    row.id = id;
    row.run_id = u->run_id;
    row.agent = u->agent;
    row.provider = u->provider;
    row.model = u->model ? u->model : "";
    row.kind = u->kind;
    row.prompt_tokens = u->prompt_tokens;
    row.completion_tokens = u->completion_tokens;
    row.units = (double)u->units;
    row.cost_usd = u->cost_usd;
    return yaa_db_usage_insert(db, &row, NULL, err);
}
