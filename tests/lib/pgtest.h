/* pgtest.h - a throwaway PostgreSQL for C integration tests (header-only; wraps the
 * tests/lib/pg-start and pg-stop scripts).
 *
 *   #include "lib/pgtest.h"            // tests/ is on the include path of every test
 *
 *   static yaa_pgtest pg;
 *   int main(void) {
 *       if (yaa_pgtest_start(&pg) != 0) return YAA_PGTEST_SKIP;   // 77: see below
 *       char url[512];
 *       yaa_pgtest_createdb(&pg, "t_runs", url, sizeof url);     // a fresh database
 *       ... yaa_db_open(url, ...) ... DATABASE_URL=url for a child `yaa serve` ...
 *       yaa_pgtest_stop(&pg);                                     // stops it, removes its dir
 *   }
 *
 * - yaa_pgtest_start returns 0, YAA_PGTEST_SKIP (77) when PostgreSQL is not installed, or -1
 *   when it failed to start (the reason is on stderr). Register the test in CMake with
 *   `SKIP_RETURN_CODE 77` if skipping is acceptable; the db tests treat 77 as a failure.
 * - With YAA_TEST_PG_URL set (e.g. postgresql://postgres@127.0.0.1:5432/postgres, a
 *   superuser), that server is used instead and nothing is started or stopped.
 * - Each database from yaa_pgtest_createdb is created empty (dropped first if it exists).
 * - The scripts are found through $YAA_SOURCE_DIR (CTest sets it) or the compile-time
 *   YAA_SOURCE_DIR. Link the test with yaa_db (libpq).
 */
#ifndef YAA_TESTS_PGTEST_H
#define YAA_TESTS_PGTEST_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

#define YAA_PGTEST_SKIP 77

typedef struct yaa_pgtest {
    char url[512]; /* the maintenance database: postgresql://postgres@127.0.0.1:PORT/postgres */
    char dir[PATH_MAX];
    int external; /* from YAA_TEST_PG_URL: not ours to stop */
} yaa_pgtest;

static inline const char *yaa_pgtest__src(void) {
    const char *s = getenv("YAA_SOURCE_DIR");
    return s && *s ? s : YAA_SOURCE_DIR;
}

static inline void yaa_pgtest__copy(char *dst, size_t n, const char *src) {
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

static inline int yaa_pgtest_start(yaa_pgtest *pg) {
    memset(pg, 0, sizeof *pg);
    const char *ext = getenv("YAA_TEST_PG_URL");
    if (ext && *ext) {
        snprintf(pg->url, sizeof pg->url, "%s", ext);
        pg->external = 1;
        return 0;
    }
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "'%s/tests/lib/pg-start'", yaa_pgtest__src());
    FILE *p = popen(cmd, "r");
    if (!p) {
        perror("pgtest: popen");
        return -1;
    }
    char line[PATH_MAX + 64];
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "PGTEST_URL=", 11) == 0)
            yaa_pgtest__copy(pg->url, sizeof pg->url, line + 11);
        else if (strncmp(line, "PGTEST_DIR=", 11) == 0)
            yaa_pgtest__copy(pg->dir, sizeof pg->dir, line + 11);
    }
    int st = pclose(p);
    int code = st >= 0 && (st & 0x7f) == 0 ? (st >> 8) & 0xff : -1;
    if (code == YAA_PGTEST_SKIP) {
        fprintf(stderr, "pgtest: PostgreSQL is not installed\n");
        return YAA_PGTEST_SKIP;
    }
    if (code != 0 || !pg->url[0] || !pg->dir[0]) {
        fprintf(stderr, "pgtest: pg-start failed (exit %d)\n", code);
        return -1;
    }
    return 0;
}

/* Creates (or re-creates) database `name` ([a-z0-9_] only) and writes its URL to url. */
static inline int yaa_pgtest_createdb(yaa_pgtest *pg, const char *name, char *url, size_t n) {
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return -1;
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(pg->url, &db, &err) != 0) {
        fprintf(stderr, "pgtest: %s\n", err.msg);
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    int rc = yaa_db_exec_script(db, sql, &err);
    if (!rc) {
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
        rc = yaa_db_exec_script(db, sql, &err);
    }
    yaa_db_close(db);
    if (rc) {
        fprintf(stderr, "pgtest: %s\n", err.msg);
        return -1;
    }
    /* Swap the database name at the end of the maintenance URL. */
    char base[512];
    snprintf(base, sizeof base, "%s", pg->url);
    char *q = strchr(base, '?');
    char query[256] = "";
    if (q) {
        snprintf(query, sizeof query, "%s", q);
        *q = '\0';
    }
    char *slash = strrchr(base, '/');
    if (slash && slash > strstr(base, "://") + 2) *slash = '\0';
    char full[1024];
    snprintf(full, sizeof full, "%s/%s%s", base, name, query);
    yaa_pgtest__copy(url, n, full);
    return 0;
}

static inline void yaa_pgtest_stop(yaa_pgtest *pg) {
    if (pg->external || !pg->dir[0]) return;
    char cmd[2 * PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "'%s/tests/lib/pg-stop' '%s'", yaa_pgtest__src(), pg->dir);
    if (system(cmd) != 0) fprintf(stderr, "pgtest: pg-stop %s failed\n", pg->dir);
    pg->dir[0] = '\0';
}

#endif
