/* channel_files_repo.h - channels kept in the database (CHANNELS_STORE=db): revisions of a
 * channel folder, each holding every file (small ones inline, large ones as artifact-store
 * keys). See migrations/0051_channel_files.up.sqlite.sql. */
#ifndef YAA_DB_CHANNEL_FILES_REPO_H
#define YAA_DB_CHANNEL_FILES_REPO_H

#include "core/arena.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct yaa_db_chfile {
    const char *path; /* relative to the channel folder: "config.yaml", "knowledge/a.md" */
    int64_t size;
    const char *sha256;
    const void *content; /* inline bytes (NULL when stored under object_key) */
    size_t content_len;
    const char *object_key; /* artifact-store key of a large file, else NULL */
} yaa_db_chfile;

typedef struct yaa_db_chrev {
    const char *channel_id;
    int64_t revision;
    const char *created_at;
    const char *note;
    int64_t files; /* 0 = the channel was deleted in this revision */
} yaa_db_chrev;

/* The current (highest) revision of channel id and its file count; YAA_ENOTFOUND when the
 * channel was never stored. */
int yaa_db_chfiles_current(yaa_db *db, const char *id, yaa_db_chrev *out, yaa_arena *a,
                           yaa_err *err);
/* Current revision of every stored channel (deleted ones have files = 0), by id. */
int yaa_db_chfiles_heads(yaa_db *db, yaa_arena *a, yaa_db_chrev **items, size_t *n, yaa_err *err);
/* Revisions of channel id, newest first (at most limit). */
int yaa_db_chfiles_revisions(yaa_db *db, const char *id, int64_t limit, yaa_arena *a,
                             yaa_db_chrev **items, size_t *n, yaa_err *err);
/* Files of one revision, by path; content is read only when with_content. */
int yaa_db_chfiles_list(yaa_db *db, const char *id, int64_t revision, bool with_content,
                        yaa_arena *a, yaa_db_chfile **items, size_t *n, yaa_err *err);
/* Any current revision is fine (an import from the operator's folders: the folder wins). */
#define YAA_DB_CHREV_ANY (-1)

/* Stores files[0..n) as the next revision of channel id (the whole folder: n = 0 marks the
 * channel deleted), in one transaction; *revision gets its number. base is the revision the
 * folder was edited from (0: the channel has no revision yet), checked inside the
 * transaction: when another writer stored a newer one since (another API host), the commit
 * is refused with YAA_ECONFLICT naming both numbers, and the caller reads the channel again
 * instead of silently reverting the other edit. YAA_DB_CHREV_ANY skips the check. Two
 * writers racing on one base: one wins, the other gets YAA_ECONFLICT. */
int yaa_db_chfiles_commit(yaa_db *db, const char *id, const char *note, int64_t base,
                          const yaa_db_chfile *files, size_t n, int64_t *revision, yaa_err *err);

#endif
