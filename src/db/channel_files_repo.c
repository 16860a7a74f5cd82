/* channel_files_repo.c - channel_revisions and channel_files (channel_files_repo.h). */
#include "db/channel_files_repo.h"

#include "db/repo_internal.h"

#include <string.h>

#define REV_COLS                                                                               \
    "SELECT r.channel_id, r.revision, r.created_at, r.note, (SELECT COUNT(*) FROM "            \
    "channel_files f WHERE f.channel_id = r.channel_id AND f.revision = r.revision) AS files " \
    "FROM channel_revisions r"

static const yaa_db__field rev_fields[] = {
    YAA_DB__FIELD(yaa_db_chrev, channel_id), YAA_DB__FIELD(yaa_db_chrev, revision),
    YAA_DB__FIELD(yaa_db_chrev, created_at), YAA_DB__FIELD(yaa_db_chrev, note),
    YAA_DB__FIELD(yaa_db_chrev, files),
};

int yaa_db_chfiles_current(yaa_db *db, const char *id, yaa_db_chrev *out, yaa_arena *a,
                           yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, REV_COLS " WHERE r.channel_id = ? ORDER BY r.revision DESC LIMIT 1",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    yaa_db_chrev *items = NULL;
    size_t n = 0;
    if ((rc = yaa_db__map_rows(r, a, YAA_DB__FIELDS(rev_fields), sizeof *items, &items, &n, err)))
        return rc;
    if (!n) return yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' is not in the database", id);
    *out = items[0];
    return 0;
}

int yaa_db_chfiles_heads(yaa_db *db, yaa_arena *a, yaa_db_chrev **items, size_t *n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          REV_COLS " WHERE r.revision = (SELECT MAX(revision) FROM "
                                   "channel_revisions m WHERE m.channel_id = r.channel_id) "
                                   "ORDER BY r.channel_id",
                          NULL, 0, &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(rev_fields), sizeof **items, items, n, err);
}

int yaa_db_chfiles_revisions(yaa_db *db, const char *id, int64_t limit, yaa_arena *a,
                             yaa_db_chrev **items, size_t *n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, REV_COLS " WHERE r.channel_id = ? ORDER BY r.revision DESC LIMIT ?",
                          YAA_DB_ARGS(yaa_db_text(id), yaa_db_int(limit)), &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(rev_fields), sizeof **items, items, n, err);
}

static const yaa_db__field file_fields[] = {
    YAA_DB__FIELD(yaa_db_chfile, path),
    YAA_DB__FIELD(yaa_db_chfile, size),
    YAA_DB__FIELD(yaa_db_chfile, sha256),
    YAA_DB__FIELD(yaa_db_chfile, object_key),
};

int yaa_db_chfiles_list(yaa_db *db, const char *id, int64_t revision, bool with_content,
                        yaa_arena *a, yaa_db_chfile **items, size_t *n, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          with_content
                              ? "SELECT path, size, sha256, object_key, content FROM channel_files "
                                "WHERE channel_id = ? AND revision = ? ORDER BY path"
                              : "SELECT path, size, sha256, object_key FROM channel_files "
                                "WHERE channel_id = ? AND revision = ? ORDER BY path",
                          YAA_DB_ARGS(yaa_db_text(id), yaa_db_int(revision)), &r, err);
    if (rc) return rc;
    size_t cnt = yaa_db_rows_count(r);
    int oom = 0;
    yaa_db_chfile *it = yaa_db__arr(a, cnt, sizeof *it, &oom);
    for (size_t i = 0; i < cnt && !oom; i++) {
        memset(&it[i], 0, sizeof it[i]);
        oom = yaa_db__map_row(r, i, a, YAA_DB__FIELDS(file_fields), &it[i]) != 0;
        if (with_content && !yaa_db_is_null(r, i, 4)) {
            size_t len = 0;
            const void *p = yaa_db_get_blob(r, i, 4, &len);
            void *copy = yaa_arena_alloc(a, len + 1);
            if (!copy) {
                oom = 1;
                break;
            }
            if (len) memcpy(copy, p, len);
            ((char *)copy)[len] = '\0';
            it[i].content = copy;
            it[i].content_len = len;
        }
    }
    yaa_db_rows_free(r);
    if (oom) return YAA_ENOMEM;
    *items = it;
    *n = cnt;
    return 0;
}

typedef struct commit_args {
    const char *id;
    const char *note;
    int64_t base;
    const yaa_db_chfile *files;
    size_t n;
    int64_t rev;
} commit_args;

static int commit_tx(yaa_db *tx, void *arg, yaa_err *err) {
    commit_args *c = arg;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(tx,
                          "SELECT COALESCE(MAX(revision), 0) FROM channel_revisions WHERE "
                          "channel_id = ?",
                          YAA_DB_ARGS(yaa_db_text(c->id)), &r, err);
    if (rc) return rc;
    int64_t head = yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    if (c->base != YAA_DB_CHREV_ANY && head != c->base)
        return yaa_err_set(err, YAA_ECONFLICT,
                           "channel '%s' was changed meanwhile (revision %lld is current, this "
                           "edit was made on revision %lld): read the channel again and repeat "
                           "the edit",
                           c->id, (long long)head, (long long)c->base);
    c->rev = head + 1;
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    /* The primary key makes a concurrent writer of the same number fail (YAA_EEXIST): with
     * a base that writer edited a revision that is no longer current. */
    rc = yaa_db_exec(tx,
                     "INSERT INTO channel_revisions (channel_id, revision, created_at, note) "
                     "VALUES (?, ?, ?, ?)",
                     YAA_DB_ARGS(yaa_db_text(c->id), yaa_db_int(c->rev), yaa_db_text(now),
                                 yaa_db_text(c->note ? c->note : "")),
                     NULL, err);
    if (rc == YAA_EEXIST)
        return yaa_err_set(err, YAA_ECONFLICT,
                           "channel '%s' was changed meanwhile (revision %lld was stored by "
                           "another writer): read the channel again and repeat the edit",
                           c->id, (long long)c->rev);
    for (size_t i = 0; !rc && i < c->n; i++) {
        const yaa_db_chfile *f = &c->files[i];
        rc = yaa_db_exec(
            tx,
            "INSERT INTO channel_files (channel_id, revision, path, size, sha256, "
            "content, object_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            YAA_DB_ARGS(yaa_db_text(c->id), yaa_db_int(c->rev), yaa_db_text(f->path),
                        yaa_db_int(f->size), yaa_db_text(f->sha256),
                        f->content ? yaa_db_blob(f->content, f->content_len) : yaa_db_null(),
                        yaa_db_text(f->object_key)),
            NULL, err);
    }
    return rc;
}

int yaa_db_chfiles_commit(yaa_db *db, const char *id, const char *note, int64_t base,
                          const yaa_db_chfile *files, size_t n, int64_t *revision, yaa_err *err) {
    commit_args c = {id, note, base, files, n, 0};
    int rc = yaa_db_tx(db, commit_tx, &c, err);
    if (!rc && revision) *revision = c.rev;
    return rc;
}
