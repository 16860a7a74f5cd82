/* dbstore.c - channels kept in the database (CHANNELS_STORE=db), so hosts that share no disk
 * see the same channels.
 *
 * A channel is a folder (config.yaml, brand_guide.yaml, knowledge/, media/, music/...); the
 * database holds revisions of the whole folder (channel_files_repo.h): files up to
 * YAA_CHANNEL_INLINE_MAX inline, larger media in the artifact store under
 * channels/<id>/<sha256> (shared by every revision that keeps the file).
 *
 *   push    a folder on disk -> a new revision (when anything changed; a folder with
 *           problems is refused)
 *   export  a revision -> a folder (built beside it, then swapped in)
 *   pull    cfg->channels_dir (OUTPUT_DIR/.channels in db mode: a cache, never the
 *           operator's folders) brought to the current revisions; `.revision` in each
 *           folder says which one it holds (the API reads and edits these)
 *   open    a run's channel: the current revision pinned as .channels/.rev/<rev>/<id>,
 *           never rewritten, so an edit landing mid-run does not swap the music and media
 *           under it; pins unused for a day and no longer current are removed
 *
 * Readers in this process never see a half-written folder: pull and open hold one lock. */
#include "channels/channels.h"

#include "core/buf.h"
#include "core/host.h"
#include "core/log.h"
#include "db/channel_files_repo.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define YAA_CHANNEL_INLINE_MAX (1024 * 1024)
#define REV_FILE ".revision"
#define PIN_DIR ".rev"
/* A pinned revision no run opened for this long is removed once it is not current: runs
 * are far shorter (a run open longer than this could lose files it has not read yet). */
#define YAA_CHANNEL_PIN_KEEP_SEC (24 * 3600)

static pthread_mutex_t mat_mu = PTHREAD_MUTEX_INITIALIZER;

bool yaa_channels_in_db(const yaa_config *cfg) {
    return cfg && cfg->channels_store && strcmp(cfg->channels_store, "db") == 0;
}

/* A stored path is relative, with no empty, "." or ".." segment and no control byte. */
static bool path_safe(const char *p) {
    if (!p || !*p || *p == '/' || strlen(p) > 1000) return false;
    for (const char *s = p; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '\\') return false;
    const char *seg = p;
    for (;;) {
        const char *e = strchr(seg, '/');
        size_t l = e ? (size_t)(e - seg) : strlen(seg);
        if (l == 0 || (l == 1 && seg[0] == '.') || (l == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (!e) return true;
        seg = e + 1;
    }
}

static void rm_tree(const char *dir) { yaa_store_tree(dir, true, NULL); }

static int write_rev(const char *dir, int64_t rev) {
    char p[PATH_MAX + 16], v[32];
    snprintf(p, sizeof p, "%s/" REV_FILE, dir);
    int n = snprintf(v, sizeof v, "%lld\n", (long long)rev);
    return yaa_write_file(p, v, (size_t)n);
}

static int64_t read_rev(const char *dir) {
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/" REV_FILE, dir);
    char *data = NULL;
    size_t len = 0;
    if (yaa_read_file(p, 64, &data, &len)) return -1;
    long long v = strtoll(data, NULL, 10);
    free(data);
    return v;
}

/* ---- push: folder -> revision --------------------------------------------------------- */

typedef struct gather {
    const yaa_config *cfg;
    yaa_store *st; /* opened on the first large file */
    const char *id;
    yaa_arena *a;
    yaa_db_chfile *files;
    size_t n, cap;
    yaa_err *err;
} gather;

static int add_file(gather *g, const char *rel, const char *path) {
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        yaa_db_chfile *nf = yaa_arena_alloc(g->a, cap * sizeof *nf);
        if (!nf) return YAA_ENOMEM;
        if (g->n) memcpy(nf, g->files, g->n * sizeof *nf);
        g->files = nf;
        g->cap = cap;
    }
    yaa_db_chfile *f = &g->files[g->n];
    memset(f, 0, sizeof *f);
    f->path = yaa_arena_strdup(g->a, rel);
    char sha[YAA_SHA256_HEX];
    uint64_t size = 0;
    int rc = yaa_store_sha256_file(path, sha, &size, g->err);
    if (rc) return rc;
    f->size = (int64_t)size;
    f->sha256 = yaa_arena_strdup(g->a, sha);
    if (size <= YAA_CHANNEL_INLINE_MAX) {
        char *data = NULL;
        size_t len = 0;
        if (yaa_read_file(path, YAA_CHANNEL_INLINE_MAX + 1, &data, &len))
            return yaa_err_set(g->err, YAA_EIO, "cannot read %s", path);
        f->content = yaa_arena_alloc(g->a, len ? len : 1);
        if (!f->content) {
            free(data);
            return YAA_ENOMEM;
        }
        if (len) memcpy((void *)f->content, data, len);
        f->content_len = len;
        free(data);
    } else {
        if (!g->st && (rc = yaa_store_open(g->cfg, &g->st, g->err))) return rc;
        char *key = yaa_arena_sprintf(g->a, "channels/%s/%s", g->id, sha);
        yaa_store_stat ss;
        yaa_err ignore = {0};
        if (yaa_store_stat_key(g->st, key, &ss, &ignore) != 0 &&
            (rc = yaa_store_put_file(g->st, key, path, sha, g->err)))
            return yaa_err_prefix(g->err, "channel '%s': %s: ", g->id, rel), rc;
        f->object_key = key;
    }
    g->n++;
    return 0;
}

static int gather_dir(gather *g, const char *dir, const char *rel) {
    DIR *d = opendir(dir);
    if (!d) return yaa_err_set(g->err, YAA_EIO, "cannot read %s: %s", dir, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden files, .revision, editors' temp files */
        char path[PATH_MAX], name[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat s;
        if (stat(path, &s) != 0) continue;
        if (S_ISDIR(s.st_mode))
            rc = gather_dir(g, path, name);
        else if (S_ISREG(s.st_mode) && path_safe(name))
            rc = add_file(g, name, path);
    }
    closedir(d);
    return rc;
}

static bool same_files(const yaa_db_chfile *a, size_t na, const yaa_db_chfile *b, size_t nb) {
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++) {
        bool found = false;
        for (size_t j = 0; j < nb && !found; j++)
            found = strcmp(a[i].path, b[j].path) == 0 && strcmp(a[i].sha256, b[j].sha256) == 0;
        if (!found) return false;
    }
    return true;
}

/* The revision a folder being stored was edited from, checked by the commit so an edit
 * made on a stale copy never reverts a newer one. Only this process's cache (channels_dir
 * in db mode: what the API edits) has one: its `.revision` says which revision it holds; a
 * folder there without one is new (a channel created here), so the channel must not exist
 * in the database, or only as deleted. A deleted folder and the operator's own folders
 * (`yaa channels import DIR`) replace whatever is current. */
static int64_t edit_base(const yaa_config *cfg, const char *root, const char *dir,
                         const yaa_db_chrev *cur) {
    struct stat s;
    if (strcmp(root, cfg->channels_dir) != 0 || stat(dir, &s) != 0) return YAA_DB_CHREV_ANY;
    int64_t rev = read_rev(dir);
    if (rev >= 0) return rev;
    return cur && cur->files == 0 ? cur->revision : 0; /* 0 vs a live head: a conflict */
}

int yaa_channels_db_push(const yaa_config *cfg, yaa_db *db, const char *root, const char *id,
                         const char *note, int64_t *rev, bool *changed, yaa_err *err) {
    if (changed) *changed = false;
    if (!yaa_channels_id_valid(id))
        return yaa_err_set(err, YAA_EINVAL, "channel id '%.100s': use 1-100 of A-Z a-z 0-9 _ -",
                           id ? id : "");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    yaa_arena a;
    yaa_arena_init(&a, 64 * 1024);
    gather g = {.cfg = cfg, .id = id, .a = &a, .err = err};
    yaa_db_chrev cur = {0};
    yaa_err nf = {0};
    int have = yaa_db_chfiles_current(db, id, &cur, &a, &nf) == 0;
    struct stat s;
    int rc = 0;
    if (stat(dir, &s) == 0 && S_ISDIR(s.st_mode)) {
        yaa_channel *ch = NULL;
        if ((rc = yaa_channels_load(root, id, &ch, err))) goto done; /* problems: refused */
        yaa_channels_free(ch);
        if ((rc = gather_dir(&g, dir, ""))) goto done;
    } else if (!have || cur.files == 0) {
        rc = yaa_err_set(err, YAA_ENOTFOUND, "channel '%s': no folder %s", id, dir);
        goto done;
    }
    if (have) {
        yaa_db_chfile *old = NULL;
        size_t nold = 0;
        if ((rc = yaa_db_chfiles_list(db, id, cur.revision, false, &a, &old, &nold, err)))
            goto done;
        if (same_files(g.files, g.n, old, nold)) {
            if (rev) *rev = cur.revision;
            goto done;
        }
    }
    int64_t r = 0;
    if ((rc = yaa_db_chfiles_commit(db, id, note, edit_base(cfg, root, dir, have ? &cur : NULL),
                                    g.files, g.n, &r, err)))
        goto done;
    if (rev) *rev = r;
    if (changed) *changed = true;
    if (g.n && strcmp(root, cfg->channels_dir) == 0) write_rev(dir, r); /* the cache is current */
    yaa_log_ev(YAA_LOG_INFO, "channels",
               g.n ? "channel stored in the database" : "channel marked deleted in the database",
               YAA_F_STR("channel_id", id), YAA_F_INT("revision", (long long)r),
               YAA_F_INT("files", (long long)g.n), YAA_F_END);
done:
    yaa_store_close(g.st);
    yaa_arena_free(&a);
    return rc;
}

/* ---- export: revision -> folder ------------------------------------------------------- */

/* Writes revision rev of id into <root>/<id>, replacing what is there. */
static int export_locked(const yaa_config *cfg, yaa_db *db, const char *id, int64_t rev,
                         const char *root, bool mark, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 64 * 1024);
    yaa_db_chfile *files = NULL;
    size_t n = 0;
    yaa_store *st = NULL;
    char tmp[PATH_MAX], dst[PATH_MAX], old[PATH_MAX];
    /* CHANNELS_DIR may be shared by several hosts: the folders carry the host tag too */
    snprintf(dst, sizeof dst, "%s/.tmp-%s", root, id);
    int rc = yaa_host_temp_name(tmp, sizeof tmp, dst, NULL, NULL);
    snprintf(dst, sizeof dst, "%s/.old-%s", root, id);
    if (!rc) rc = yaa_host_temp_name(old, sizeof old, dst, NULL, NULL);
    if (rc) rc = yaa_err_set(err, YAA_ELIMIT, "channel '%s': folder name too long", id);
    snprintf(dst, sizeof dst, "%s/%s", root, id);
    if (!rc) rc = yaa_db_chfiles_list(db, id, rev, true, &a, &files, &n, err);
    if (!rc && n == 0) /* no such revision, or the one that deleted the channel */
        rc = yaa_err_set(err, YAA_ENOTFOUND,
                         "channel '%s' has no files at revision %lld (`yaa channels export` "
                         "without --revision takes the current one)",
                         id, (long long)rev);
    if (!rc && yaa_mkdirs(tmp, 0755)) rc = yaa_err_set(err, YAA_EIO, "cannot create %s", tmp);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!path_safe(files[i].path)) {
            rc = yaa_err_set(err, YAA_EINVAL, "channel '%s' revision %lld: unsafe path '%.200s'",
                             id, (long long)rev, files[i].path);
            break;
        }
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/%s", tmp, files[i].path);
        char *slash = strrchr(p, '/');
        *slash = '\0';
        int mk = yaa_mkdirs(p, 0755);
        *slash = '/';
        if (mk) {
            rc = yaa_err_set(err, YAA_EIO, "cannot create the folder of %s", p);
            break;
        }
        if (files[i].object_key) {
            if (!st && (rc = yaa_store_open(cfg, &st, err))) break;
            rc = yaa_store_get_file(st, files[i].object_key, p, files[i].sha256, err);
            if (rc) yaa_err_prefix(err, "channel '%s': %s: ", id, files[i].path);
        } else if (yaa_write_file(p, files[i].content ? files[i].content : "",
                                  files[i].content_len)) {
            rc = yaa_err_set(err, YAA_EIO, "cannot write %s", p);
        }
    }
    if (!rc && mark && write_rev(tmp, rev)) rc = yaa_err_set(err, YAA_EIO, "cannot write %s", tmp);
    if (!rc) {
        struct stat s;
        bool had = stat(dst, &s) == 0;
        if (had && rename(dst, old) != 0)
            rc = yaa_err_set(err, YAA_EIO, "cannot move %s aside: %s", dst, strerror(errno));
        else if (rename(tmp, dst) != 0)
            rc = yaa_err_set(err, YAA_EIO, "cannot move %s into place: %s", dst, strerror(errno));
        if (had) rm_tree(old);
    }
    if (rc) rm_tree(tmp);
    yaa_store_close(st);
    yaa_arena_free(&a);
    return rc;
}

int yaa_channels_db_export(const yaa_config *cfg, yaa_db *db, const char *id, int64_t rev,
                           const char *root, yaa_err *err) {
    if (!yaa_channels_id_valid(id))
        return yaa_err_set(err, YAA_EINVAL, "channel id '%.100s': use 1-100 of A-Z a-z 0-9 _ -",
                           id ? id : "");
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    int rc = 0;
    if (rev <= 0) {
        yaa_db_chrev cur;
        if (!(rc = yaa_db_chfiles_current(db, id, &cur, &a, err))) {
            rev = cur.revision;
            if (cur.files == 0)
                rc = yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' was deleted (revision %lld)", id,
                                 (long long)rev);
        }
    }
    yaa_arena_free(&a);
    if (!rc && yaa_mkdirs(root, 0755)) rc = yaa_err_set(err, YAA_EIO, "cannot create %s", root);
    if (!rc) rc = export_locked(cfg, db, id, rev, root, false, err);
    return rc;
}

/* ---- pull: the cache in step with the database ------------------------------------------ */

static int pull_one(const yaa_config *cfg, yaa_db *db, const yaa_db_chrev *head, yaa_err *err) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", cfg->channels_dir, head->channel_id);
    if (head->files == 0) {
        rm_tree(dir);
        return 0;
    }
    if (read_rev(dir) == head->revision) return 0;
    if (yaa_mkdirs(cfg->channels_dir, 0755))
        return yaa_err_set(err, YAA_EIO, "cannot create %s", cfg->channels_dir);
    return export_locked(cfg, db, head->channel_id, head->revision, cfg->channels_dir, true, err);
}

int yaa_channels_db_pull(const yaa_config *cfg, yaa_db *db, const char *id, yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 16 * 1024);
    int rc = 0;
    pthread_mutex_lock(&mat_mu);
    if (id) {
        yaa_db_chrev head;
        rc = yaa_db_chfiles_current(db, id, &head, &a, err);
        if (rc == YAA_ENOTFOUND || (!rc && head.files == 0)) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s/%s", cfg->channels_dir, id);
            rm_tree(dir);
            rc = yaa_err_set(err, YAA_ENOTFOUND,
                             "channel '%s' is not in the database (CHANNELS_STORE=db): import it "
                             "with `yaa channels import` or create it through the API",
                             id);
        } else if (!rc) {
            rc = pull_one(cfg, db, &head, err);
        }
    } else {
        yaa_db_chrev *heads = NULL;
        size_t n = 0;
        rc = yaa_db_chfiles_heads(db, &a, &heads, &n, err);
        for (size_t i = 0; !rc && i < n; i++) rc = pull_one(cfg, db, &heads[i], err);
        /* folders the database does not know are not channels any more */
        DIR *d = rc ? NULL : opendir(cfg->channels_dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.' || e->d_name[0] == '_' || !yaa_channels_id_valid(e->d_name))
                continue;
            bool known = false;
            for (size_t i = 0; i < n && !known; i++)
                known = strcmp(heads[i].channel_id, e->d_name) == 0;
            if (!known) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof dir, "%s/%s", cfg->channels_dir, e->d_name);
                rm_tree(dir);
            }
        }
        if (d) closedir(d);
    }
    pthread_mutex_unlock(&mat_mu);
    yaa_arena_free(&a);
    return rc;
}

int yaa_channels_db_import(const yaa_config *cfg, yaa_db *db, const char *dir,
                           yaa_channels_import_stats *stats, yaa_err *err) {
    yaa_channel_list list;
    int rc = yaa_channels_list(dir, &list, err);
    if (rc) return rc;
    struct stat s;
    if (stat(dir, &s) != 0 || !S_ISDIR(s.st_mode)) {
        yaa_channels_list_free(&list);
        return yaa_err_set(err, YAA_ENOTFOUND, "no folder %s to import channels from", dir);
    }
    for (size_t i = 0; !rc && i < list.n; i++) {
        bool changed = false;
        int64_t rev = 0;
        rc = yaa_channels_db_push(cfg, db, dir, list.items[i].id, "import", &rev, &changed, err);
        if (!rc && stats) {
            stats->found++;
            if (changed) stats->stored++;
        }
    }
    yaa_channels_list_free(&list);
    return rc;
}

/* ---- pinned revisions: what a run reads ------------------------------------------------- */

/* Removes the pinned folders of id other than revision keep that no run opened for
 * YAA_CHANNEL_PIN_KEEP_SEC (under mat_mu). */
static void unpin_old(const yaa_config *cfg, const char *id, int64_t keep) {
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s/" PIN_DIR, cfg->channels_dir);
    DIR *d = opendir(base);
    struct dirent *e;
    time_t now = time(NULL);
    while (d && (e = readdir(d))) {
        char *end = NULL;
        long long rev = strtoll(e->d_name, &end, 10);
        if (e->d_name[0] == '.' || !end || *end || rev == keep) continue;
        char root[PATH_MAX + 300], dir[PATH_MAX * 2];
        snprintf(root, sizeof root, "%s/%s", base, e->d_name);
        snprintf(dir, sizeof dir, "%s/%s", root, id);
        struct stat s;
        if (stat(dir, &s) != 0 || now - s.st_mtime < YAA_CHANNEL_PIN_KEEP_SEC) continue;
        rm_tree(dir);
        rmdir(root); /* only once no other channel has this revision number pinned */
    }
    if (d) closedir(d);
}

/* <channels_dir>/.rev/<rev>/<id>: revision rev of id, written once and never changed, so a
 * run keeps reading the music and media of the revision it started with while edits land
 * and the editable cache <channels_dir>/<id> moves on. Opening it marks it used. */
static int pin(const yaa_config *cfg, yaa_db *db, const char *id, int64_t rev, char *root, size_t n,
               yaa_err *err) {
    snprintf(root, n, "%s/" PIN_DIR "/%lld", cfg->channels_dir, (long long)rev);
    char dir[PATH_MAX * 2];
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    if (read_rev(dir) == rev) {
        utime(dir, NULL);
        return 0;
    }
    if (yaa_mkdirs(root, 0755)) return yaa_err_set(err, YAA_EIO, "cannot create %s", root);
    return export_locked(cfg, db, id, rev, root, true, err);
}

int yaa_channels_open(const yaa_config *cfg, yaa_db *db, const char *id, yaa_channel **out,
                      yaa_err *err) {
    *out = NULL;
    if (!yaa_channels_in_db(cfg)) return yaa_channels_load(cfg->channels_dir, id, out, err);
    if (!yaa_channels_id_valid(id))
        return yaa_err_set(err, YAA_EINVAL, "channel id '%.100s': use 1-100 of A-Z a-z 0-9 _ -",
                           id ? id : "");
    int rc = yaa_channels_db_pull(cfg, db, id, err);
    if (rc) return rc;
    pthread_mutex_lock(&mat_mu);
    char dir[PATH_MAX], root[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", cfg->channels_dir, id);
    int64_t rev = read_rev(dir); /* what the pull just brought */
    if (rev < 0)
        rc = yaa_err_set(err, YAA_EIO, "channel '%s': %s has no " REV_FILE, id, dir);
    else if (!(rc = pin(cfg, db, id, rev, root, sizeof root, err)))
        rc = yaa_channels_load(root, id, out, err);
    if (rev >= 0) unpin_old(cfg, id, rev);
    pthread_mutex_unlock(&mat_mu);
    return rc;
}
