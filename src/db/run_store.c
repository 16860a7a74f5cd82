/* run_store.c - the orchestrator's queries: a run's row, its stage checkpoints and its
 * usage rows (written once, keyed by a deterministic id). */
#include "db/run_store.h"

#include "core/util.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yaa_store_run_create(yaa_db *db, const char *channel_id, const char *topic,
                         const char *brand_name, bool dry_run, char id_out[37], yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    if (yaa_uuid4(id_out)) return yaa_err_set(err, YAA_EIO, "cannot generate a run id");
    return yaa_db_exec(
        db,
        "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
        "errors_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', '[]', ?, ?)",
        YAA_DB_ARGS(yaa_db_text(id_out), yaa_db_text(channel_id), yaa_db_text(topic),
                    yaa_db_text(brand_name ? brand_name : ""), yaa_db_bool(dry_run),
                    yaa_db_text(now), yaa_db_text(now)),
        NULL, err);
}

int yaa_store_run_find_unfinished(yaa_db *db, const char *channel_id, const char *topic,
                                  char id_out[37], yaa_err *err) {
    yaa_db_rows *r = NULL;
    id_out[0] = '\0';
    int rc =
        yaa_db_query(db,
                     "SELECT id FROM pipeline_runs WHERE channel_id = ? AND topic = ? AND status "
                     "IN ('pending', 'running', 'failed') ORDER BY created_at DESC LIMIT 1",
                     YAA_DB_ARGS(yaa_db_text(channel_id), yaa_db_text(topic)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r)) snprintf(id_out, 37, "%s", yaa_db_get_text(r, 0, 0));
    yaa_db_rows_free(r);
    return 0;
}

int yaa_store_run_get(yaa_db *db, const char *run_id, yaa_store_run *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    memset(out, 0, sizeof *out);
    int rc = yaa_db_query(db,
                          "SELECT id, channel_id, topic, brand_name, dry_run, status, created_at "
                          "FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(run_id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "run %s not found", run_id);
    }
    out->id = yaa_db_dup_text(r, 0, 0);
    out->channel_id = yaa_db_dup_text(r, 0, 1);
    out->topic = yaa_db_dup_text(r, 0, 2);
    out->brand_name = yaa_db_dup_text(r, 0, 3);
    out->dry_run = yaa_db_get_bool(r, 0, 4);
    out->status = yaa_db_dup_text(r, 0, 5);
    out->created_at = yaa_db_dup_text(r, 0, 6);
    yaa_db_rows_free(r);
    if (!out->brand_name) out->brand_name = strdup("");
    if (!out->id || !out->channel_id || !out->topic || !out->status || !out->brand_name) {
        yaa_store_run_free(out);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    return 0;
}

void yaa_store_run_free(yaa_store_run *r) {
    free(r->id);
    free(r->channel_id);
    free(r->topic);
    free(r->brand_name);
    free(r->status);
    free(r->created_at);
    memset(r, 0, sizeof *r);
}

int yaa_store_run_status(yaa_db *db, const char *run_id, char *out, size_t n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT status FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(run_id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "run %s not found", run_id);
    else
        snprintf(out, n, "%s", yaa_db_get_text(r, 0, 0));
    yaa_db_rows_free(r);
    return rc;
}

int yaa_store_run_set_status(yaa_db *db, const char *run_id, const char *status,
                             const char *current_agent, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    bool final = strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
                 strcmp(status, "cancelled") == 0;
    /* A cancelled run stays cancelled: a worker finishing a stage must not revive it. */
    return yaa_db_exec(
        db,
        "UPDATE pipeline_runs SET status = ?, current_agent = COALESCE(?, current_agent), "
        "updated_at = ?, completed_at = CASE WHEN ? = 1 THEN ? ELSE NULL END "
        "WHERE id = ? AND (status <> 'cancelled' OR ? = 'cancelled')",
        YAA_DB_ARGS(yaa_db_text(status), yaa_db_text(current_agent), yaa_db_text(now),
                    yaa_db_int(final), yaa_db_text(now), yaa_db_text(run_id), yaa_db_text(status)),
        NULL, err);
}

typedef struct {
    const char *run_id;
    const char *message;
} add_error_arg;

static int add_error_tx(yaa_db *tx, void *arg, yaa_err *err) {
    add_error_arg *a = arg;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(tx, "SELECT errors_json FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(a->run_id)), &r, err);
    if (rc) return rc;
    json_t *arr = yaa_db_rows_count(r) ? json_loads(yaa_db_get_text(r, 0, 0), 0, NULL) : NULL;
    yaa_db_rows_free(r);
    if (!json_is_array(arr)) {
        json_decref(arr);
        arr = json_array();
    }
    json_array_append_new(arr, json_string(a->message));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    rc = yaa_db_exec(tx, "UPDATE pipeline_runs SET errors_json = ?, updated_at = ? WHERE id = ?",
                     YAA_DB_ARGS(yaa_db_text(text), yaa_db_text(now), yaa_db_text(a->run_id)), NULL,
                     err);
    free(text);
    return rc;
}

int yaa_store_run_add_error(yaa_db *db, const char *run_id, const char *message, yaa_err *err) {
    add_error_arg a = {run_id, message};
    return yaa_db_tx(db, add_error_tx, &a, err);
}

int yaa_store_run_set_result(yaa_db *db, const char *run_id, const json_t *result, yaa_err *err) {
    char *text = json_dumps(result, JSON_COMPACT);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = yaa_db_exec(db, "UPDATE pipeline_runs SET result_json = ? WHERE id = ?",
                         YAA_DB_ARGS(yaa_db_text(text), yaa_db_text(run_id)), NULL, err);
    free(text);
    return rc;
}

int yaa_store_stages_get(yaa_db *db, const char *run_id, yaa_store_stage out[], int nstages,
                         yaa_err *err) {
    static const char *names[] = {"brand_researcher", "script_writer", "seo_optimizer",
                                  "media_generator",  "media_editor",  "publisher"};
    memset(out, 0, (size_t)nstages * sizeof *out);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(
        db, "SELECT stage, status, attempt, output_json FROM run_stages WHERE run_id = ?",
        YAA_DB_ARGS(yaa_db_text(run_id)), &r, err);
    if (rc) return rc;
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
        const char *stage = yaa_db_get_text(r, i, 0);
        for (int s = 0; s < nstages && s < 6; s++) {
            if (strcmp(stage, names[s]) != 0) continue;
            out[s].present = true;
            out[s].status = yaa_db_dup_text(r, i, 1);
            out[s].attempt = (int)yaa_db_get_int(r, i, 2);
            const char *o = yaa_db_get_text(r, i, 3);
            out[s].output = o ? json_loads(o, 0, NULL) : NULL;
            /* A checkpoint that does not parse is no checkpoint: the stage runs again. */
            if (out[s].status && strcmp(out[s].status, "done") == 0 && !out[s].output) {
                free(out[s].status);
                out[s].status = strdup("pending");
            }
        }
    }
    yaa_db_rows_free(r);
    return 0;
}

void yaa_store_stages_free(yaa_store_stage st[], int nstages) {
    for (int i = 0; i < nstages; i++) {
        free(st[i].status);
        json_decref(st[i].output);
        memset(&st[i], 0, sizeof st[i]);
    }
}

int yaa_store_stage_start(yaa_db *db, const char *run_id, const char *stage, int *attempt,
                          yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(
        db,
        "INSERT INTO run_stages (run_id, stage, status, attempt, started_at) "
        "VALUES (?, ?, 'running', 1, ?) ON CONFLICT (run_id, stage) DO UPDATE SET "
        "status = 'running', attempt = run_stages.attempt + 1, started_at = "
        "excluded.started_at, finished_at = NULL, error = NULL RETURNING attempt",
        YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage), yaa_db_text(now)), &r, err);
    if (rc) return rc;
    *attempt = yaa_db_rows_count(r) ? (int)yaa_db_get_int(r, 0, 0) : 1;
    yaa_db_rows_free(r);
    return 0;
}

int yaa_store_stage_finish(yaa_db *db, const char *run_id, const char *stage, const char *status,
                           const json_t *output, const char *error, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    char *text = output ? json_dumps(output, JSON_COMPACT) : NULL;
    int rc =
        yaa_db_exec(db,
                    "UPDATE run_stages SET status = ?, output_json = ?, error = ?, finished_at = ? "
                    "WHERE run_id = ? AND stage = ?",
                    YAA_DB_ARGS(yaa_db_text(status), yaa_db_text(text), yaa_db_text(error),
                                yaa_db_text(now), yaa_db_text(run_id), yaa_db_text(stage)),
                    NULL, err);
    free(text);
    return rc;
}

int yaa_store_usage_add(yaa_db *db, const yaa_store_usage *u, yaa_err *err) {
    /* The id is a UUID-shaped digest of (run, agent, attempt, seq): the same call reported
     * twice (a re-delivered job replaying a finished stage's hook) lands on the same row. */
    char key[512], hex[65], id[37], now[YAA_DB_TIME_LEN + 1];
    snprintf(key, sizeof key, "%s|%s|%d|%d", u->run_id, u->agent, u->attempt, u->seq);
    yaa_sha256_hex(key, strlen(key), hex);
    snprintf(id, sizeof id, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17,
             hex + 20);
    yaa_db_now(now);
    return yaa_db_exec(
        db,
        "INSERT INTO usage_events (id, run_id, agent, provider, model, kind, "
        "prompt_tokens, completion_tokens, total_tokens, units, cost_usd, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(u->run_id), yaa_db_text(u->agent),
                    yaa_db_text(u->provider), yaa_db_text(u->model ? u->model : ""),
                    yaa_db_text(u->kind), yaa_db_int(u->prompt_tokens),
                    yaa_db_int(u->completion_tokens),
                    yaa_db_int(u->prompt_tokens + u->completion_tokens),
                    yaa_db_real((double)u->units), yaa_db_real(u->cost_usd), yaa_db_text(now)),
        NULL, err);
}
