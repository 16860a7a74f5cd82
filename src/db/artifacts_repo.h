/* artifacts_repo.h - run_artifacts: which stored object is the current version of each file
 * of a run (S3 artifact store). See migrations/0050_run_artifacts.up.sql. */
#ifndef YAA_DB_ARTIFACTS_REPO_H
#define YAA_DB_ARTIFACTS_REPO_H

#include "core/arena.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct yaa_db_artifact {
    const char *name;       /* relative to the run folder: "video.mp4", "images/01.png" */
    const char *stage;      /* the stage whose attempt wrote it */
    int64_t attempt;        /* that stage's attempt */
    const char *object_key; /* the store key (without the store's prefix) */
    int64_t size;
    const char *sha256; /* 64 hex digits */
    const char *created_at;
} yaa_db_artifact;

/* Makes files[0..n) current for run_id in one transaction. A stale attempt never replaces
 * a newer one: when run_stages shows a later attempt of a file's stage has started, none of
 * that stage's files is published (kept_newer[i] = true, whatever the rows hold, also files
 * another stage wrote since and files only the stale attempt made); and a row already
 * pointing at a later attempt of the same stage is kept (kept_newer[i] = true). replaced[i] gets
 * the object key the row pointed at before, when it changed (the caller deletes that object), else
 * NULL; both arrays may be NULL. */
int yaa_db_artifacts_publish(yaa_db *db, const char *run_id, const yaa_db_artifact *files, size_t n,
                             yaa_arena *a, const char **replaced, bool *kept_newer, yaa_err *err);
/* Every current file of run_id, sorted by name (items in a; *n may be 0). */
int yaa_db_artifacts_list(yaa_db *db, const char *run_id, yaa_arena *a, yaa_db_artifact **items,
                          size_t *n, yaa_err *err);
/* One file; YAA_ENOTFOUND naming it when the run has no such file. */
int yaa_db_artifacts_get(yaa_db *db, const char *run_id, const char *name, yaa_arena *a,
                         yaa_db_artifact *out, yaa_err *err);
/* Forgets every file of run_id (after its objects were deleted). */
int yaa_db_artifacts_delete_run(yaa_db *db, const char *run_id, yaa_err *err);
/* One finished run whose artifacts are past retention, and the position to page from. */
typedef struct yaa_db_expired_run {
    const char *id;
    const char *updated_at;
} yaa_db_expired_run;

/* Finished runs (completed, failed, cancelled) last updated before cutoff (storage time
 * form), oldest first (then by id), at most limit, strictly after the run (after->updated_at,
 * after->id) when after is not NULL: the caller pages by passing the last run of the
 * previous page, so every expired run is seen once whatever it does with them.
 * stored_only: only runs with run_artifacts rows. */
int yaa_db_artifacts_expired_runs(yaa_db *db, const char *cutoff, bool stored_only,
                                  const yaa_db_expired_run *after, int64_t limit, yaa_arena *a,
                                  yaa_db_expired_run **runs, size_t *n, yaa_err *err);

#endif
