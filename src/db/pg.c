/* pg.c - the PostgreSQL driver (libpq): a bounded connection pool, `?` -> $n rewriting,
 * typed parameters and results, statements prepared once per connection, one reconnect on a
 * dropped connection. */
#include "db/db_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

#define ACQUIRE_WAIT_SEC 30
#define STMT_CACHE 48

/* Type OIDs (pg_type.h is server-side only). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700
};

/* A pooled connection and the statements prepared on it: key = parameter types + SQL. */
typedef struct pg_conn {
    PGconn *c;
    struct {
        char *key;
        char name[24];
    } cache[STMT_CACHE];
    int next;
    unsigned seq; /* statement names are never reused on a connection */
} pg_conn;

static void cache_clear(pg_conn *pc) {
    for (int i = 0; i < STMT_CACHE; i++) {
        free(pc->cache[i].key);
        pc->cache[i].key = NULL;
    }
}

static void conn_free(pg_conn *pc) {
    if (!pc) return;
    cache_clear(pc);
    PQfinish(pc->c);
    free(pc);
}

/* PQreset, forgetting the statements the server side no longer has. */
static void conn_reset(pg_conn *pc) {
    cache_clear(pc);
    PQreset(pc->c);
}

typedef struct pg_state {
    char *url;
    char redacted[256];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pg_conn *idle[YAA_DB_PG_POOL];
    int nidle;
    int total; /* open connections, idle or in use */
} pg_state;

/* libpq's messages span lines ("...refused\n\tIs the server running..."): one line, so the
 * CLI's error stays one line. */
static void trim_msg(char *s) {
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\n' || *r == '\r' || *r == '\t') {
            if (w > s && w[-1] != ' ') *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    size_t n = (size_t)(w - s);
    while (n && s[n - 1] == ' ') s[--n] = '\0';
}

static int pg_connect(pg_state *st, pg_conn **out, yaa_err *err) {
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", YAA_DB_CONNECT_SEC);
    /* Keywords before dbname are overridden by what the URL sets. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {timeout, "yaa", st->url, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        trim_msg(msg);
        PQfinish(c);
        return yaa_err_set(err, YAA_EUNAVAILABLE, "cannot connect to PostgreSQL at %s: %s",
                           st->redacted, msg);
    }
    PGresult *r = PQexec(c, "SET client_min_messages TO warning; SET TIME ZONE 'UTC'");
    PQclear(r);
    pg_conn *pc = calloc(1, sizeof *pc);
    if (!pc) {
        PQfinish(c);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    pc->c = c;
    *out = pc;
    return 0;
}

static int pg_open(const char *url, void **state, yaa_err *err) {
    pg_state *st = calloc(1, sizeof *st);
    if (!st || !(st->url = strdup(url))) {
        free(st);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    yaa_db_redact_url(url, st->redacted, sizeof st->redacted);
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    pg_conn *c = NULL;
    int rc = pg_connect(st, &c, err);
    if (rc) {
        pthread_cond_destroy(&st->cv);
        pthread_mutex_destroy(&st->mu);
        free(st->url);
        free(st);
        return rc;
    }
    st->idle[st->nidle++] = c;
    st->total = 1;
    *state = st;
    return 0;
}

static void pg_close(void *state) {
    pg_state *st = state;
    for (int i = 0; i < st->nidle; i++) conn_free(st->idle[i]);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    free(st->url);
    free(st);
}

static int pg_acquire(void *state, void **conn, yaa_err *err) {
    pg_state *st = state;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ACQUIRE_WAIT_SEC;
    pthread_mutex_lock(&st->mu);
    for (;;) {
        if (st->nidle) {
            pg_conn *c = st->idle[--st->nidle];
            pthread_mutex_unlock(&st->mu);
            if (PQstatus(c->c) != CONNECTION_OK) conn_reset(c);
            *conn = c;
            return 0;
        }
        if (st->total < YAA_DB_PG_POOL) {
            st->total++;
            pthread_mutex_unlock(&st->mu);
            pg_conn *c = NULL;
            int rc = pg_connect(st, &c, err);
            if (rc) {
                pthread_mutex_lock(&st->mu);
                st->total--;
                pthread_cond_signal(&st->cv);
                pthread_mutex_unlock(&st->mu);
                return rc;
            }
            *conn = c;
            return 0;
        }
        if (pthread_cond_timedwait(&st->cv, &st->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&st->mu);
            return yaa_err_set(err, YAA_ETIMEOUT,
                               "all %d PostgreSQL connections stayed busy for %d s", YAA_DB_PG_POOL,
                               ACQUIRE_WAIT_SEC);
        }
    }
}

static void pg_release(void *state, void *conn) {
    pg_state *st = state;
    pg_conn *c = conn;
    if (PQtransactionStatus(c->c) != PQTRANS_IDLE && PQstatus(c->c) == CONNECTION_OK)
        PQclear(PQexec(c->c, "ROLLBACK"));
    pthread_mutex_lock(&st->mu);
    if (PQstatus(c->c) == CONNECTION_OK && st->nidle < YAA_DB_PG_POOL) {
        st->idle[st->nidle++] = c;
        c = NULL;
    } else {
        st->total--;
    }
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
    conn_free(c);
}

/* Rewrites ? placeholders to $1..$n, leaving quoted strings, identifiers, dollar-quoted
 * bodies and comments alone. Returns the count of placeholders or -1 on no memory. */
int yaa_db__pg_rewrite(const char *sql, yaa_buf *out) {
    int n = 0;
    for (const char *s = sql; *s; s++) {
        if (*s == '\'' || *s == '"') {
            char q = *s;
            /* E'...' strings take backslash escapes (E'it\'s'). */
            bool esc = q == '\'' && s > sql && (s[-1] == 'E' || s[-1] == 'e');
            const char *e = s + 1;
            while (*e && !(*e == q && e[1] != q)) {
                if (esc && *e == '\\' && e[1])
                    e += 2;
                else
                    e += (*e == q) ? 2 : 1;
            }
            if (yaa_buf_append(out, s, (size_t)(e - s) + (*e ? 1 : 0))) return -1;
            s = *e ? e : e - 1;
            continue;
        }
        if (s[0] == '-' && s[1] == '-') {
            const char *e = strchr(s, '\n');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (yaa_buf_append(out, s, len)) return -1;
            s += len - 1;
            continue;
        }
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            size_t len = e ? (size_t)(e + 2 - s) : strlen(s);
            if (yaa_buf_append(out, s, len)) return -1;
            s += len - 1;
            continue;
        }
        if (s[0] == '$' && s[1] == '$') {
            const char *e = strstr(s + 2, "$$");
            size_t len = e ? (size_t)(e + 2 - s) : strlen(s);
            if (yaa_buf_append(out, s, len)) return -1;
            s += len - 1;
            continue;
        }
        if (*s == '?') {
            if (yaa_buf_printf(out, "$%d", ++n)) return -1;
            continue;
        }
        if (yaa_buf_putc(out, *s)) return -1;
    }
    if (yaa_buf_putc(out, '\0')) return -1;
    return n;
}

static int pg_fail(PGconn *c, const PGresult *res, const char *what, yaa_err *err) {
    char msg[400];
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (m)
        snprintf(msg, sizeof msg, "%s%s%s", m, detail ? " - " : "", detail ? detail : "");
    else
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
    trim_msg(msg);
    if (PQstatus(c) != CONNECTION_OK)
        return yaa_err_set(err, YAA_EUNAVAILABLE, "PostgreSQL connection lost: %s", msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "23505") == 0)
        return yaa_err_set(err, YAA_EEXIST, "%s: %s", what, msg);
    if (state && strncmp(state, "23", 2) == 0)
        return yaa_err_set(err, YAA_EINVAL, "%s: %s", what, msg);
    if (state &&
        (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0))
        return yaa_err_set(err, YAA_EUNAVAILABLE, "%s: %s; retry", what, msg);
    if (state && strncmp(state, "08", 2) == 0)
        return yaa_err_set(err, YAA_EUNAVAILABLE, "PostgreSQL connection lost: %s", msg);
    return yaa_err_set(err, YAA_EDB, "%s: %s", what, msg);
}

static int materialise(const PGresult *res, yaa_db_rows **rows) {
    int nc = PQnfields(res), nr = PQntuples(res);
    yaa_db_rows *r = yaa_db__rows_new((size_t)nc);
    if (!r) return YAA_ENOMEM;
    for (int c = 0; c < nc; c++)
        if (yaa_db__rows_setname(r, (size_t)c, PQfname(res, c))) goto nomem;
    for (int i = 0; i < nr; i++) {
        yaa_db_cell *row = yaa_db__rows_add(r);
        if (!row) goto nomem;
        for (int c = 0; c < nc; c++) {
            if (PQgetisnull(res, i, c)) continue;
            const char *v = PQgetvalue(res, i, c);
            size_t len = (size_t)PQgetlength(res, i, c);
            int rc;
            switch (PQftype(res, c)) {
            case OID_INT2:
            case OID_INT4:
            case OID_INT8:
            case OID_OID:
                row[c].i = strtoll(v, NULL, 10);
                row[c].d = (double)row[c].i;
                rc = yaa_db__cell_set(&row[c], YAA_DB_INT, v, len);
                break;
            case OID_BOOL:
                row[c].i = v[0] == 't';
                row[c].d = (double)row[c].i;
                rc = yaa_db__cell_set(&row[c], YAA_DB_INT, row[c].i ? "1" : "0", 1);
                break;
            case OID_FLOAT4:
            case OID_FLOAT8:
            case OID_NUMERIC:
                row[c].d = strtod(v, NULL);
                row[c].i = (int64_t)row[c].d;
                rc = yaa_db__cell_set(&row[c], YAA_DB_REAL, v, len);
                break;
            case OID_BYTEA: {
                size_t bn = 0;
                unsigned char *b = PQunescapeBytea((const unsigned char *)v, &bn);
                if (!b) goto nomem;
                rc = yaa_db__cell_set(&row[c], YAA_DB_BLOB, b, bn);
                PQfreemem(b);
                break;
            }
            default: rc = yaa_db__cell_set(&row[c], YAA_DB_TEXT, v, len); break;
            }
            if (rc) goto nomem;
        }
    }
    *rows = r;
    return 0;
nomem:
    yaa_db_rows_free(r);
    return YAA_ENOMEM;
}

/* The name of the statement prepared on pc for sql with these parameter types, preparing it
 * on a miss. NULL with *fail set: preparing failed (the caller reports *fail); NULL with
 * *fail NULL: out of memory (the caller runs the statement unnamed). */
static const char *prepared(pg_conn *pc, const char *sql, size_t n, const Oid *types,
                            PGresult **fail) {
    yaa_buf key;
    yaa_buf_init(&key, 0);
    for (size_t i = 0; i < n; i++) yaa_buf_printf(&key, "%u,", (unsigned)types[i]);
    yaa_buf_putc(&key, '|');
    yaa_buf_puts(&key, sql);
    if (!key.data) return NULL;
    for (int i = 0; i < STMT_CACHE; i++)
        if (pc->cache[i].key && strcmp(pc->cache[i].key, key.data) == 0) {
            yaa_buf_free(&key);
            return pc->cache[i].name;
        }
    int slot = pc->next;
    pc->next = (pc->next + 1) % STMT_CACHE;
    if (pc->cache[slot].key) {
        char dealloc[48];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", pc->cache[slot].name);
        if (PQtransactionStatus(pc->c) == PQTRANS_IDLE) PQclear(PQexec(pc->c, dealloc));
        free(pc->cache[slot].key);
        pc->cache[slot].key = NULL;
    }
    snprintf(pc->cache[slot].name, sizeof pc->cache[slot].name, "yaa_s%u", ++pc->seq);
    PGresult *res = PQprepare(pc->c, pc->cache[slot].name, sql, (int)n, types);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        yaa_buf_free(&key);
        *fail = res ? res : PQmakeEmptyPGresult(pc->c, PGRES_FATAL_ERROR);
        return NULL;
    }
    PQclear(res);
    pc->cache[slot].key = yaa_buf_steal(&key);
    return pc->cache[slot].name;
}

static void forget(pg_conn *pc, const char *name) {
    for (int i = 0; i < STMT_CACHE; i++)
        if (pc->cache[i].key && strcmp(pc->cache[i].name, name) == 0) {
            free(pc->cache[i].key);
            pc->cache[i].key = NULL;
        }
}

static int pg_exec(void *state, void *conn, const char *sql, const yaa_db_val *p, size_t n,
                   yaa_db_rows **rows, int64_t *changes, int pinned, yaa_err *err) {
    (void)state;
    pg_conn *pc = conn;
    PGconn *c = pc->c;
    yaa_buf q;
    yaa_buf_init(&q, 0);
    int want = yaa_db__pg_rewrite(sql, &q);
    if (want < 0) {
        yaa_buf_free(&q);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    if ((size_t)want != n) {
        yaa_buf_free(&q);
        return yaa_err_set(err, YAA_EINVAL, "statement has %d placeholders but %zu parameters",
                           want, n);
    }
    Oid *types = calloc(n + 1, sizeof *types);
    const char **vals = calloc(n + 1, sizeof *vals);
    int *lens = calloc(n + 1, sizeof *lens);
    int *fmts = calloc(n + 1, sizeof *fmts);
    char(*nums)[40] = calloc(n + 1, sizeof *nums);
    int r = 0;
    if (!types || !vals || !lens || !fmts || !nums) {
        r = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        switch (p[i].type) {
        case YAA_DB_INT:
            types[i] = OID_INT8;
            snprintf(nums[i], sizeof nums[i], "%" PRId64, p[i].i);
            vals[i] = nums[i];
            break;
        case YAA_DB_REAL:
            types[i] = OID_FLOAT8;
            snprintf(nums[i], sizeof nums[i], "%.17g", p[i].d);
            vals[i] = nums[i];
            break;
        case YAA_DB_TEXT: vals[i] = p[i].p; break;
        case YAA_DB_BLOB:
            types[i] = OID_BYTEA;
            vals[i] = p[i].p ? p[i].p : "";
            lens[i] = (int)p[i].n;
            fmts[i] = 1;
            break;
        default: vals[i] = NULL; break;
        }
    }
    for (int attempt = 0;; attempt++) {
        PGresult *res = NULL;
        const char *name = prepared(pc, yaa_buf_cstr(&q), n, types, &res);
        if (name)
            res = PQexecPrepared(c, name, (int)n, vals, lens, fmts, 0);
        else if (!res) /* no memory for the cache: unnamed statement */
            res = PQexecParams(c, yaa_buf_cstr(&q), (int)n, types, vals, lens, fmts, 0);
        ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            if (changes) {
                const char *t = PQcmdTuples(res);
                *changes = (t && *t) ? strtoll(t, NULL, 10) : 0;
            }
            if (rows && materialise(res, rows)) r = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            PQclear(res);
            break;
        }
        /* A dropped connection outside a transaction: reset and retry once. */
        if (!pinned && attempt == 0 && PQstatus(c) != CONNECTION_OK) {
            PQclear(res);
            conn_reset(pc);
            if (PQstatus(c) == CONNECTION_OK) continue;
            char msg[400];
            snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
            trim_msg(msg);
            r = yaa_err_set(err, YAA_EUNAVAILABLE,
                            "PostgreSQL connection lost and reconnecting failed: %s", msg);
            break;
        }
        /* DDL changed what a cached statement returns: prepare it afresh, once. */
        const char *state_code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (!pinned && attempt == 0 && name && state_code && strcmp(state_code, "0A000") == 0) {
            PQclear(res);
            forget(pc, name);
            continue;
        }
        r = pg_fail(c, res, "statement", err);
        PQclear(res);
        break;
    }
done:
    free(types);
    free(vals);
    free(lens);
    free(fmts);
    free(nums);
    yaa_buf_free(&q);
    return r;
}

static int pg_script(void *state, void *conn, const char *sql, yaa_err *err) {
    (void)state;
    PGconn *c = ((pg_conn *)conn)->c;
    PGresult *res = PQexec(c, sql);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int r = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        r = pg_fail(c, res, "script", err);
    PQclear(res);
    return r;
}

const yaa_db_drv yaa_db__pg = {
    .name = "postgresql",
    .variant = "pg",
    .open = pg_open,
    .close = pg_close,
    .acquire = pg_acquire,
    .release = pg_release,
    .exec = pg_exec,
    .script = pg_script,
    .begin_sql = "BEGIN",
};
