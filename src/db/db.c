/* db.c - the driver-neutral half of db.h: URL dispatch, pooled calls, transactions,
 * materialised rows and the storage time format. */
#include "db/db_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/buf.h"
#include "core/util.h"

int yaa_db_open(const char *url, yaa_db **out, yaa_err *err) {
    *out = NULL;
    if (!url || !*url) return yaa_err_set(err, YAA_ECONFIG, "DATABASE_URL is empty");
    const yaa_db_drv *drv = NULL;
    yaa_db_driver kind = 0;
    if (yaa_str_startswith(url, "sqlite:")) {
        drv = &yaa_db__sqlite;
        kind = YAA_DB_SQLITE;
    } else if (yaa_str_startswith(url, "postgresql://") || yaa_str_startswith(url, "postgres://")) {
        drv = &yaa_db__pg;
        kind = YAA_DB_POSTGRES;
    } else {
        char red[256];
        yaa_db_redact_url(url, red, sizeof red);
        return yaa_err_set(err, YAA_ECONFIG,
                           "DATABASE_URL '%s': expected sqlite:///path.db or "
                           "postgresql://user:pass@host:5432/db",
                           red);
    }
    yaa_db *db = calloc(1, sizeof *db);
    if (!db) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    db->drv = drv;
    db->kind = kind;
    int rc = drv->open(url, &db->state, err);
    if (rc) {
        free(db);
        return rc;
    }
    *out = db;
    return 0;
}

void yaa_db_close(yaa_db *db) {
    if (!db || db->pinned) return;
    db->drv->close(db->state);
    free(db);
}

yaa_db_driver yaa_db_kind(const yaa_db *db) { return db->kind; }
const char *yaa_db_kind_name(const yaa_db *db) { return db->drv->name; }

void yaa_db_redact_url(const char *url, char *out, size_t n) {
    if (!n) return;
    snprintf(out, n, "%s", url ? url : "");
    char *scheme = strstr(out, "://");
    if (!scheme) return;
    char *auth = scheme + 3;
    char *at = strchr(auth, '@');
    char *slash = strchr(auth, '/');
    if (!at || (slash && slash < at)) return;
    char *colon = memchr(auth, ':', (size_t)(at - auth));
    if (!colon) return;
    char tail[1024];
    snprintf(tail, sizeof tail, "%s", at);
    snprintf(colon + 1, n - (size_t)(colon + 1 - out), "***%s", tail);
}

static int run(yaa_db *db, const char *sql, const yaa_db_val *p, size_t n, yaa_db_rows **rows,
               int64_t *changes, yaa_err *err) {
    if (!sql) return yaa_err_set(err, YAA_EINVAL, "no SQL statement");
    if (changes) *changes = 0;
    if (db->pinned) return db->drv->exec(db->state, db->pinned, sql, p, n, rows, changes, 1, err);
    void *conn;
    int rc = db->drv->acquire(db->state, &conn, err);
    if (rc) return rc;
    rc = db->drv->exec(db->state, conn, sql, p, n, rows, changes, 0, err);
    db->drv->release(db->state, conn);
    return rc;
}

int yaa_db_exec(yaa_db *db, const char *sql, const yaa_db_val *params, size_t nparams,
                int64_t *changes, yaa_err *err) {
    return run(db, sql, params, nparams, NULL, changes, err);
}

int yaa_db_query(yaa_db *db, const char *sql, const yaa_db_val *params, size_t nparams,
                 yaa_db_rows **out, yaa_err *err) {
    *out = NULL;
    return run(db, sql, params, nparams, out, NULL, err);
}

int yaa_db_exec_script(yaa_db *db, const char *sql, yaa_err *err) {
    if (db->pinned) return db->drv->script(db->state, db->pinned, sql, err);
    void *conn;
    int rc = db->drv->acquire(db->state, &conn, err);
    if (rc) return rc;
    rc = db->drv->script(db->state, conn, sql, err);
    db->drv->release(db->state, conn);
    return rc;
}

int yaa_db_ping(yaa_db *db, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT 1", NULL, 0, &r, err);
    yaa_db_rows_free(r);
    return rc;
}

bool yaa_db_generation(yaa_db *db, uint64_t *gen) {
    if (db->pinned || !db->drv->generation) return false;
    void *conn;
    yaa_err ignored = {0};
    if (db->drv->acquire(db->state, &conn, &ignored)) return false;
    int rc = db->drv->generation(db->state, conn, gen);
    db->drv->release(db->state, conn);
    return rc == 0;
}

int yaa_db_tx(yaa_db *db, yaa_db_tx_fn fn, void *arg, yaa_err *err) {
    if (db->pinned) return fn(db, arg, err);
    void *conn;
    int rc = db->drv->acquire(db->state, &conn, err);
    if (rc) return rc;
    rc = db->drv->exec(db->state, conn, db->drv->begin_sql, NULL, 0, NULL, NULL, 0, err);
    if (rc) {
        yaa_err_prefix(err, "begin transaction: ");
        db->drv->release(db->state, conn);
        return rc;
    }
    yaa_db view = *db;
    view.pinned = conn;
    rc = fn(&view, arg, err);
    if (rc == 0) {
        rc = db->drv->exec(db->state, conn, "COMMIT", NULL, 0, NULL, NULL, 1, err);
        if (rc) {
            yaa_err_prefix(err, "commit: ");
            yaa_err ignored = {0};
            db->drv->exec(db->state, conn, "ROLLBACK", NULL, 0, NULL, NULL, 1, &ignored);
        }
    } else {
        yaa_err ignored = {0};
        db->drv->exec(db->state, conn, "ROLLBACK", NULL, 0, NULL, NULL, 1, &ignored);
    }
    db->drv->release(db->state, conn);
    return rc;
}

/* ---- rows ---- */

yaa_db_rows *yaa_db__rows_new(size_t ncols) {
    yaa_db_rows *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ncols = ncols;
    r->names = calloc(ncols ? ncols : 1, sizeof *r->names);
    if (!r->names) {
        free(r);
        return NULL;
    }
    return r;
}

int yaa_db__rows_setname(yaa_db_rows *r, size_t col, const char *name) {
    if (col >= r->ncols) return YAA_EINVAL;
    r->names[col] = strdup(name ? name : "");
    return r->names[col] ? 0 : YAA_ENOMEM;
}

yaa_db_cell *yaa_db__rows_add(yaa_db_rows *r) {
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        yaa_db_cell *c = realloc(r->cells, cap * (r->ncols ? r->ncols : 1) * sizeof *c);
        if (!c) return NULL;
        r->cells = c;
        r->cap = cap;
    }
    yaa_db_cell *row = r->cells + r->nrows * r->ncols;
    memset(row, 0, r->ncols * sizeof *row);
    r->nrows++;
    return row;
}

int yaa_db__cell_set(yaa_db_cell *c, yaa_db_type type, const void *p, size_t n) {
    c->type = type;
    c->p = malloc(n + 1);
    if (!c->p) {
        c->type = YAA_DB_NULL;
        return YAA_ENOMEM;
    }
    if (n) memcpy(c->p, p, n);
    c->p[n] = '\0';
    c->n = n;
    return 0;
}

void yaa_db_rows_free(yaa_db_rows *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nrows * r->ncols; i++) free(r->cells[i].p);
    for (size_t i = 0; i < r->ncols; i++) free(r->names[i]);
    free(r->cells);
    free(r->names);
    free(r);
}

size_t yaa_db_rows_count(const yaa_db_rows *r) { return r ? r->nrows : 0; }
size_t yaa_db_rows_ncols(const yaa_db_rows *r) { return r ? r->ncols : 0; }

const char *yaa_db_rows_colname(const yaa_db_rows *r, size_t col) {
    return r && col < r->ncols ? r->names[col] : NULL;
}

int yaa_db_rows_col(const yaa_db_rows *r, const char *name) {
    if (!r || !name) return -1;
    for (size_t i = 0; i < r->ncols; i++)
        if (r->names[i] && strcmp(r->names[i], name) == 0) return (int)i;
    return -1;
}

static const yaa_db_cell *cell(const yaa_db_rows *r, size_t row, size_t col) {
    if (!r || row >= r->nrows || col >= r->ncols) return NULL;
    return &r->cells[row * r->ncols + col];
}

yaa_db_type yaa_db_get_type(const yaa_db_rows *r, size_t row, size_t col) {
    const yaa_db_cell *c = cell(r, row, col);
    return c ? c->type : YAA_DB_NULL;
}

bool yaa_db_is_null(const yaa_db_rows *r, size_t row, size_t col) {
    return yaa_db_get_type(r, row, col) == YAA_DB_NULL;
}

const char *yaa_db_get_text(const yaa_db_rows *r, size_t row, size_t col) {
    const yaa_db_cell *c = cell(r, row, col);
    if (!c || c->type == YAA_DB_NULL) return NULL;
    return c->p; /* drivers store a text form for numbers too */
}

int64_t yaa_db_get_int(const yaa_db_rows *r, size_t row, size_t col) {
    const yaa_db_cell *c = cell(r, row, col);
    if (!c) return 0;
    switch (c->type) {
    case YAA_DB_INT: return c->i;
    case YAA_DB_REAL: return (int64_t)c->d;
    case YAA_DB_TEXT: return c->p ? strtoll(c->p, NULL, 10) : 0;
    default: return 0;
    }
}

double yaa_db_get_real(const yaa_db_rows *r, size_t row, size_t col) {
    const yaa_db_cell *c = cell(r, row, col);
    if (!c) return 0;
    switch (c->type) {
    case YAA_DB_INT: return (double)c->i;
    case YAA_DB_REAL: return c->d;
    case YAA_DB_TEXT: return c->p ? strtod(c->p, NULL) : 0;
    default: return 0;
    }
}

bool yaa_db_get_bool(const yaa_db_rows *r, size_t row, size_t col) {
    const char *t = yaa_db_get_text(r, row, col);
    if (t && (strcmp(t, "t") == 0 || strcmp(t, "true") == 0)) return true;
    return yaa_db_get_int(r, row, col) != 0;
}

const void *yaa_db_get_blob(const yaa_db_rows *r, size_t row, size_t col, size_t *n) {
    const yaa_db_cell *c = cell(r, row, col);
    if (!c || c->type == YAA_DB_NULL) {
        if (n) *n = 0;
        return NULL;
    }
    if (n) *n = c->n;
    return c->p;
}

char *yaa_db_dup_text(const yaa_db_rows *r, size_t row, size_t col) {
    const char *t = yaa_db_get_text(r, row, col);
    return t ? strdup(t) : NULL;
}

/* ---- time ---- */

static void fmt_time(time_t sec, long usec, char out[YAA_DB_TIME_LEN + 1]) {
    struct tm tm;
    gmtime_r(&sec, &tm);
    char buf[128];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec % 1000000);
    memcpy(out, buf, YAA_DB_TIME_LEN);
    out[YAA_DB_TIME_LEN] = '\0';
}

void yaa_db_now(char out[YAA_DB_TIME_LEN + 1]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* Every API request's audit row takes one: the date and time of day are formatted once
     * per second and thread, the microseconds written in place. */
    static _Thread_local time_t last = (time_t)-1;
    static _Thread_local char head[YAA_DB_TIME_LEN + 1];
    if (tv.tv_sec != last) {
        fmt_time(tv.tv_sec, 0, head);
        last = tv.tv_sec;
    }
    memcpy(out, head, YAA_DB_TIME_LEN + 1); /* "2026-02-06T10:00:00.000000Z" */
    long us = (long)tv.tv_usec;
    for (int i = YAA_DB_TIME_LEN - 2; i >= YAA_DB_TIME_LEN - 7; i--, us /= 10)
        out[i] = (char)('0' + us % 10);
}

void yaa_db_time(time_t t, char out[YAA_DB_TIME_LEN + 1]) { fmt_time(t, 0, out); }

int yaa_db_time_norm(const char *in, char out[YAA_DB_TIME_LEN + 1], yaa_err *err) {
    time_t t;
    if (!in || yaa_time_parse(in, &t) != 0)
        return yaa_err_set(err, YAA_EINVAL,
                           "time '%s': expected RFC 3339 (2026-02-06T10:00:00Z) or a date "
                           "(2026-02-06)",
                           in ? in : "");
    long usec = 0;
    const char *dot = strchr(in, '.');
    if (dot && strchr(in, 'T') && dot > strchr(in, 'T')) {
        long scale = 100000;
        for (const char *q = dot + 1; *q >= '0' && *q <= '9' && scale; q++, scale /= 10)
            usec += (*q - '0') * scale;
    }
    fmt_time(t, usec, out);
    return 0;
}

void yaa_db_time_public(const char *stored, char out[21]) {
    if (!stored || !*stored) {
        out[0] = '\0';
        return;
    }
    time_t t;
    if (yaa_time_parse(stored, &t) == 0) {
        yaa_time_format(t, out);
        return;
    }
    snprintf(out, 21, "%s", stored);
}
