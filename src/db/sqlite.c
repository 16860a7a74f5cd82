/* sqlite.c - the SQLite driver: a small pool of connections (one per concurrent thread),
 * each in WAL mode with busy_timeout and foreign keys on, each keeping its most recently
 * used prepared statements (the repositories run the same few dozen statements).
 *
 * The generation (yaa_db_generation): `PRAGMA data_version` tells a connection whether
 * *another* connection (of this process or any other) committed since it last looked, but
 * not about its own commits; so the handle also counts the commits that wrote through any of
 * its connections. The generation moves when either says something changed. */
#include "db/db_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

#define IDLE_MAX 16
#define STMT_CACHE 32

typedef struct lite_conn {
    sqlite3 *h;
    struct {
        char *sql;
        sqlite3_stmt *s;
    } cache[STMT_CACHE];
    int next;             /* round-robin eviction */
    int64_t seen_version; /* PRAGMA data_version when last read here (INT64_MIN: never) */
    bool wrote;           /* a statement changed data since this connection's last commit */
} lite_conn;

typedef struct lite_state {
    char *path;
    pthread_mutex_t mu;
    lite_conn *idle[IDLE_MAX];
    int nidle;
    atomic_uint_fast64_t generation;
} lite_state;

static void conn_close(lite_conn *c) {
    if (!c) return;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].s);
        free(c->cache[i].sql);
    }
    sqlite3_close_v2(c->h);
    free(c);
}

static int lite_err(sqlite3 *h, int rc, const char *what, yaa_err *err) {
    const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    int prim = rc & 0xff;
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return yaa_err_set(err, YAA_EUNAVAILABLE,
                           "database is locked: another connection held it for more than %d ms "
                           "(%s); retry, or check for a stuck process",
                           YAA_DB_BUSY_MS, msg);
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return yaa_err_set(err, YAA_EEXIST, "%s: %s", what, msg);
    if (prim == SQLITE_CONSTRAINT) return yaa_err_set(err, YAA_EINVAL, "%s: %s", what, msg);
    if (prim == SQLITE_CANTOPEN || prim == SQLITE_READONLY || prim == SQLITE_FULL ||
        prim == SQLITE_IOERR)
        return yaa_err_set(err, YAA_EIO, "%s: %s", what, msg);
    return yaa_err_set(err, YAA_EDB, "%s: %s", what, msg);
}

static int parent_dir(const char *path) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    return yaa_mkdirs(dir, 0755);
}

static int connect_one(lite_state *st, lite_conn **out, yaa_err *err) {
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        st->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int r = yaa_err_set(err, YAA_EIO, "cannot open SQLite database '%s': %s", st->path,
                            h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return r;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, YAA_DB_BUSY_MS);
    char *msg = NULL;
    rc = sqlite3_exec(h,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                      "PRAGMA foreign_keys=ON;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r = lite_err(h, rc, "configure SQLite connection", err);
        yaa_err_prefix(err, "database '%s': ", st->path);
        sqlite3_free(msg);
        sqlite3_close(h);
        return r;
    }
    lite_conn *c = calloc(1, sizeof *c);
    if (!c) {
        sqlite3_close(h);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    c->h = h;
    c->seen_version = INT64_MIN;
    *out = c;
    return 0;
}

static int lite_open(const char *url, void **state, yaa_err *err) {
    const char *path = NULL;
    if (yaa_str_startswith(url, "sqlite:///")) path = url + strlen("sqlite:///");
    if (!path || !*path)
        return yaa_err_set(err, YAA_ECONFIG,
                           "DATABASE_URL '%s': expected sqlite:///relative/path.db or "
                           "sqlite:////absolute/path.db",
                           url);
    if (strchr(path, '?'))
        return yaa_err_set(err, YAA_ECONFIG, "DATABASE_URL '%s': query options are not supported",
                           url);
    /* Absolute, so that connections opened later (other threads) find the same file even
     * if the process changes directory. */
    char abs[PATH_MAX];
    if (path[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= sizeof abs)
            return yaa_err_set(err, YAA_EIO, "database path '%s': cannot resolve it", path);
        path = abs;
    }
    if (parent_dir(path) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot create the directory of database '%s': %s", path,
                           strerror(errno));
    lite_state *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&st->mu, NULL);
    lite_conn *h = NULL;
    int rc = connect_one(st, &h, err);
    if (rc) {
        pthread_mutex_destroy(&st->mu);
        free(st->path);
        free(st);
        return rc;
    }
    st->idle[st->nidle++] = h;
    *state = st;
    return 0;
}

static void lite_close(void *state) {
    lite_state *st = state;
    for (int i = 0; i < st->nidle; i++) conn_close(st->idle[i]);
    pthread_mutex_destroy(&st->mu);
    free(st->path);
    free(st);
}

static int lite_acquire(void *state, void **conn, yaa_err *err) {
    lite_state *st = state;
    pthread_mutex_lock(&st->mu);
    lite_conn *h = st->nidle ? st->idle[--st->nidle] : NULL;
    pthread_mutex_unlock(&st->mu);
    if (h) {
        *conn = h;
        return 0;
    }
    int rc = connect_one(st, &h, err);
    if (rc) return rc;
    *conn = h;
    return 0;
}

static void lite_release(void *state, void *conn) {
    lite_state *st = state;
    lite_conn *h = conn;
    /* A statement that failed inside BEGIN leaves the transaction to the caller; a
     * connection handed back outside a yaa_db_tx must not carry one. */
    if (!sqlite3_get_autocommit(h->h)) sqlite3_exec(h->h, "ROLLBACK", NULL, NULL, NULL);
    if (h->wrote) atomic_fetch_add(&st->generation, 1);
    h->wrote = false;
    pthread_mutex_lock(&st->mu);
    if (st->nidle < IDLE_MAX) {
        st->idle[st->nidle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&st->mu);
    conn_close(h);
}

/* A prepared statement for sql from the connection's cache (prepared on a miss). */
static int stmt_get(lite_conn *c, const char *sql, sqlite3_stmt **out, yaa_err *err) {
    for (int i = 0; i < STMT_CACHE; i++)
        if (c->cache[i].sql && c->cache[i].sql[0] == sql[0] && strcmp(c->cache[i].sql, sql) == 0) {
            *out = c->cache[i].s;
            return 0;
        }
    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, &tail);
    if (rc != SQLITE_OK) return lite_err(c->h, rc, "prepare", err);
    if (!s) return yaa_err_set(err, YAA_EINVAL, "empty SQL statement");
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';')) tail++;
    if (tail && *tail) {
        sqlite3_finalize(s);
        return yaa_err_set(err, YAA_EINVAL,
                           "one statement per call (use yaa_db_exec_script for several)");
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(s);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    int slot = c->next;
    c->next = (c->next + 1) % STMT_CACHE;
    sqlite3_finalize(c->cache[slot].s);
    free(c->cache[slot].sql);
    c->cache[slot].sql = copy;
    c->cache[slot].s = s;
    *out = s;
    return 0;
}

static int bind_all(sqlite3 *h, sqlite3_stmt *s, const yaa_db_val *p, size_t n, yaa_err *err) {
    int want = sqlite3_bind_parameter_count(s);
    if ((size_t)want != n)
        return yaa_err_set(err, YAA_EINVAL, "statement has %d placeholders but %zu parameters",
                           want, n);
    for (size_t i = 0; i < n; i++) {
        int idx = (int)i + 1, rc;
        switch (p[i].type) {
        case YAA_DB_INT: rc = sqlite3_bind_int64(s, idx, p[i].i); break;
        case YAA_DB_REAL: rc = sqlite3_bind_double(s, idx, p[i].d); break;
        case YAA_DB_TEXT: rc = sqlite3_bind_text(s, idx, p[i].p, -1, SQLITE_STATIC); break;
        case YAA_DB_BLOB:
            rc = p[i].n > INT_MAX
                     ? SQLITE_TOOBIG
                     : sqlite3_bind_blob(s, idx, p[i].p ? p[i].p : "", (int)p[i].n, SQLITE_STATIC);
            break;
        default: rc = sqlite3_bind_null(s, idx); break;
        }
        if (rc != SQLITE_OK) return lite_err(h, rc, "bind parameter", err);
    }
    return 0;
}

static int add_row(sqlite3_stmt *s, yaa_db_rows *r) {
    yaa_db_cell *row = yaa_db__rows_add(r);
    if (!row) return YAA_ENOMEM;
    for (size_t c = 0; c < r->ncols; c++) {
        int col = (int)c;
        char num[64];
        int rc = 0;
        switch (sqlite3_column_type(s, col)) {
        case SQLITE_INTEGER:
            row[c].i = sqlite3_column_int64(s, col);
            row[c].d = (double)row[c].i;
            snprintf(num, sizeof num, "%" PRId64, row[c].i);
            rc = yaa_db__cell_set(&row[c], YAA_DB_INT, num, strlen(num));
            break;
        case SQLITE_FLOAT:
            row[c].d = sqlite3_column_double(s, col);
            row[c].i = (int64_t)row[c].d;
            snprintf(num, sizeof num, "%.17g", row[c].d);
            rc = yaa_db__cell_set(&row[c], YAA_DB_REAL, num, strlen(num));
            break;
        case SQLITE_TEXT:
            rc = yaa_db__cell_set(&row[c], YAA_DB_TEXT, sqlite3_column_text(s, col),
                                  (size_t)sqlite3_column_bytes(s, col));
            break;
        case SQLITE_BLOB:
            rc = yaa_db__cell_set(&row[c], YAA_DB_BLOB, sqlite3_column_blob(s, col),
                                  (size_t)sqlite3_column_bytes(s, col));
            break;
        default: break;
        }
        if (rc) return rc;
    }
    return 0;
}

/* Counts a commit that wrote: a writing statement outside a transaction, or the
 * COMMIT/ROLLBACK ending a transaction that wrote (COMMIT itself is a "read-only" statement
 * to SQLite, so c->wrote carries the writes to the end). */
static void note_writes(lite_state *st, lite_conn *c) {
    if (c->wrote && sqlite3_get_autocommit(c->h)) {
        c->wrote = false;
        atomic_fetch_add(&st->generation, 1);
    }
}

static int lite_exec(void *state, void *conn, const char *sql, const yaa_db_val *p, size_t n,
                     yaa_db_rows **rows, int64_t *changes, int pinned, yaa_err *err) {
    (void)pinned;
    lite_conn *c = conn;
    sqlite3 *h = c->h;
    sqlite3_stmt *s = NULL;
    int r = stmt_get(c, sql, &s, err);
    if (r) return r;
    /* BEGIN IMMEDIATE is not read-only to SQLite (it takes the write lock) but writes nothing */
    if (!sqlite3_stmt_readonly(s) && strncmp(sql, "BEGIN", 5) != 0) c->wrote = true;
    r = bind_all(h, s, p, n, err);
    yaa_db_rows *out = NULL;
    while (!r) {
        int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            r = lite_err(h, rc, "statement", err);
            break;
        }
        /* Columns are read after the first step: a schema change re-prepares the statement
         * there (SELECT * may have gained columns). */
        if (rows && !out) {
            size_t nc = (size_t)sqlite3_column_count(s);
            out = yaa_db__rows_new(nc);
            if (!out) r = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            for (size_t i = 0; !r && i < nc; i++)
                if (yaa_db__rows_setname(out, i, sqlite3_column_name(s, (int)i)))
                    r = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        }
        if (r || rc == SQLITE_DONE) break;
        if (out && add_row(s, out)) r = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    /* Reset at once: a statement left mid-way would hold its read transaction open. */
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    note_writes(state, c);
    if (r) {
        yaa_db_rows_free(out);
        return r;
    }
    if (changes) *changes = sqlite3_changes64(h);
    if (rows) *rows = out;
    return 0;
}

static int lite_script(void *state, void *conn, const char *sql, yaa_err *err) {
    lite_conn *c = conn;
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    c->wrote = true; /* a script (migrations, DDL) is taken to write */
    note_writes(state, c);
    if (rc != SQLITE_OK) return lite_err(c->h, rc, "script", err);
    return 0;
}

static int lite_generation(void *state, void *conn, uint64_t *gen) {
    lite_state *st = state;
    lite_conn *c = conn;
    yaa_err ignored = {0};
    sqlite3_stmt *s = NULL;
    if (stmt_get(c, "PRAGMA data_version", &s, &ignored)) return YAA_EDB;
    int rc = sqlite3_step(s);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) return YAA_EDB;
    /* read after the check: a commit seen here is in every generation handed out from now */
    if (v != c->seen_version) {
        c->seen_version = v;
        atomic_fetch_add(&st->generation, 1);
    }
    *gen = atomic_load(&st->generation);
    return 0;
}

const yaa_db_drv yaa_db__sqlite = {
    .name = "sqlite",
    .variant = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .acquire = lite_acquire,
    .release = lite_release,
    .exec = lite_exec,
    .script = lite_script,
    .generation = lite_generation,
    .begin_sql = "BEGIN IMMEDIATE",
};
