/* db_internal.h - what db.c shares with the drivers: the driver table, the handle, rows. */
#ifndef YAA_DB_INTERNAL_H
#define YAA_DB_INTERNAL_H

#include <pthread.h>

#include "db/db.h"

/* A materialised cell: text/blob bytes are owned (text NUL-terminated). */
typedef struct yaa_db_cell {
    yaa_db_type type;
    int64_t i;
    double d;
    char *p;
    size_t n;
} yaa_db_cell;

struct yaa_db_rows {
    size_t nrows, ncols, cap;
    char **names;
    yaa_db_cell *cells; /* nrows * ncols */
};

/* Builders used by the drivers. */
yaa_db_rows *yaa_db__rows_new(size_t ncols);
int yaa_db__rows_setname(yaa_db_rows *r, size_t col, const char *name);
/* Appends a row of NULL cells and returns a pointer to its first cell, or NULL. */
yaa_db_cell *yaa_db__rows_add(yaa_db_rows *r);
/* Sets text/blob cell content (copied). */
int yaa_db__cell_set(yaa_db_cell *c, yaa_db_type type, const void *p, size_t n);

typedef struct yaa_db_drv {
    const char *name;    /* "sqlite" / "postgresql" */
    const char *variant; /* migration file suffix: "sqlite" / "pg" */
    int (*open)(const char *url, void **state, yaa_err *err);
    void (*close)(void *state);
    /* A connection for one call or transaction. */
    int (*acquire)(void *state, void **conn, yaa_err *err);
    void (*release)(void *state, void *conn);
    int (*exec)(void *state, void *conn, const char *sql, const yaa_db_val *p, size_t n,
                yaa_db_rows **rows, int64_t *changes, int pinned, yaa_err *err);
    int (*script)(void *state, void *conn, const char *sql, yaa_err *err);
    /* yaa_db_generation on this connection; NULL when the driver has no cheap check. */
    int (*generation)(void *state, void *conn, uint64_t *gen);
    const char *begin_sql;
} yaa_db_drv;

/* PostgreSQL placeholder rewriting (pg.c; exposed for tests and the fuzz target): ? -> $n
 * outside quotes, comments and $$ bodies. Returns the placeholder count, -1 on no memory. */
struct yaa_buf;
int yaa_db__pg_rewrite(const char *sql, struct yaa_buf *out);

extern const yaa_db_drv yaa_db__sqlite;
extern const yaa_db_drv yaa_db__pg;

struct yaa_db {
    const yaa_db_drv *drv;
    yaa_db_driver kind;
    void *state;
    void *pinned; /* non-NULL on a yaa_db_tx view */
};

#endif
