/* db.h - yaa's one database interface: SQLite and PostgreSQL drivers behind the same calls.
 *
 *   yaa_db *db;
 *   if (yaa_db_open("sqlite:///./data/yaa.db", &db, &err)) ...   // or postgresql://u:p@h/db
 *   int64_t n;
 *   yaa_db_exec(db, "UPDATE pipeline_runs SET status = ? WHERE id = ?",
 *               YAA_DB_ARGS(yaa_db_text("running"), yaa_db_text(id)), &n, &err);
 *   yaa_db_rows *r;
 *   yaa_db_query(db, "SELECT id, attempts FROM jobs WHERE status = ?",
 *                YAA_DB_ARGS(yaa_db_text("queued")), &r, &err);
 *   for (size_t i = 0; i < yaa_db_rows_count(r); i++)
 *       printf("%s %lld\n", yaa_db_get_text(r, i, 0), (long long)yaa_db_get_int(r, i, 1));
 *   yaa_db_rows_free(r);
 *   yaa_db_close(db);
 *
 * - Statements are parameterised only, with `?` placeholders (the PostgreSQL driver rewrites
 *   them to $1, $2, ...; a `?` inside quotes or comments is left alone). No parameters:
 *   pass NULL, 0.
 * - Results are fully materialised; getters convert between types where it makes sense
 *   (an INTEGER column read as text gives its decimal form; NULL reads as NULL / 0 / 0.0).
 * - Thread-safe: every call takes a connection from the handle's pool for its duration
 *   (SQLite: one connection per concurrent thread, WAL, busy_timeout 5000, foreign_keys ON;
 *   PostgreSQL: up to YAA_DB_PG_POOL connections, connect_timeout 5s, a dropped connection
 *   is reset and the statement retried once outside transactions).
 * - yaa_db_tx runs a callback on one pinned connection inside a transaction (BEGIN IMMEDIATE
 *   on SQLite): commit if it returns 0, roll back otherwise. The `db` the callback receives
 *   is a view on that connection; pass it to any yaa_db_* call or repository.
 * - Errors: YAA_EEXIST (unique/primary key violation), YAA_EINVAL (foreign key, check or not
 *   null violation), YAA_EUNAVAILABLE (database locked/busy past the timeout, server down),
 *   YAA_EDB (anything else). Messages never contain passwords.
 * - Timestamps are stored as TEXT in one sortable RFC 3339 UTC form with microseconds,
 *   "2026-02-06T10:00:00.123456Z" (yaa_db_now / yaa_db_time), on both drivers.
 */
#ifndef YAA_DB_DB_H
#define YAA_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/err.h"

typedef struct yaa_db yaa_db;
typedef struct yaa_db_rows yaa_db_rows;

typedef enum yaa_db_driver { YAA_DB_SQLITE = 1, YAA_DB_POSTGRES = 2 } yaa_db_driver;

typedef enum yaa_db_type {
    YAA_DB_NULL = 0,
    YAA_DB_INT,  /* int64_t */
    YAA_DB_REAL, /* double */
    YAA_DB_TEXT, /* UTF-8, NUL-terminated */
    YAA_DB_BLOB  /* bytes */
} yaa_db_type;

/* A parameter (and, inside the drivers, a result cell). Text and blob point at the
 * caller's memory, which must live until the call returns. */
typedef struct yaa_db_val {
    yaa_db_type type;
    int64_t i;
    double d;
    const void *p; /* text or blob */
    size_t n;      /* blob length (text: strlen) */
} yaa_db_val;

static inline yaa_db_val yaa_db_null(void) { return (yaa_db_val){.type = YAA_DB_NULL}; }
static inline yaa_db_val yaa_db_int(int64_t v) { return (yaa_db_val){.type = YAA_DB_INT, .i = v}; }
static inline yaa_db_val yaa_db_real(double v) { return (yaa_db_val){.type = YAA_DB_REAL, .d = v}; }
/* A NULL s binds SQL NULL. */
static inline yaa_db_val yaa_db_text(const char *s) {
    return s ? (yaa_db_val){.type = YAA_DB_TEXT, .p = s} : (yaa_db_val){.type = YAA_DB_NULL};
}
static inline yaa_db_val yaa_db_blob(const void *p, size_t n) {
    return (yaa_db_val){.type = YAA_DB_BLOB, .p = p, .n = n};
}
static inline yaa_db_val yaa_db_bool(bool v) { return yaa_db_int(v ? 1 : 0); }

/* YAA_DB_ARGS(a, b, c) expands to `params, nparams` for the calls below. */
#define YAA_DB_ARGS(...)               \
    (const yaa_db_val[]){__VA_ARGS__}, \
        (sizeof((const yaa_db_val[]){__VA_ARGS__}) / sizeof(yaa_db_val))

#define YAA_DB_PG_POOL 8     /* PostgreSQL connections per handle */
#define YAA_DB_TIME_LEN 27   /* "2026-02-06T10:00:00.123456Z" */
#define YAA_DB_BUSY_MS 5000  /* SQLite busy_timeout */
#define YAA_DB_CONNECT_SEC 5 /* PostgreSQL connect_timeout (unless the URL sets one) */

/* Opens `sqlite:///relative/path.db`, `sqlite:////absolute/path.db` (the parent directory is
 * created) or `postgresql://user:pass@host:port/db?...` (`postgres://` too). The first
 * connection is made here, so a bad URL or unreachable server fails now. */
int yaa_db_open(const char *url, yaa_db **out, yaa_err *err);
/* Closes every pooled connection; NULL is fine. Not on a yaa_db_tx view. */
void yaa_db_close(yaa_db *db);

yaa_db_driver yaa_db_kind(const yaa_db *db);
/* "sqlite" or "postgresql" (the migration file variant suffix is "sqlite" / "pg"). */
const char *yaa_db_kind_name(const yaa_db *db);
/* Copies url with any password replaced by "***" (for logs and errors). */
void yaa_db_redact_url(const char *url, char *out, size_t n);

/* Runs one statement; *changes (may be NULL) gets the number of rows changed. */
int yaa_db_exec(yaa_db *db, const char *sql, const yaa_db_val *params, size_t nparams,
                int64_t *changes, yaa_err *err);
/* Runs one statement (SELECT, or anything with RETURNING) and materialises its rows.
 * *out is set on success (possibly with zero rows); free it with yaa_db_rows_free. */
int yaa_db_query(yaa_db *db, const char *sql, const yaa_db_val *params, size_t nparams,
                 yaa_db_rows **out, yaa_err *err);
/* Runs several ';'-separated statements without parameters (migrations, DDL). */
int yaa_db_exec_script(yaa_db *db, const char *sql, yaa_err *err);
/* Cheap liveness check ("SELECT 1") for /health. */
int yaa_db_ping(yaa_db *db, yaa_err *err);

/* The database's generation: a number that moves whenever the data may have changed since it
 * was last read, i.e. after any commit that wrote, through this handle or by any other
 * connection or process (`yaa keys revoke` in a shell included). What a reader derives from
 * the database may be kept under the generation read *before* reading it, and used while
 * yaa_db_generation still returns that number. SQLite: one `PRAGMA data_version` (no I/O when
 * nothing changed) plus a counter of this handle's own commits. False when the driver cannot
 * tell cheaply (PostgreSQL), inside a yaa_db_tx view, or on error: then do not cache. */
bool yaa_db_generation(yaa_db *db, uint64_t *gen);

/* The transaction helper. fn's `tx` is a view pinned to one connection; a yaa_db_tx on a
 * view just calls fn (no nesting). Returns fn's result, or the BEGIN/COMMIT error. */
typedef int (*yaa_db_tx_fn)(yaa_db *tx, void *arg, yaa_err *err);
int yaa_db_tx(yaa_db *db, yaa_db_tx_fn fn, void *arg, yaa_err *err);

/* Result rows. Row and column indexes are 0-based; out-of-range reads as NULL. */
size_t yaa_db_rows_count(const yaa_db_rows *r);
size_t yaa_db_rows_ncols(const yaa_db_rows *r);
const char *yaa_db_rows_colname(const yaa_db_rows *r, size_t col);
/* Index of a column by name, or -1. */
int yaa_db_rows_col(const yaa_db_rows *r, const char *name);
yaa_db_type yaa_db_get_type(const yaa_db_rows *r, size_t row, size_t col);
bool yaa_db_is_null(const yaa_db_rows *r, size_t row, size_t col);
/* NULL for SQL NULL; valid until yaa_db_rows_free. */
const char *yaa_db_get_text(const yaa_db_rows *r, size_t row, size_t col);
int64_t yaa_db_get_int(const yaa_db_rows *r, size_t row, size_t col);
double yaa_db_get_real(const yaa_db_rows *r, size_t row, size_t col);
bool yaa_db_get_bool(const yaa_db_rows *r, size_t row, size_t col);
/* Blob bytes (or text bytes) and their length; NULL and *n = 0 for SQL NULL. */
const void *yaa_db_get_blob(const yaa_db_rows *r, size_t row, size_t col, size_t *n);
/* strdup of a text cell, NULL for SQL NULL (or out of memory). */
char *yaa_db_dup_text(const yaa_db_rows *r, size_t row, size_t col);
void yaa_db_rows_free(yaa_db_rows *r);

/* Storage timestamps: now, and t (seconds) in the storage form. */
void yaa_db_now(char out[YAA_DB_TIME_LEN + 1]);
void yaa_db_time(time_t t, char out[YAA_DB_TIME_LEN + 1]);
/* Normalises any RFC 3339 / date string the user gave ("2026-02-06", "...T10:00:00+09:00")
 * to the storage form so that it compares correctly with stored values. */
int yaa_db_time_norm(const char *in, char out[YAA_DB_TIME_LEN + 1], yaa_err *err);
/* Storage form -> the contract's form "2026-02-06T10:00:00Z" (drops the fraction); NULL in
 * gives "" . */
void yaa_db_time_public(const char *stored, char out[21]);

#endif
