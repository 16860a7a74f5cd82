/* repo_util.c - the WHERE builder and arena copies used by every repository. */
#include "db/repo_internal.h"

#include <stdio.h>
#include <string.h>

void yaa_db__q_init(yaa_db__q *q) {
    memset(q, 0, sizeof *q);
    yaa_buf_init(&q->where, 16384);
}

void yaa_db__q_free(yaa_db__q *q) { yaa_buf_free(&q->where); }

static void add(yaa_db__q *q, const char *cond) {
    if (yaa_buf_puts(&q->where, q->where.len ? " AND " : " WHERE ") ||
        yaa_buf_puts(&q->where, cond))
        q->oom = 1;
}

void yaa_db__q_and(yaa_db__q *q, const char *cond, yaa_db_val v) {
    add(q, cond);
    if (strchr(cond, '?')) {
        if (q->n < YAA__Q_MAX)
            q->params[q->n++] = v;
        else
            q->oom = 1;
    }
}

void yaa_db__q_and2(yaa_db__q *q, const char *cond, yaa_db_val a, yaa_db_val b) {
    add(q, cond);
    if (q->n + 2 > YAA__Q_MAX) {
        q->oom = 1;
        return;
    }
    q->params[q->n++] = a;
    q->params[q->n++] = b;
}

int yaa_db__q_and_time(yaa_db__q *q, const char *cond, const char *field, const char *t,
                       yaa_err *err) {
    if (q->ntimes >= 4) {
        q->oom = 1;
        return 0;
    }
    char *slot = q->times[q->ntimes];
    if (yaa_db_time_norm(t, slot, err) != 0) return yaa_err_prefix(err, "%s: ", field);
    q->ntimes++;
    yaa_db__q_and(q, cond, yaa_db_text(slot));
    return 0;
}

int yaa_db__q_count(yaa_db *db, yaa_db__q *q, const char *from, int64_t *total, yaa_err *err) {
    if (q->oom) return yaa_err_set(err, YAA_ENOMEM, "query too large");
    yaa_buf sql;
    yaa_buf_init(&sql, 0);
    yaa_buf_printf(&sql, "SELECT COUNT(*) %s%s", from, yaa_buf_cstr(&q->where));
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, yaa_buf_cstr(&sql), q->params, q->n, &r, err);
    yaa_buf_free(&sql);
    if (!rc) *total = yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db__q_rows(yaa_db *db, yaa_db__q *q, const char *select, const char *tail,
                   const yaa_db_val *extra, size_t nextra, yaa_db_rows **rows, yaa_err *err) {
    if (q->oom || q->n + nextra > YAA__Q_MAX)
        return yaa_err_set(err, YAA_ENOMEM, "query too large");
    yaa_db_val p[YAA__Q_MAX];
    memcpy(p, q->params, q->n * sizeof *p);
    if (nextra) memcpy(p + q->n, extra, nextra * sizeof *p);
    yaa_buf sql;
    yaa_buf_init(&sql, 0);
    yaa_buf_printf(&sql, "%s%s %s", select, yaa_buf_cstr(&q->where), tail ? tail : "");
    int rc = yaa_db_query(db, yaa_buf_cstr(&sql), p, q->n + nextra, rows, err);
    yaa_buf_free(&sql);
    return rc;
}

const char *yaa_db__cell(yaa_arena *a, const yaa_db_rows *r, size_t row, const char *col,
                         int *oom) {
    int c = yaa_db_rows_col(r, col);
    if (c < 0) return NULL;
    const char *t = yaa_db_get_text(r, row, (size_t)c);
    if (!t) return NULL;
    char *s = yaa_arena_strdup(a, t);
    if (!s) *oom = 1;
    return s;
}

int64_t yaa_db__cell_int(const yaa_db_rows *r, size_t row, const char *col) {
    int c = yaa_db_rows_col(r, col);
    return c < 0 ? 0 : yaa_db_get_int(r, row, (size_t)c);
}

double yaa_db__cell_real(const yaa_db_rows *r, size_t row, const char *col) {
    int c = yaa_db_rows_col(r, col);
    return c < 0 ? 0 : yaa_db_get_real(r, row, (size_t)c);
}

int yaa_db__map_row(const yaa_db_rows *r, size_t i, yaa_arena *a, const yaa_db__field *f, size_t nf,
                    void *rec) {
    int oom = 0;
    for (size_t k = 0; k < nf; k++) {
        union {
            const char *s;
            int64_t i;
            bool b;
            double d;
        } v = {0};
        size_t n = 0;
        switch (f[k].type) {
        case YAA_DB__STR: v.s = yaa_db__cell(a, r, i, f[k].col, &oom), n = sizeof v.s; break;
        case YAA_DB__I64: v.i = yaa_db__cell_int(r, i, f[k].col), n = sizeof v.i; break;
        case YAA_DB__BOOL: v.b = yaa_db__cell_int(r, i, f[k].col) != 0, n = sizeof v.b; break;
        case YAA_DB__REAL: v.d = yaa_db__cell_real(r, i, f[k].col), n = sizeof v.d; break;
        }
        memcpy((char *)rec + f[k].off, &v, n);
    }
    return oom ? YAA_ENOMEM : 0;
}

int yaa_db__map_rows(yaa_db_rows *r, yaa_arena *a, const yaa_db__field *f, size_t nf, size_t sz,
                     void *items, size_t *n, yaa_err *err) {
    int oom = 0;
    size_t cnt = yaa_db_rows_count(r);
    char *arr = yaa_db__arr(a, cnt, sz, &oom);
    if (arr) memset(arr, 0, cnt * sz);
    for (size_t i = 0; !oom && i < cnt; i++)
        if (yaa_db__map_row(r, i, a, f, nf, arr + i * sz)) oom = 1;
    yaa_db_rows_free(r);
    if (oom) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    memcpy(items, &arr, sizeof arr);
    *n = cnt;
    return 0;
}

void *yaa_db__arr(yaa_arena *a, size_t n, size_t sz, int *oom) {
    if (!n) return NULL;
    void *p = yaa_arena_alloc(a, n * sz);
    if (!p) *oom = 1;
    return p;
}

void yaa_db__page(int64_t *limit, int64_t *offset, int64_t def, int64_t max) {
    if (*limit <= 0) *limit = def;
    if (*limit > max) *limit = max;
    if (*offset < 0) *offset = 0;
}
