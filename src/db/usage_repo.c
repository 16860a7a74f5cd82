/* usage_repo.c - usage_events: idempotent inserts (caller-supplied id, ON CONFLICT DO
 * NOTHING) and the filtered list with totals behind GET /usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "db/repo.h"
#include "db/repo_internal.h"

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
static int build(const yaa_db_usage_filter *f, yaa_db__q *q, yaa_err *err) {
    if (f->run_id) yaa_db__q_and(q, "u.run_id = ?", yaa_db_text(f->run_id));
    if (f->channel_id) yaa_db__q_and(q, "r.channel_id = ?", yaa_db_text(f->channel_id));
    if (f->agent) yaa_db__q_and(q, "u.agent = ?", yaa_db_text(f->agent));
    if (f->provider) yaa_db__q_and(q, "u.provider = ?", yaa_db_text(f->provider));
    if (f->model) yaa_db__q_and(q, "u.model = ?", yaa_db_text(f->model));
    int rc = 0;
    if (f->from) rc = yaa_db__q_and_time(q, "u.created_at >= ?", "from", f->from, err);
    if (!rc && f->to) rc = yaa_db__q_and_time(q, "u.created_at <= ?", "to", f->to, err);
    return rc;
}

#define USAGE_FROM "FROM usage_events u LEFT JOIN pipeline_runs r ON r.id = u.run_id"

static const yaa_db__field usage_fields[] = {
    YAA_DB__FIELD(yaa_db_usage, id),
    YAA_DB__FIELD(yaa_db_usage, run_id),
    YAA_DB__FIELD(yaa_db_usage, agent),
    YAA_DB__FIELD(yaa_db_usage, provider),
    YAA_DB__FIELD(yaa_db_usage, model),
    YAA_DB__FIELD(yaa_db_usage, kind),
    YAA_DB__FIELD(yaa_db_usage, prompt_tokens),
    YAA_DB__FIELD(yaa_db_usage, completion_tokens),
    YAA_DB__FIELD(yaa_db_usage, total_tokens),
    YAA_DB__FIELD(yaa_db_usage, units),
    YAA_DB__FIELD(yaa_db_usage, cost_usd),
    YAA_DB__FIELD(yaa_db_usage, created_at),
};

int yaa_db_usage_list(yaa_db *db, const yaa_db_usage_filter *f, yaa_arena *a, yaa_db_usage **items,
                      size_t *n, int64_t *total, yaa_db_usage_totals *totals, yaa_err *err) {
    *items = NULL;
    *n = 0;
    if (total) *total = 0;
    if (totals) memset(totals, 0, sizeof *totals);
    yaa_db_usage_filter d = {0};
    if (!f) f = &d;
    int64_t limit = f->limit, offset = f->offset;
    yaa_db__page(&limit, &offset, 50, 1000);
    yaa_db__q q;
    yaa_db__q_init(&q);
    int rc = build(f, &q, err);
    yaa_db_rows *r = NULL;
    if (!rc && (total || totals)) {
        rc = yaa_db__q_rows(db, &q,
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
        rc = yaa_db__q_rows(db, &q,
                            "SELECT u.id, u.run_id, u.agent, u.provider, u.model, u.kind, "
                            "u.prompt_tokens, u.completion_tokens, u.total_tokens, u.units, "
                            "u.cost_usd, u.created_at " USAGE_FROM,
                            "ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?",
                            YAA_DB_ARGS(yaa_db_int(limit), yaa_db_int(offset)), &r, err);
    yaa_db__q_free(&q);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(usage_fields), sizeof **items, items, n, err);
}

/* ---------------------------------------------------------------- grouped sums */

/* The grouping expression on usage_events u, and on usage_rollup x (0021). */
static const char *group_expr(const char *by, bool rollup) {
    if (!by) return NULL;
    if (strcmp(by, "run") == 0) return rollup ? "NULLIF(x.run_id, '')" : "u.run_id";
    if (strcmp(by, "day") == 0) return rollup ? "x.day" : "substr(u.created_at, 1, 10)";
    if (strcmp(by, "agent") == 0) return rollup ? "x.agent" : "u.agent";
    if (strcmp(by, "provider") == 0) return rollup ? "x.provider" : "u.provider";
    if (strcmp(by, "model") == 0) return rollup ? "x.model" : "u.model";
    if (strcmp(by, "channel") == 0) return "r.channel_id";
    return NULL;
}

bool yaa_db_usage_group_by_valid(const char *group_by) {
    return group_expr(group_by, false) != NULL;
}

/* Which part of a from/to range the rollup answers: the whole days inside it. Events before
 * `cs` or from `ce` on (the partial days at the edges) are summed from usage_events. */
typedef struct span {
    char from[YAA_DB_TIME_LEN + 1], to[YAA_DB_TIME_LEN + 1];
    char day_lo[16], day_hi[16]; /* rollup days: day >= day_lo, day <= day_hi ("" = open) */
    char cs[YAA_DB_TIME_LEN + 1], ce[YAA_DB_TIME_LEN + 1]; /* "" = no edge on that side */
    bool rollup_empty;
} span;

static void day_shift(const char *day, int delta, char out[16]) {
    struct tm tm = {0};
    if (sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
        snprintf(out, 16, "%.10s", day);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += delta;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    snprintf(out, 16, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
}

static int span_of(const yaa_db_usage_filter *f, span *sp, yaa_err *err) {
    memset(sp, 0, sizeof *sp);
    if (f->from) {
        if (yaa_db_time_norm(f->from, sp->from, err)) return yaa_err_prefix(err, "from: ");
        char day[16];
        snprintf(day, sizeof day, "%.10s", sp->from);
        if (strcmp(sp->from + 10, "T00:00:00.000000Z") == 0) {
            snprintf(sp->day_lo, sizeof sp->day_lo, "%s", day);
        } else {
            day_shift(day, 1, sp->day_lo);
            snprintf(sp->cs, sizeof sp->cs, "%.10sT00:00:00.000000Z", sp->day_lo);
        }
    }
    if (f->to) {
        if (yaa_db_time_norm(f->to, sp->to, err)) return yaa_err_prefix(err, "to: ");
        char day[16];
        snprintf(day, sizeof day, "%.10s", sp->to);
        if (strcmp(sp->to + 10, "T23:59:59.999999Z") == 0) {
            snprintf(sp->day_hi, sizeof sp->day_hi, "%s", day);
        } else {
            day_shift(day, -1, sp->day_hi);
            snprintf(sp->ce, sizeof sp->ce, "%.10sT00:00:00.000000Z", day);
        }
    }
    if (*sp->day_lo && *sp->day_hi && strcmp(sp->day_lo, sp->day_hi) > 0) {
        /* No whole day inside the range: every event comes from usage_events. */
        sp->rollup_empty = true;
        sp->cs[0] = sp->ce[0] = '\0';
    }
    return 0;
}

/* The filters other than time, on alias `t` (u or x); channel through r. */
static void build_keys(const yaa_db_usage_filter *f, bool rollup, yaa_db__q *q) {
    if (f->run_id)
        yaa_db__q_and(q, rollup ? "x.run_id = ?" : "u.run_id = ?", yaa_db_text(f->run_id));
    if (f->channel_id) yaa_db__q_and(q, "r.channel_id = ?", yaa_db_text(f->channel_id));
    if (f->agent) yaa_db__q_and(q, rollup ? "x.agent = ?" : "u.agent = ?", yaa_db_text(f->agent));
    if (f->provider)
        yaa_db__q_and(q, rollup ? "x.provider = ?" : "u.provider = ?", yaa_db_text(f->provider));
    if (f->model) yaa_db__q_and(q, rollup ? "x.model = ?" : "u.model = ?", yaa_db_text(f->model));
}

/* Runs one grouped query (on the rollup or on the events) and appends its groups to *acc. */
static int part(yaa_db *db, const yaa_db_usage_filter *f, const char *by, bool rollup,
                const span *sp, yaa_arena *a, yaa_db_usage_group **acc, size_t *n, size_t *cap,
                yaa_err *err) {
    bool by_channel = strcmp(by, "channel") == 0;
    const char *tab = rollup ? "usage_rollup x" : "usage_events u",
               *rid = rollup ? "x.run_id" : "u.run_id",
               *cnt = rollup ? "SUM(x.events)" : "COUNT(*)", *t = rollup ? "x" : "u";
    yaa_db__q q;
    yaa_db__q_init(&q);
    build_keys(f, rollup, &q);
    if (rollup) {
        if (*sp->day_lo) yaa_db__q_and(&q, "x.day >= ?", yaa_db_text(sp->day_lo));
        if (*sp->day_hi) yaa_db__q_and(&q, "x.day <= ?", yaa_db_text(sp->day_hi));
    } else {
        if (*sp->from) yaa_db__q_and(&q, "u.created_at >= ?", yaa_db_text(sp->from));
        if (*sp->to) yaa_db__q_and(&q, "u.created_at <= ?", yaa_db_text(sp->to));
        if (*sp->cs && *sp->ce)
            yaa_db__q_and2(&q, "(u.created_at < ? OR u.created_at >= ?)", yaa_db_text(sp->cs),
                           yaa_db_text(sp->ce));
        else if (*sp->cs)
            yaa_db__q_and(&q, "u.created_at < ?", yaa_db_text(sp->cs));
        else if (*sp->ce)
            yaa_db__q_and(&q, "u.created_at >= ?", yaa_db_text(sp->ce));
    }
    yaa_buf sel, tail;
    yaa_buf_init(&sel, 0);
    yaa_buf_init(&tail, 0);
    int brc = 0;
    char join[96] = "";
    if (f->channel_id) snprintf(join, sizeof join, " JOIN pipeline_runs r ON r.id = %s", rid);
    if (by_channel) {
        /* Sum per run first, then fold the runs into their channels. */
        brc |= yaa_buf_printf(&sel,
                              "SELECT r2.channel_id, SUM(s.p), SUM(s.c), SUM(s.t), SUM(s.cost), "
                              "SUM(s.n) FROM (SELECT %s AS run_id, SUM(%s.prompt_tokens) AS p, "
                              "SUM(%s.completion_tokens) AS c, SUM(%s.total_tokens) AS t, "
                              "SUM(%s.cost_usd) AS cost, %s AS n FROM %s%s",
                              rid, t, t, t, t, cnt, tab, join);
        brc |= yaa_buf_printf(&tail,
                              "GROUP BY %s) s LEFT JOIN pipeline_runs r2 ON r2.id = s.run_id "
                              "GROUP BY r2.channel_id",
                              rid);
    } else {
        const char *e = group_expr(by, rollup);
        brc |= yaa_buf_printf(&sel,
                              "SELECT %s, SUM(%s.prompt_tokens), SUM(%s.completion_tokens), "
                              "SUM(%s.total_tokens), SUM(%s.cost_usd), %s FROM %s%s",
                              e, t, t, t, t, cnt, tab, join);
        brc |= yaa_buf_printf(&tail, "GROUP BY %s", e);
    }
    yaa_db_rows *r = NULL;
    int rc =
        brc ? yaa_err_set(err, YAA_ENOMEM, "out of memory")
            : yaa_db__q_rows(db, &q, yaa_buf_cstr(&sel), yaa_buf_cstr(&tail), NULL, 0, &r, err);
    yaa_db__q_free(&q);
    yaa_buf_free(&sel);
    yaa_buf_free(&tail);
    if (rc) return rc;
    size_t cnt_rows = yaa_db_rows_count(r);
    if (*n + cnt_rows > *cap) {
        size_t ncap = (*n + cnt_rows) * 2 + 16;
        int oom = 0;
        yaa_db_usage_group *g = yaa_db__arr(a, ncap, sizeof *g, &oom);
        if (oom) {
            yaa_db_rows_free(r);
            return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
        if (*n) memcpy(g, *acc, *n * sizeof *g);
        *acc = g;
        *cap = ncap;
    }
    for (size_t i = 0; i < cnt_rows; i++) {
        if (yaa_db_get_int(r, i, 5) == 0) continue; /* a rollup row emptied by deletes */
        yaa_db_usage_group *g = &(*acc)[(*n)++];
        const char *k = yaa_db_get_text(r, i, 0);
        g->key = k ? yaa_arena_strdup(a, k) : NULL;
        if (k && !g->key) {
            yaa_db_rows_free(r);
            return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
        g->prompt_tokens = yaa_db_get_int(r, i, 1);
        g->completion_tokens = yaa_db_get_int(r, i, 2);
        g->total_tokens = yaa_db_get_int(r, i, 3);
        g->cost_usd = yaa_db_get_real(r, i, 4);
        g->events = yaa_db_get_int(r, i, 5);
    }
    yaa_db_rows_free(r);
    return 0;
}

static int key_cmp(const char *a, const char *b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0; /* NULL (no run / no channel) first */
    return strcmp(a, b);
}

static int by_key(const void *pa, const void *pb) {
    return key_cmp(((const yaa_db_usage_group *)pa)->key, ((const yaa_db_usage_group *)pb)->key);
}

static int by_cost(const void *pa, const void *pb) {
    const yaa_db_usage_group *a = pa, *b = pb;
    if (a->cost_usd != b->cost_usd) return a->cost_usd > b->cost_usd ? -1 : 1;
    return key_cmp(a->key, b->key);
}

int yaa_db_usage_summary(yaa_db *db, const yaa_db_usage_filter *f, const char *group_by,
                         yaa_arena *a, yaa_db_usage_group **groups, size_t *n,
                         yaa_db_usage_totals *totals, yaa_err *err) {
    *groups = NULL;
    *n = 0;
    if (totals) memset(totals, 0, sizeof *totals);
    if (!yaa_db_usage_group_by_valid(group_by))
        return yaa_err_set(err, YAA_EINVAL,
                           "group_by '%s' is not one of run, day, agent, provider, model, channel",
                           group_by ? group_by : "");
    yaa_db_usage_filter d = {0};
    if (!f) f = &d;
    span sp;
    int rc = span_of(f, &sp, err);
    if (rc) return rc;
    yaa_db_usage_group *acc = NULL;
    size_t cnt = 0, cap = 0;
    if (!sp.rollup_empty) rc = part(db, f, group_by, true, &sp, a, &acc, &cnt, &cap, err);
    if (!rc && (sp.rollup_empty || *sp.cs || *sp.ce))
        rc = part(db, f, group_by, false, &sp, a, &acc, &cnt, &cap, err);
    if (rc) return rc;
    /* Merge the groups both parts answered (a day at an edge, a run spanning the edge). */
    if (cnt > 1) qsort(acc, cnt, sizeof *acc, by_key);
    size_t m = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (m > 0 && key_cmp(acc[m - 1].key, acc[i].key) == 0) {
            yaa_db_usage_group *g = &acc[m - 1];
            g->prompt_tokens += acc[i].prompt_tokens;
            g->completion_tokens += acc[i].completion_tokens;
            g->total_tokens += acc[i].total_tokens;
            g->cost_usd += acc[i].cost_usd;
            g->events += acc[i].events;
        } else {
            acc[m++] = acc[i];
        }
    }
    if (strcmp(group_by, "day") != 0 && m > 1) qsort(acc, m, sizeof *acc, by_cost);
    for (size_t i = 0; totals && i < m; i++) {
        totals->prompt_tokens += acc[i].prompt_tokens;
        totals->completion_tokens += acc[i].completion_tokens;
        totals->total_tokens += acc[i].total_tokens;
        totals->cost_usd += acc[i].cost_usd;
        totals->events += acc[i].events;
    }
    *groups = acc;
    *n = m;
    return 0;
}

int yaa_db_usage_totals_get(yaa_db *db, const yaa_db_usage_filter *f, yaa_db_usage_totals *t,
                            yaa_err *err) {
    if (!f || (!f->run_id && !f->channel_id && !f->agent && !f->provider && !f->model && !f->from &&
               !f->to)) {
        /* everything: usage_totals (0061) holds one row per provider, kept on write */
        memset(t, 0, sizeof *t);
        yaa_db_rows *r = NULL;
        int rc = yaa_db_query(db,
                              "SELECT COALESCE(SUM(prompt_tokens), 0), "
                              "COALESCE(SUM(completion_tokens), 0), "
                              "COALESCE(SUM(total_tokens), 0), COALESCE(SUM(cost_usd), 0), "
                              "COALESCE(SUM(events), 0) FROM usage_totals",
                              NULL, 0, &r, err);
        if (!rc) {
            t->prompt_tokens = yaa_db_get_int(r, 0, 0);
            t->completion_tokens = yaa_db_get_int(r, 0, 1);
            t->total_tokens = yaa_db_get_int(r, 0, 2);
            t->cost_usd = yaa_db_get_real(r, 0, 3);
            t->events = yaa_db_get_int(r, 0, 4);
        }
        yaa_db_rows_free(r);
        return rc;
    }
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_usage_group *g = NULL;
    size_t n = 0;
    int rc = yaa_db_usage_summary(db, f, "provider", &a, &g, &n, t, err);
    yaa_arena_free(&a);
    return rc;
}
