/* usage_repo.c - usage_events: idempotent inserts (caller-supplied id, ON CONFLICT DO
 * NOTHING) and the filtered list with totals behind GET /usage. */
#include <string.h>

#include "core/util.h"
#include "db/repo.h"
#include "db/repo_util.h"

static bool valid_kind(const char *k) {
    static const char *const ok[] = {"chat", "embedding", "tts", "image"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcmp(k, ok[i]) == 0) return true;
    return false;
}

int yaa_db_usage_insert(yaa_db *db, const yaa_db_usage *u, bool *inserted, yaa_err *err) {
    if (inserted) *inserted = false;
    if (!u->provider || !*u->provider)
        return yaa_err_set(err, YAA_EINVAL, "a usage event needs a provider");
    const char *kind = u->kind ? u->kind : "chat";
    if (!valid_kind(kind))
        return yaa_err_set(err, YAA_EINVAL,
                           "usage kind '%s' is not one of chat, embedding, tts, image", kind);
    char id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
    if (!u->id || !*u->id) {
        if (yaa_uuid4(id) != 0) return yaa_err_set(err, YAA_EIO, "cannot generate an event id");
    }
    yaa_db_now(now);
    int64_t total = u->total_tokens ? u->total_tokens : u->prompt_tokens + u->completion_tokens;
    int64_t changes = 0;
    int rc = yaa_db_exec(
        db,
        "INSERT INTO usage_events (id, run_id, agent, provider, model, kind, prompt_tokens, "
        "completion_tokens, total_tokens, units, cost_usd, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        YAA_DB_ARGS(yaa_db_text(u->id && *u->id ? u->id : id), yaa_db_text(u->run_id),
                    yaa_db_text(u->agent ? u->agent : ""), yaa_db_text(u->provider),
                    yaa_db_text(u->model ? u->model : ""), yaa_db_text(kind),
                    yaa_db_int(u->prompt_tokens), yaa_db_int(u->completion_tokens),
                    yaa_db_int(total), yaa_db_real(u->units), yaa_db_real(u->cost_usd),
                    yaa_db_text(u->created_at ? u->created_at : now)),
        &changes, err);
    if (rc == YAA_EINVAL && u->run_id)
        return yaa_err_set(err, YAA_EINVAL, "usage event: run '%s' does not exist", u->run_id);
    if (!rc && inserted) *inserted = changes > 0;
    return rc;
}

/* The filter, on usage_events u (LEFT JOIN pipeline_runs r for channel_id). */
static int build(const yaa_db_usage_filter *f, yaa__q *q, yaa_err *err) {
    if (f->run_id) yaa__q_and(q, "u.run_id = ?", yaa_db_text(f->run_id));
    if (f->channel_id) yaa__q_and(q, "r.channel_id = ?", yaa_db_text(f->channel_id));
    if (f->agent) yaa__q_and(q, "u.agent = ?", yaa_db_text(f->agent));
    if (f->provider) yaa__q_and(q, "u.provider = ?", yaa_db_text(f->provider));
    if (f->model) yaa__q_and(q, "u.model = ?", yaa_db_text(f->model));
    int rc = 0;
    if (f->from) rc = yaa__q_and_time(q, "u.created_at >= ?", "from", f->from, err);
    if (!rc && f->to) rc = yaa__q_and_time(q, "u.created_at <= ?", "to", f->to, err);
    return rc;
}

#define USAGE_FROM "FROM usage_events u LEFT JOIN pipeline_runs r ON r.id = u.run_id"

int yaa_db_usage_list(yaa_db *db, const yaa_db_usage_filter *f, yaa_arena *a, yaa_db_usage **items,
                      size_t *n, int64_t *total, yaa_db_usage_totals *totals, yaa_err *err) {
    *items = NULL;
    *n = 0;
    if (total) *total = 0;
    if (totals) memset(totals, 0, sizeof *totals);
    yaa_db_usage_filter d = {0};
    if (!f) f = &d;
    int64_t limit = f->limit, offset = f->offset;
    yaa__page(&limit, &offset, 50, 1000);
    yaa__q q;
    yaa__q_init(&q);
    int rc = build(f, &q, err);
    yaa_db_rows *r = NULL;
    if (!rc && (total || totals)) {
        rc = yaa__q_rows(db, &q,
                         "SELECT COUNT(*), COALESCE(SUM(u.prompt_tokens), 0), "
                         "COALESCE(SUM(u.completion_tokens), 0), COALESCE(SUM(u.total_tokens), "
                         "0), COALESCE(SUM(u.cost_usd), 0) " USAGE_FROM,
                         "", NULL, 0, &r, err);
        if (!rc) {
            if (total) *total = yaa_db_get_int(r, 0, 0);
            if (totals) {
                totals->events = yaa_db_get_int(r, 0, 0);
                totals->prompt_tokens = yaa_db_get_int(r, 0, 1);
                totals->completion_tokens = yaa_db_get_int(r, 0, 2);
                totals->total_tokens = yaa_db_get_int(r, 0, 3);
                totals->cost_usd = yaa_db_get_real(r, 0, 4);
            }
        }
        yaa_db_rows_free(r);
        r = NULL;
    }
    if (!rc)
        rc = yaa__q_rows(db, &q,
                         "SELECT u.id, u.run_id, u.agent, u.provider, u.model, u.kind, "
                         "u.prompt_tokens, u.completion_tokens, u.total_tokens, u.units, "
                         "u.cost_usd, u.created_at " USAGE_FROM,
                         "ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?",
                         YAA_DB_ARGS(yaa_db_int(limit), yaa_db_int(offset)), &r, err);
    yaa__q_free(&q);
    if (rc) return rc;
    int oom = 0;
    size_t cnt = yaa_db_rows_count(r);
    yaa_db_usage *arr = yaa__arr(a, cnt, sizeof *arr, &oom);
    for (size_t i = 0; !oom && i < cnt; i++) {
        yaa_db_usage *o = &arr[i];
        o->id = yaa__cell(a, r, i, "id", &oom);
        o->run_id = yaa__cell(a, r, i, "run_id", &oom);
        o->agent = yaa__cell(a, r, i, "agent", &oom);
        o->provider = yaa__cell(a, r, i, "provider", &oom);
        o->model = yaa__cell(a, r, i, "model", &oom);
        o->kind = yaa__cell(a, r, i, "kind", &oom);
        o->prompt_tokens = yaa__cell_int(r, i, "prompt_tokens");
        o->completion_tokens = yaa__cell_int(r, i, "completion_tokens");
        o->total_tokens = yaa__cell_int(r, i, "total_tokens");
        o->units = yaa__cell_real(r, i, "units");
        o->cost_usd = yaa__cell_real(r, i, "cost_usd");
        o->created_at = yaa__cell(a, r, i, "created_at", &oom);
    }
    yaa_db_rows_free(r);
    if (oom) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    *items = arr;
    *n = cnt;
    return 0;
}

/* ---------------------------------------------------------------- grouped sums */

static const char *group_expr(const char *by) {
    if (!by) return NULL;
    if (strcmp(by, "run") == 0) return "u.run_id";
    if (strcmp(by, "day") == 0) return "substr(u.created_at, 1, 10)";
    if (strcmp(by, "agent") == 0) return "u.agent";
    if (strcmp(by, "provider") == 0) return "u.provider";
    if (strcmp(by, "model") == 0) return "u.model";
    if (strcmp(by, "channel") == 0) return "r.channel_id";
    return NULL;
}

bool yaa_db_usage_group_by_valid(const char *group_by) { return group_expr(group_by) != NULL; }

#define SUMS                                                                     \
    "COALESCE(SUM(u.prompt_tokens), 0), COALESCE(SUM(u.completion_tokens), 0), " \
    "COALESCE(SUM(u.total_tokens), 0), COALESCE(SUM(u.cost_usd), 0), COUNT(*) "

int yaa_db_usage_summary(yaa_db *db, const yaa_db_usage_filter *f, const char *group_by,
                         yaa_arena *a, yaa_db_usage_group **groups, size_t *n,
                         yaa_db_usage_totals *totals, yaa_err *err) {
    *groups = NULL;
    *n = 0;
    if (totals) memset(totals, 0, sizeof *totals);
    const char *expr = group_expr(group_by);
    if (!expr)
        return yaa_err_set(err, YAA_EINVAL,
                           "group_by '%s' is not one of run, day, agent, provider, model, channel",
                           group_by ? group_by : "");
    yaa_db_usage_filter d = {0};
    if (!f) f = &d;
    /* The runs table is joined only when the filter or the grouping needs channel ids. */
    const char *from = f->channel_id ? "FROM usage_events u JOIN pipeline_runs r ON r.id = u.run_id"
                                     : "FROM usage_events u";
    bool by_day = strcmp(group_by, "day") == 0, by_channel = strcmp(group_by, "channel") == 0;
    yaa_buf sel, tail;
    yaa_buf_init(&sel, 0);
    yaa_buf_init(&tail, 0);
    const char *order = by_day ? "ORDER BY 1" : "ORDER BY 5 DESC, 1";
    int brc = 0;
    if (by_channel) {
        /* Sum per run from the run_id index first, then fold the (few) runs into channels. */
        brc |=
            yaa_buf_printf(&sel,
                           "SELECT r2.channel_id, COALESCE(SUM(s.p), 0), COALESCE(SUM(s.c), 0), "
                           "COALESCE(SUM(s.t), 0), COALESCE(SUM(s.cost), 0), COALESCE(SUM(s.n), 0) "
                           "FROM (SELECT u.run_id AS run_id, SUM(u.prompt_tokens) AS p, "
                           "SUM(u.completion_tokens) AS c, SUM(u.total_tokens) AS t, "
                           "SUM(u.cost_usd) AS cost, COUNT(*) AS n %s",
                           from);
        brc |= yaa_buf_printf(&tail,
                              "GROUP BY u.run_id) s LEFT JOIN pipeline_runs r2 ON r2.id = s.run_id "
                              "GROUP BY r2.channel_id %s",
                              order);
    } else {
        brc |= yaa_buf_printf(&sel, "SELECT %s, " SUMS "%s", expr, from);
        brc |= yaa_buf_printf(&tail, "GROUP BY %s %s", expr, order);
    }
    yaa__q q;
    yaa__q_init(&q);
    int rc = build(f, &q, err);
    yaa_db_rows *r = NULL;
    if (!rc) {
        if (brc)
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        else
            rc = yaa__q_rows(db, &q, yaa_buf_cstr(&sel), yaa_buf_cstr(&tail), NULL, 0, &r, err);
    }
    yaa__q_free(&q);
    yaa_buf_free(&sel);
    yaa_buf_free(&tail);
    if (rc) return rc;
    int oom = 0;
    size_t cnt = yaa_db_rows_count(r);
    yaa_db_usage_group *arr = yaa__arr(a, cnt, sizeof *arr, &oom);
    for (size_t i = 0; !oom && i < cnt; i++) {
        yaa_db_usage_group *g = &arr[i];
        const char *k = yaa_db_get_text(r, i, 0);
        g->key = k ? yaa_arena_strdup(a, k) : NULL;
        if (k && !g->key) oom = 1;
        g->prompt_tokens = yaa_db_get_int(r, i, 1);
        g->completion_tokens = yaa_db_get_int(r, i, 2);
        g->total_tokens = yaa_db_get_int(r, i, 3);
        g->cost_usd = yaa_db_get_real(r, i, 4);
        g->events = yaa_db_get_int(r, i, 5);
        if (totals) {
            totals->prompt_tokens += g->prompt_tokens;
            totals->completion_tokens += g->completion_tokens;
            totals->total_tokens += g->total_tokens;
            totals->cost_usd += g->cost_usd;
            totals->events += g->events;
        }
    }
    yaa_db_rows_free(r);
    if (oom) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    *groups = arr;
    *n = cnt;
    return 0;
}
