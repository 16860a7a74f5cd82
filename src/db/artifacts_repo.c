/* artifacts_repo.c - run_artifacts: the current object of each file of a run, moved forward
 * atomically per stage attempt (artifacts_repo.h). */
#include "db/artifacts_repo.h"

#include "db/repo_internal.h"

#include <string.h>

#define ART_COLS \
    "SELECT name, stage, attempt, object_key, size, sha256, created_at FROM run_artifacts"

static const yaa_db__field artifact_fields[] = {
    YAA_DB__FIELD(yaa_db_artifact, name),       YAA_DB__FIELD(yaa_db_artifact, stage),
    YAA_DB__FIELD(yaa_db_artifact, attempt),    YAA_DB__FIELD(yaa_db_artifact, object_key),
    YAA_DB__FIELD(yaa_db_artifact, size),       YAA_DB__FIELD(yaa_db_artifact, sha256),
    YAA_DB__FIELD(yaa_db_artifact, created_at),
};

typedef struct publish_args {
    const char *run_id;
    const yaa_db_artifact *files;
    size_t n;
    yaa_arena *a;
    const char **replaced;
    bool *kept_newer;
} publish_args;

/* True when a later attempt of stage has started for run_id (run_stages.attempt, moved
 * forward by every stage start): then attempt is stale, whatever it wrote. No row (a run
 * whose stages are not tracked) is not stale. */
static int attempt_stale(yaa_db *tx, const char *run_id, const char *stage, int64_t attempt,
                         bool *stale, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(tx, "SELECT attempt FROM run_stages WHERE run_id = ? AND stage = ?",
                          YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(stage)), &r, err);
    if (rc) return rc;
    *stale = yaa_db_rows_count(r) && yaa_db_get_int(r, 0, 0) > attempt;
    yaa_db_rows_free(r);
    return 0;
}

static int publish_tx(yaa_db *tx, void *arg, yaa_err *err) {
    publish_args *p = arg;
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    const char *checked = NULL; /* the stage whose staleness `stale` holds */
    bool stale = false;
    for (size_t i = 0; i < p->n; i++) {
        const yaa_db_artifact *f = &p->files[i];
        int rc;
        if (!checked || strcmp(checked, f->stage) != 0) {
            if ((rc = attempt_stale(tx, p->run_id, f->stage, f->attempt, &stale, err))) return rc;
            checked = f->stage;
        }
        /* A stale attempt (presumed dead, a newer one started since) publishes nothing: not
         * over its own stage's newer files, not over a later stage's rewrite of a file of
         * the same name, and not the files only it produced. Its objects are the garbage. */
        if (stale) {
            if (p->kept_newer) p->kept_newer[i] = true;
            if (p->replaced) p->replaced[i] = NULL;
            continue;
        }
        yaa_db_rows *r = NULL;
        rc = yaa_db_query(tx, "SELECT object_key FROM run_artifacts WHERE run_id = ? AND name = ?",
                          YAA_DB_ARGS(yaa_db_text(p->run_id), yaa_db_text(f->name)), &r, err);
        if (rc) return rc;
        int oom = 0;
        const char *old =
            yaa_db_rows_count(r) ? yaa_db__cell(p->a, r, 0, "object_key", &oom) : NULL;
        yaa_db_rows_free(r);
        if (oom) return YAA_ENOMEM;
        int64_t changes = 0;
        /* The WHERE makes the decision inside the statement, so two workers racing on one
         * run cannot both win: a later attempt of the same stage always stays (also when
         * the stages are not tracked). Another stage takes a file over: the stages run in
         * order, so a current attempt of any stage is newer than what the file holds. */
        rc = yaa_db_exec(
            tx,
            "INSERT INTO run_artifacts (run_id, name, stage, attempt, object_key, size, sha256, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET "
            "stage = excluded.stage, attempt = excluded.attempt, object_key = excluded.object_key, "
            "size = excluded.size, sha256 = excluded.sha256, created_at = excluded.created_at "
            "WHERE run_artifacts.stage <> excluded.stage OR run_artifacts.attempt <= "
            "excluded.attempt",
            YAA_DB_ARGS(yaa_db_text(p->run_id), yaa_db_text(f->name), yaa_db_text(f->stage),
                        yaa_db_int(f->attempt), yaa_db_text(f->object_key), yaa_db_int(f->size),
                        yaa_db_text(f->sha256), yaa_db_text(now)),
            &changes, err);
        if (rc == YAA_EINVAL)
            return yaa_err_set(err, YAA_EINVAL, "run '%s' does not exist", p->run_id);
        if (rc) return rc;
        if (p->kept_newer) p->kept_newer[i] = changes == 0;
        if (p->replaced)
            p->replaced[i] = changes && old && strcmp(old, f->object_key) != 0 ? old : NULL;
    }
    return 0;
}

int yaa_db_artifacts_publish(yaa_db *db, const char *run_id, const yaa_db_artifact *files, size_t n,
                             yaa_arena *a, const char **replaced, bool *kept_newer, yaa_err *err) {
    publish_args p = {run_id, files, n, a, replaced, kept_newer};
    if (n == 0) return 0;
    return yaa_db_tx(db, publish_tx, &p, err);
}

int yaa_db_artifacts_list(yaa_db *db, const char *run_id, yaa_arena *a, yaa_db_artifact **items,
                          size_t *n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    *items = NULL;
    *n = 0;
    int rc = yaa_db_query(db, ART_COLS " WHERE run_id = ? ORDER BY name",
                          YAA_DB_ARGS(yaa_db_text(run_id)), &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(artifact_fields), sizeof **items, items, n, err);
}

int yaa_db_artifacts_get(yaa_db *db, const char *run_id, const char *name, yaa_arena *a,
                         yaa_db_artifact *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, ART_COLS " WHERE run_id = ? AND name = ?",
                          YAA_DB_ARGS(yaa_db_text(run_id), yaa_db_text(name)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "run '%s' has no artifact '%s'", run_id, name);
    }
    memset(out, 0, sizeof *out);
    if (yaa_db__map_row(r, 0, a, YAA_DB__FIELDS(artifact_fields), out))
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_artifacts_delete_run(yaa_db *db, const char *run_id, yaa_err *err) {
    return yaa_db_exec(db, "DELETE FROM run_artifacts WHERE run_id = ?",
                       YAA_DB_ARGS(yaa_db_text(run_id)), NULL, err);
}

int yaa_db_artifacts_expired_runs(yaa_db *db, const char *cutoff, bool stored_only,
                                  const yaa_db_expired_run *after, int64_t limit, yaa_arena *a,
                                  yaa_db_expired_run **runs, size_t *n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    *runs = NULL;
    *n = 0;
    /* Keyset paging on (updated_at, id): no offset to drift when rows go away between pages,
     * and a page never repeats one the caller already handled. The first page passes an
     * empty key that every row is after. */
    const char *at = after ? after->updated_at : "", *id = after ? after->id : "";
    int rc = yaa_db_query(
        db,
        stored_only
            ? "SELECT id, updated_at FROM pipeline_runs p WHERE status IN ('completed', 'failed', "
              "'cancelled') AND updated_at < ? AND (updated_at > ? OR (updated_at = ? AND id > "
              "?)) AND EXISTS (SELECT 1 FROM run_artifacts a WHERE a.run_id = p.id) ORDER BY "
              "updated_at, id LIMIT ?"
            : "SELECT id, updated_at FROM pipeline_runs WHERE status IN ('completed', 'failed', "
              "'cancelled') AND updated_at < ? AND (updated_at > ? OR (updated_at = ? AND id > "
              "?)) ORDER BY updated_at, id LIMIT ?",
        YAA_DB_ARGS(yaa_db_text(cutoff), yaa_db_text(at), yaa_db_text(at), yaa_db_text(id),
                    yaa_db_int(limit)),
        &r, err);
    if (rc) return rc;
    size_t cnt = yaa_db_rows_count(r);
    int oom = 0;
    yaa_db_expired_run *out = yaa_db__arr(a, cnt, sizeof *out, &oom);
    for (size_t i = 0; i < cnt && !oom; i++) {
        out[i].id = yaa_db__cell(a, r, i, "id", &oom);
        out[i].updated_at = yaa_db__cell(a, r, i, "updated_at", &oom);
    }
    yaa_db_rows_free(r);
    if (oom) return YAA_ENOMEM;
    *runs = out;
    *n = cnt;
    return 0;
}
