/* dbtest.h - a fresh SQLite database with every migration applied, for unit tests
 * (header-only; link the test with yaa_db):
 *
 *   #include "lib/dbtest.h"
 *   yaa_db *db = yaa_dbtest_sqlite(dir);   // sqlite:///<dir>/yaa.db, migrated; NULL on failure
 *
 * On failure the reason is printed on stderr and NULL returned, so a cmocka setup can return
 * -1 and a test can assert_non_null. */
#ifndef YAA_TESTS_DBTEST_H
#define YAA_TESTS_DBTEST_H

#include "test_util.h"

#include "db/db.h"
#include "db/migrate.h"

static inline yaa_db *yaa_dbtest_sqlite(const char *dir) {
    char url[PATH_MAX + 32], mig[PATH_MAX];
    snprintf(url, sizeof url, "sqlite:///%s/yaa.db", dir);
    snprintf(mig, sizeof mig, "%s/migrations", yaa_test_source_dir());
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) != 0 || yaa_db_upgrade(db, mig, -1, NULL, &err) != 0) {
        fprintf(stderr, "test database in %s: %s\n", dir, err.msg);
        yaa_db_close(db);
        return NULL;
    }
    return db;
}

#endif
