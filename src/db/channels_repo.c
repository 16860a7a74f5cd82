/* channels_repo.c - channels: kept in step with channels/<id>/ on disk (upsert), listed,
 * edited and soft-deleted (deleted_at). */
#include <string.h>

#include "db/repo.h"
#include "db/repo_internal.h"

#define CHANNEL_COLS                                                                        \
    "SELECT id, name, category, description, language, created_at, updated_at, deleted_at " \
    "FROM channels"

static const yaa_db__field channel_fields[] = {
    YAA_DB__FIELD(yaa_db_channel, id),         YAA_DB__FIELD(yaa_db_channel, name),
    YAA_DB__FIELD(yaa_db_channel, category),   YAA_DB__FIELD(yaa_db_channel, description),
    YAA_DB__FIELD(yaa_db_channel, language),   YAA_DB__FIELD(yaa_db_channel, created_at),
    YAA_DB__FIELD(yaa_db_channel, updated_at), YAA_DB__FIELD(yaa_db_channel, deleted_at),
};

static int map(const yaa_db_rows *r, size_t i, yaa_arena *a, yaa_db_channel *o) {
    memset(o, 0, sizeof *o);
    return yaa_db__map_row(r, i, a, YAA_DB__FIELDS(channel_fields), o);
}

int yaa_db_channels_upsert(yaa_db *db, const yaa_db_channel *c, yaa_err *err) {
    if (!c->id || !*c->id || !c->name)
        return yaa_err_set(err, YAA_EINVAL, "a channel needs an id and a name");
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(
        db,
        "INSERT INTO channels (id, name, category, description, language, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "name = excluded.name, category = excluded.category, "
        "description = excluded.description, language = excluded.language, "
        "updated_at = excluded.updated_at, deleted_at = NULL",
        YAA_DB_ARGS(yaa_db_text(c->id), yaa_db_text(c->name),
                    yaa_db_text(c->category ? c->category : "general"),
                    yaa_db_text(c->description ? c->description : ""),
                    yaa_db_text(c->language ? c->language : "en"), yaa_db_text(now),
                    yaa_db_text(now)),
        NULL, err);
}

int yaa_db_channels_get(yaa_db *db, const char *id, bool include_deleted, yaa_arena *a,
                        yaa_db_channel *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          include_deleted ? CHANNEL_COLS " WHERE id = ?"
                                          : CHANNEL_COLS " WHERE id = ? AND deleted_at IS NULL",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (!rc && yaa_db_rows_count(r) == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found", id ? id : "");
    if (!rc && map(r, 0, a, out)) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_channels_list(yaa_db *db, yaa_arena *a, yaa_db_channel **items, size_t *n,
                         yaa_err *err) {
    *items = NULL;
    *n = 0;
    yaa_db_rows *r = NULL;
    int rc =
        yaa_db_query(db, CHANNEL_COLS " WHERE deleted_at IS NULL ORDER BY id", NULL, 0, &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(channel_fields), sizeof **items, items, n, err);
}

int yaa_db_channels_update(yaa_db *db, const char *id, const char *name, const char *category,
                           const char *description, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t changes = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE channels SET name = COALESCE(?, name), "
                         "category = COALESCE(?, category), "
                         "description = COALESCE(?, description), updated_at = ? "
                         "WHERE id = ? AND deleted_at IS NULL",
                         YAA_DB_ARGS(yaa_db_text(name), yaa_db_text(category),
                                     yaa_db_text(description), yaa_db_text(now), yaa_db_text(id)),
                         &changes, err);
    if (!rc && changes == 0) rc = yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found", id);
    return rc;
}

int yaa_db_channels_delete(yaa_db *db, const char *id, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t changes = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE channels SET deleted_at = ?, updated_at = ? "
                         "WHERE id = ? AND deleted_at IS NULL",
                         YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(now), yaa_db_text(id)), &changes,
                         err);
    if (!rc && changes == 0) rc = yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found", id);
    return rc;
}
