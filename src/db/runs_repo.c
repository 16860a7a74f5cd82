/* runs_repo.c - pipeline_runs: create, get, filtered newest-first lists, status updates and
 * the dashboard aggregates. */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "db/repo.h"
#include "db/repo_internal.h"

#define RUN_COLS                                                                              \
    "SELECT id, channel_id, topic, brand_name, dry_run, status, current_agent, result_json, " \
    "errors_json, created_at, updated_at, completed_at, options_json, batch_id, review_json " \
    "FROM pipeline_runs"
/* A list item's columns: the large JSON documents (result, errors, review) stay unread. */
#define RUN_SUMMARY_COLS                                                                      \
    "SELECT id, channel_id, topic, dry_run, status, created_at, completed_at, options_json, " \
    "batch_id FROM pipeline_runs"

static bool valid_status(const char *s) {
    static const char *const ok[] = {"pending",   "running", "awaiting_review",
                                     "completed", "failed",  "cancelled"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcmp(s, ok[i]) == 0) return true;
    return false;
}

/* The run's fields, in yaa_db_run order; a list resolves them to column positions once per
 * result (a name lookup per cell was a tenth of a list request's time). */
static const char *const FIELDS[] = {"id",         "channel_id",    "topic",        "brand_name",
                                     "status",     "current_agent", "result_json",  "errors_json",
                                     "created_at", "updated_at",    "completed_at", "options_json",
                                     "batch_id",   "review_json"};
#define NFIELDS (sizeof FIELDS / sizeof *FIELDS)

typedef struct {
    int col[NFIELDS];
    int dry_run;
} run_cols;

static void cols_of(const yaa_db_rows *r, run_cols *c) {
    for (size_t k = 0; k < NFIELDS; k++) c->col[k] = yaa_db_rows_col(r, FIELDS[k]);
    c->dry_run = yaa_db_rows_col(r, "dry_run");
}

static const char *cell_at(yaa_arena *a, const yaa_db_rows *r, size_t i, int col, int *oom) {
    const char *t = col < 0 ? NULL : yaa_db_get_text(r, i, (size_t)col);
    if (!t) return NULL;
    char *s = yaa_arena_strdup(a, t);
    if (!s) *oom = 1;
    return s;
}

static int map_cols(const yaa_db_rows *r, const run_cols *c, size_t i, yaa_arena *a,
                    yaa_db_run *o) {
    int oom = 0;
    memset(o, 0, sizeof *o);
    const char **dst[NFIELDS] = {&o->id,          &o->channel_id,   &o->topic,
                                 &o->brand_name,  &o->status,       &o->current_agent,
                                 &o->result_json, &o->errors_json,  &o->created_at,
                                 &o->updated_at,  &o->completed_at, &o->options_json,
                                 &o->batch_id,    &o->review_json};
    for (size_t k = 0; k < NFIELDS; k++) *dst[k] = cell_at(a, r, i, c->col[k], &oom);
    o->dry_run = c->dry_run >= 0 && yaa_db_get_int(r, i, (size_t)c->dry_run) != 0;
    return oom ? YAA_ENOMEM : 0;
}

static int map(const yaa_db_rows *r, size_t i, yaa_arena *a, yaa_db_run *o) {
    run_cols c;
    cols_of(r, &c);
    return map_cols(r, &c, i, a, o);
}

int yaa_db_runs_create(yaa_db *db, yaa_db_run *run, yaa_arena *a, yaa_err *err) {
    if (!run->channel_id || !*run->channel_id || !run->topic)
        return yaa_err_set(err, YAA_EINVAL, "a run needs a channel_id and a topic");
    if (run->status && !valid_status(run->status))
        return yaa_err_set(err, YAA_EINVAL,
                           "run status '%s' is not one of pending, running, "
                           "awaiting_review, completed, failed, cancelled",
                           run->status);
    char id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
    if (!run->id || !*run->id) {
        if (yaa_uuid4(id) != 0) return yaa_err_set(err, YAA_EIO, "cannot generate a run id");
        run->id = yaa_arena_strdup(a, id);
    }
    yaa_db_now(now);
    run->created_at = yaa_arena_strdup(a, now);
    run->updated_at = run->created_at;
    if (!run->status) run->status = "pending";
    if (!run->brand_name) run->brand_name = "";
    if (!run->errors_json) run->errors_json = "[]";
    if (!run->id || !run->created_at) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = yaa_db_exec(
        db,
        "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
        "current_agent, result_json, errors_json, created_at, updated_at, completed_at, "
        "options_json, batch_id, review_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        YAA_DB_ARGS(yaa_db_text(run->id), yaa_db_text(run->channel_id), yaa_db_text(run->topic),
                    yaa_db_text(run->brand_name), yaa_db_bool(run->dry_run),
                    yaa_db_text(run->status), yaa_db_text(run->current_agent),
                    yaa_db_text(run->result_json), yaa_db_text(run->errors_json),
                    yaa_db_text(run->created_at), yaa_db_text(run->updated_at),
                    yaa_db_text(run->completed_at), yaa_db_text(run->options_json),
                    yaa_db_text(run->batch_id), yaa_db_text(run->review_json)),
        NULL, err);
    if (rc == YAA_EEXIST) return yaa_err_set(err, YAA_EEXIST, "run '%s' already exists", run->id);
    return rc;
}

int yaa_db_runs_get(yaa_db *db, const char *id, yaa_arena *a, yaa_db_run *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, RUN_COLS " WHERE id = ?", YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (!rc && yaa_db_rows_count(r) == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "run '%s' not found", id ? id : "");
    if (!rc && map(r, 0, a, out)) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_runs_list(yaa_db *db, const yaa_db_run_filter *f, yaa_arena *a, yaa_db_run **items,
                     size_t *n, int64_t *total, yaa_err *err) {
    *items = NULL;
    *n = 0;
    if (total) *total = 0;
    yaa_db_run_filter d = {0};
    if (!f) f = &d;
    int64_t limit = f->limit, offset = f->offset;
    yaa_db__page(&limit, &offset, 20, 1000);
    yaa_db__q q;
    yaa_db__q_init(&q);
    if (f->channel_id) yaa_db__q_and(&q, "channel_id = ?", yaa_db_text(f->channel_id));
    if (f->status) yaa_db__q_and(&q, "status = ?", yaa_db_text(f->status));
    if (f->batch_id) yaa_db__q_and(&q, "batch_id = ?", yaa_db_text(f->batch_id));
    int rc = 0;
    if (total && !f->batch_id) {
        /* channel and status filters are answered from run_counts, not by counting runs */
        yaa_db__q cq;
        yaa_db__q_init(&cq);
        if (f->channel_id) yaa_db__q_and(&cq, "channel_id = ?", yaa_db_text(f->channel_id));
        if (f->status) yaa_db__q_and(&cq, "status = ?", yaa_db_text(f->status));
        yaa_db_rows *c = NULL;
        rc = yaa_db__q_rows(db, &cq, "SELECT COALESCE(SUM(runs), 0) FROM run_counts", "", NULL, 0,
                            &c, err);
        if (!rc) *total = yaa_db_get_int(c, 0, 0);
        yaa_db_rows_free(c);
        yaa_db__q_free(&cq);
    } else if (total) {
        rc = yaa_db__q_count(db, &q, "FROM pipeline_runs", total, err);
    }
    yaa_db_rows *r = NULL;
    if (!rc)
        rc = yaa_db__q_rows(db, &q, f->summary ? RUN_SUMMARY_COLS : RUN_COLS,
                            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                            YAA_DB_ARGS(yaa_db_int(limit), yaa_db_int(offset)), &r, err);
    yaa_db__q_free(&q);
    int oom = 0;
    size_t cnt = yaa_db_rows_count(r);
    yaa_db_run *arr = rc ? NULL : yaa_db__arr(a, cnt, sizeof *arr, &oom);
    run_cols c;
    cols_of(r, &c);
    for (size_t i = 0; !rc && !oom && i < cnt; i++)
        if (map_cols(r, &c, i, a, &arr[i])) oom = 1;
    yaa_db_rows_free(r);
    if (rc) return rc;
    if (oom) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    *items = arr;
    *n = cnt;
    return 0;
}

/* Splits "pending,running" into up to 6 statuses, copied into bufs. */
static size_t split_statuses(const char *csv, char bufs[6][16]) {
    size_t n = 0;
    const char *p = csv;
    while (*p && n < 6) {
        size_t len = strcspn(p, ",");
        if (len && len < 16) {
            memcpy(bufs[n], p, len);
            bufs[n][len] = '\0';
            n++;
        }
        p += len;
        if (*p == ',') p++;
    }
    return n;
}

int yaa_db_runs_update(yaa_db *db, const char *id, const yaa_db_run_update *u, yaa_err *err) {
    if (u->status && !valid_status(u->status))
        return yaa_err_set(err, YAA_EINVAL,
                           "run status '%s' is not one of pending, running, "
                           "awaiting_review, completed, failed, cancelled",
                           u->status);
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_buf sql;
    yaa_buf_init(&sql, 0);
    yaa_db_val p[16];
    size_t n = 0;
    yaa_buf_puts(&sql, "UPDATE pipeline_runs SET updated_at = ?");
    p[n++] = yaa_db_text(now);
    if (u->status) {
        yaa_buf_puts(&sql, ", status = ?");
        p[n++] = yaa_db_text(u->status);
    }
    if (u->clear_current_agent) {
        yaa_buf_puts(&sql, ", current_agent = NULL");
    } else if (u->current_agent) {
        yaa_buf_puts(&sql, ", current_agent = ?");
        p[n++] = yaa_db_text(u->current_agent);
    }
    if (u->errors_json) {
        yaa_buf_puts(&sql, ", errors_json = ?");
        p[n++] = yaa_db_text(u->errors_json);
    }
    if (u->result_json) {
        yaa_buf_puts(&sql, ", result_json = ?");
        p[n++] = yaa_db_text(u->result_json);
    }
    if (u->review_json) {
        yaa_buf_puts(&sql, ", review_json = ?");
        p[n++] = yaa_db_text(u->review_json);
    }
    if (u->set_completed_at) {
        yaa_buf_puts(&sql, ", completed_at = ?");
        p[n++] = yaa_db_text(now);
    } else if (u->clear_completed_at) {
        yaa_buf_puts(&sql, ", completed_at = NULL");
    }
    yaa_buf_puts(&sql, " WHERE id = ?");
    p[n++] = yaa_db_text(id);
    char st[6][16];
    size_t ns = u->if_status_in ? split_statuses(u->if_status_in, st) : 0;
    if (ns) {
        yaa_buf_puts(&sql, " AND status IN (");
        for (size_t i = 0; i < ns; i++) {
            yaa_buf_puts(&sql, i ? ", ?" : "?");
            p[n++] = yaa_db_text(st[i]);
        }
        yaa_buf_puts(&sql, ")");
    }
    int64_t changes = 0;
    int rc = yaa_db_exec(db, yaa_buf_cstr(&sql), p, n, &changes, err);
    yaa_buf_free(&sql);
    if (rc || changes > 0) return rc;
    /* Nothing changed: no such run, or its status did not allow the update. */
    yaa_db_rows *r = NULL;
    rc = yaa_db_query(db, "SELECT status FROM pipeline_runs WHERE id = ?",
                      YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (!rc && yaa_db_rows_count(r) == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "run '%s' not found", id);
    else if (!rc)
        rc =
            yaa_err_set(err, YAA_ECONFLICT, "run '%s' is already %s", id, yaa_db_get_text(r, 0, 0));
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_runs_delete(yaa_db *db, const char *id, yaa_err *err) {
    int64_t changes = 0;
    int rc = yaa_db_exec(db, "DELETE FROM pipeline_runs WHERE id = ?", YAA_DB_ARGS(yaa_db_text(id)),
                         &changes, err);
    if (!rc && changes == 0) rc = yaa_err_set(err, YAA_ENOTFOUND, "run '%s' not found", id);
    return rc;
}

int yaa_db_runs_stats(yaa_db *db, const char *channel_id, yaa_db_run_stats *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    /* run_counts (migration 0060) holds a row per channel and status, kept by triggers: a
     * few rows to add up, however many runs there are */
    const char *sql = channel_id ? "SELECT status, SUM(runs), SUM(duration_sum), SUM(duration_n) "
                                   "FROM run_counts WHERE channel_id = ? GROUP BY status"
                                 : "SELECT status, SUM(runs), SUM(duration_sum), SUM(duration_n) "
                                   "FROM run_counts GROUP BY status";
    yaa_db_rows *r = NULL;
    int rc = channel_id ? yaa_db_query(db, sql, YAA_DB_ARGS(yaa_db_text(channel_id)), &r, err)
                        : yaa_db_query(db, sql, NULL, 0, &r, err);
    double dsum = 0;
    int64_t dn = 0;
    for (size_t i = 0; !rc && i < yaa_db_rows_count(r); i++) {
        const char *st = yaa_db_get_text(r, i, 0);
        int64_t n = yaa_db_get_int(r, i, 1);
        out->total += n;
        if (!st) continue;
        if (strcmp(st, "pending") == 0 || strcmp(st, "running") == 0) out->active += n;
        if (strcmp(st, "completed") == 0) out->completed += n;
        if (strcmp(st, "failed") == 0) out->failed += n;
        if (strcmp(st, "cancelled") == 0) out->cancelled += n;
        if (strcmp(st, "awaiting_review") == 0) out->awaiting_review += n;
        dsum += yaa_db_get_real(r, i, 2);
        dn += yaa_db_get_int(r, i, 3);
    }
    out->has_avg_duration = dn > 0;
    out->avg_duration_sec = dn > 0 ? dsum / (double)dn : 0;
    yaa_db_rows_free(r);
    return rc;
}
