/* migrate.h - the migration runner: numbered up/down SQL files under migrations/, applied in
 * version order (gaps allowed) and recorded in schema_migrations (version, applied_at).
 *
 * Files: NNNN_name.up.sql and NNNN_name.down.sql run on both drivers; a driver-specific
 * variant NNNN_name.up.pg.sql / NNNN_name.up.sqlite.sql (same for .down) replaces the plain
 * file on that driver. Each migration runs in its own transaction together with its
 * schema_migrations row. Number ranges: 0001-0009 core tables, 0010-0019 RAG,
 * 0020-0029 usage/cost, 0030-0039 queue.
 */
#ifndef YAA_DB_MIGRATE_H
#define YAA_DB_MIGRATE_H

#include <limits.h>
#include <stdbool.h>

#include "db/db.h"

typedef struct yaa_migration {
    long version;
    char name[128];  /* "init" of 0001_init.up.sql ("" if only recorded in the database) */
    char *up_path;   /* the file this driver runs, or NULL */
    char *down_path; /* or NULL */
    bool applied;
    char applied_at[YAA_DB_TIME_LEN + 1];
} yaa_migration;

typedef struct yaa_migrations {
    yaa_migration *items; /* sorted by version */
    size_t n;
} yaa_migrations;

/* The migrations directory: configured (the configuration's YAA_MIGRATIONS_DIR; must be a
 * directory) if not NULL/empty, else ./migrations, else YAA_SOURCE_DIR/migrations (compile
 * time). */
int yaa_db_migrations_dir(const char *configured, char *out, size_t n, yaa_err *err);

/* Files in yaa_db_migrations_dir(dir) merged with what the database records. */
int yaa_db_migrations_load(yaa_db *db, const char *dir, yaa_migrations *out, yaa_err *err);
void yaa_db_migrations_free(yaa_migrations *m);

/* Applies every pending migration with version <= target (target < 0: all); *count (may be
 * NULL) gets how many ran. */
int yaa_db_upgrade(yaa_db *db, const char *dir, long target, int *count, yaa_err *err);
/* Reverts applied migrations with version > target, newest first (target 0: all). */
int yaa_db_downgrade(yaa_db *db, const char *dir, long target, int *count, yaa_err *err);
/* Highest applied version, 0 when none. */
int yaa_db_current_version(yaa_db *db, long *version, yaa_err *err);

#endif
