/* repo_internal.h - internals shared by the repositories: a WHERE-clause builder with its bound
 * parameters, and copying result cells into the caller's arena. */
#ifndef YAA_DB_REPO_INTERNAL_H
#define YAA_DB_REPO_INTERNAL_H

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YAA__Q_MAX 24

typedef struct yaa_db__q {
    yaa_buf where; /* " WHERE a = ? AND b = ?" or "" */
    yaa_db_val params[YAA__Q_MAX];
    size_t n;
    char times[4][YAA_DB_TIME_LEN + 1]; /* normalised time bounds live here */
    int ntimes;
    int oom;
} yaa_db__q;

void yaa_db__q_init(yaa_db__q *q);
void yaa_db__q_free(yaa_db__q *q);
/* Adds "AND <cond>" with one bound value for the `?` in cond (if any). */
void yaa_db__q_and(yaa_db__q *q, const char *cond, yaa_db_val v);
void yaa_db__q_and2(yaa_db__q *q, const char *cond, yaa_db_val a, yaa_db_val b);
/* Adds cond with a time bound normalised to the storage form; fails on a bad time. */
int yaa_db__q_and_time(yaa_db__q *q, const char *cond, const char *field, const char *t,
                       yaa_err *err);
/* Runs "SELECT COUNT(*) <from><where>" into *total. */
int yaa_db__q_count(yaa_db *db, yaa_db__q *q, const char *from, int64_t *total, yaa_err *err);
/* Runs "<select><where> <tail>" (tail: ORDER BY / LIMIT ? OFFSET ?, extra params appended). */
int yaa_db__q_rows(yaa_db *db, yaa_db__q *q, const char *select, const char *tail,
                   const yaa_db_val *extra, size_t nextra, yaa_db_rows **rows, yaa_err *err);

/* Arena copy of a text cell (NULL for SQL NULL); sets *oom on failure. */
const char *yaa_db__cell(yaa_arena *a, const yaa_db_rows *r, size_t row, const char *col, int *oom);
int64_t yaa_db__cell_int(const yaa_db_rows *r, size_t row, const char *col);
double yaa_db__cell_real(const yaa_db_rows *r, size_t row, const char *col);

/* A record's column: the result column named like the member, copied into the member by its
 * type (text into the arena, int64_t, bool from 0/1, double). One table of these per record
 * maps a row in one place; a member of another type does not compile. */
typedef enum { YAA_DB__STR, YAA_DB__I64, YAA_DB__BOOL, YAA_DB__REAL } yaa_db__type;
typedef struct yaa_db__field {
    const char *col;
    size_t off;
    yaa_db__type type;
} yaa_db__field;
#define YAA_DB__FIELD(rec, member)                                               \
    {                                                                            \
#member, offsetof(rec, member),                                                \
     _Generic(((rec *)0)->member, const char *: YAA_DB__STR, int64_t: YAA_DB__I64, \
              bool: YAA_DB__BOOL, double: YAA_DB__REAL) \
    }
#define YAA_DB__FIELDS(table) table, sizeof table / sizeof table[0]

/* Row i of r into the members of *rec the table names; 0 or YAA_ENOMEM. */
int yaa_db__map_row(const yaa_db_rows *r, size_t i, yaa_arena *a, const yaa_db__field *f, size_t nf,
                    void *rec);
/* Every row of r into a fresh arena array of records of size sz (NULL when there is none),
 * stored in *(T **)items, the count in *n; frees r. 0, or YAA_ENOMEM with err set. */
int yaa_db__map_rows(yaa_db_rows *r, yaa_arena *a, const yaa_db__field *f, size_t nf, size_t sz,
                     void *items, size_t *n, yaa_err *err);

/* A fresh array of n elements of size sz in the arena (NULL when n is 0). */
void *yaa_db__arr(yaa_arena *a, size_t n, size_t sz, int *oom);

/* Clamp list paging: limit <= 0 means default, capped at max; offset >= 0. */
void yaa_db__page(int64_t *limit, int64_t *offset, int64_t def, int64_t max);

#endif
