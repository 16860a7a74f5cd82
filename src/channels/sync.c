/* sync.c - keeps the `channels` table in step with CHANNELS_DIR: every channel folder is
 * upserted (only when something changed, so updated_at means a real change), and rows whose
 * folder has gone are soft-deleted. The files are the source of truth. */
#include "channels/channels.h"

#include "db/repo.h"

#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *root;
    yaa_channel_list *disk;
    yaa_channels_sync_stats *st;
} sync_arg;

static bool same(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

static int sync_tx(yaa_db *db, void *p, yaa_err *err) {
    sync_arg *arg = p;
    yaa_channels_sync_stats *st = arg->st;
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_channel *rows = NULL;
    size_t nrows = 0;
    int rc = yaa_db_channels_list(db, &a, &rows, &nrows, err);
    for (size_t i = 0; !rc && i < arg->disk->n; i++) {
        const yaa_channel_summary *s = &arg->disk->items[i];
        const yaa_db_channel *row = NULL;
        for (size_t j = 0; j < nrows && !row; j++)
            if (strcmp(rows[j].id, s->id) == 0) row = &rows[j];
        if (row && same(row->name, s->name) && same(row->category, s->category) &&
            same(row->description, s->description) && same(row->language, s->language)) {
            st->unchanged++;
            continue;
        }
        yaa_db_channel c = {.id = s->id,
                            .name = s->name,
                            .category = s->category,
                            .description = s->description,
                            .language = s->language};
        rc = yaa_db_channels_upsert(db, &c, err);
        if (!rc) st->upserted++;
    }
    for (size_t j = 0; !rc && j < nrows; j++) {
        bool on_disk = false;
        for (size_t i = 0; i < arg->disk->n && !on_disk; i++)
            on_disk = strcmp(rows[j].id, arg->disk->items[i].id) == 0;
        if (on_disk) continue;
        rc = yaa_db_channels_delete(db, rows[j].id, err);
        if (!rc) st->deleted++;
    }
    yaa_arena_free(&a);
    return rc;
}

int yaa_channels_sync(yaa_db *db, const char *root, yaa_channels_sync_stats *st, yaa_err *err) {
    yaa_channels_sync_stats local;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    /* A mistyped CHANNELS_DIR must not soft-delete every channel. */
    struct stat sb;
    if (stat(root, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return yaa_err_set(err, YAA_ENOTFOUND,
                           "CHANNELS_DIR %s is not a directory; channels not synced", root);
    yaa_channel_list disk;
    int rc = yaa_channels_list(root, &disk, err);
    if (rc) return rc;
    st->on_disk = disk.n;
    sync_arg arg = {root, &disk, st};
    rc = yaa_db_tx(db, sync_tx, &arg, err);
    if (rc) {
        yaa_err_prefix(err, "syncing channels with the database: ");
        memset(st, 0, sizeof *st);
        st->on_disk = disk.n;
    }
    yaa_channels_list_free(&disk);
    return rc;
}
