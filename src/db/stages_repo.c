/* stages_repo.c - run_stages, the per-stage checkpoints a run resumes from. */
#include <string.h>

#include "db/repo.h"
#include "db/repo_internal.h"

#define STAGE_COLS                                                                        \
    "SELECT run_id, stage, status, attempt, started_at, finished_at, output_json, error " \
    "FROM run_stages"

static bool valid_status(const char *s) {
    static const char *const ok[] = {"pending", "running", "done", "failed", "skipped"};
    for (size_t i = 0; s && i < sizeof ok / sizeof *ok; i++)
        if (strcmp(s, ok[i]) == 0) return true;
    return false;
}

static int bad_status(const char *s, yaa_err *err) {
    return yaa_err_set(err, YAA_EINVAL,
                       "stage status '%s' is not one of pending, running, done, failed, skipped",
                       s ? s : "");
}

static const yaa_db__field stage_fields[] = {
    YAA_DB__FIELD(yaa_db_stage, run_id),      YAA_DB__FIELD(yaa_db_stage, stage),
    YAA_DB__FIELD(yaa_db_stage, status),      YAA_DB__FIELD(yaa_db_stage, attempt),
    YAA_DB__FIELD(yaa_db_stage, started_at),  YAA_DB__FIELD(yaa_db_stage, finished_at),
    YAA_DB__FIELD(yaa_db_stage, output_json), YAA_DB__FIELD(yaa_db_stage, error),
};

static int map(const yaa_db_rows *r, size_t i, yaa_arena *a, yaa_db_stage *o) {
    memset(o, 0, sizeof *o);
    return yaa_db__map_row(r, i, a, YAA_DB__FIELDS(stage_fields), o);
}

static int fk_error(int rc, const char *run_id, yaa_err *err) {
    if (rc == YAA_EINVAL)
        return yaa_err_set(err, YAA_EINVAL, "run '%s' does not exist", run_id ? run_id : "");
    return rc;
}

int yaa_db_stages_start(yaa_db *db, const char *run_id, const char *stage, int64_t *attempt,
                        yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(
        db,
        "INSERT INTO run_stages (run_id, stage, status, attempt, started_at) "
        "VALUES (?, ?, 'running', 1, ?) ON CONFLICT (run_id, stage) DO UPDATE SET "
        "status = 'running', attempt = run_stages.attempt + 1, started_at = excluded.started_at, "
        "finished_at = NULL, output_json = NULL, error = NULL RETURNING attempt",
        YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage), yaa_db_text(now)), &r, err);
    if (!rc && attempt) *attempt = yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    return fk_error(rc, run_id, err);
}

int yaa_db_stages_finish(yaa_db *db, const char *run_id, const char *stage, const char *status,
                         const char *output_json, const char *error, yaa_err *err) {
    if (!valid_status(status)) return bad_status(status, err);
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int rc = yaa_db_exec(
        db,
        "INSERT INTO run_stages (run_id, stage, status, attempt, started_at, finished_at, "
        "output_json, error) VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (run_id, stage) DO "
        "UPDATE SET status = excluded.status, finished_at = excluded.finished_at, "
        "output_json = excluded.output_json, error = excluded.error",
        YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage), yaa_db_text(status), yaa_db_text(now),
                    yaa_db_text(now), yaa_db_text(output_json), yaa_db_text(error)),
        NULL, err);
    return fk_error(rc, run_id, err);
}

int yaa_db_stages_put(yaa_db *db, const yaa_db_stage *s, yaa_err *err) {
    if (!valid_status(s->status)) return bad_status(s->status, err);
    int rc = yaa_db_exec(
        db,
        "INSERT INTO run_stages (run_id, stage, status, attempt, started_at, finished_at, "
        "output_json, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, stage) DO "
        "UPDATE SET status = excluded.status, attempt = excluded.attempt, "
        "started_at = excluded.started_at, finished_at = excluded.finished_at, "
        "output_json = excluded.output_json, error = excluded.error",
        YAA_DB_ARGS(yaa_db_text(s->run_id), yaa_db_text(s->stage), yaa_db_text(s->status),
                    yaa_db_int(s->attempt > 0 ? s->attempt : 1), yaa_db_text(s->started_at),
                    yaa_db_text(s->finished_at), yaa_db_text(s->output_json),
                    yaa_db_text(s->error)),
        NULL, err);
    return fk_error(rc, s->run_id, err);
}

int yaa_db_stages_get(yaa_db *db, const char *run_id, const char *stage, yaa_arena *a,
                      yaa_db_stage *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, STAGE_COLS " WHERE run_id = ? AND stage = ?",
                          YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage)), &r, err);
    if (!rc && yaa_db_rows_count(r) == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "run '%s' has no checkpoint for stage '%s'",
                         run_id ? run_id : "", stage ? stage : "");
    if (!rc && map(r, 0, a, out)) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_stages_list(yaa_db *db, const char *run_id, yaa_arena *a, yaa_db_stage **items,
                       size_t *n, yaa_err *err) {
    *items = NULL;
    *n = 0;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          STAGE_COLS " WHERE run_id = ? ORDER BY CASE WHEN started_at IS NULL "
                                     "THEN 1 ELSE 0 END, started_at, stage",
                          YAA_DB_ARGS(yaa_db_text(run_id)), &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(stage_fields), sizeof **items, items, n, err);
}

int yaa_db_stages_delete(yaa_db *db, const char *run_id, const char *stage, yaa_err *err) {
    return yaa_db_exec(db, "DELETE FROM run_stages WHERE run_id = ? AND stage = ?",
                       YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage)), NULL, err);
}
