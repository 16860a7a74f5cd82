/* artifacts.c - the orchestrator's side of the artifact store: the run folder
 * ($OUTPUT_DIR/<run_id>) is where agents read and write, and this file keeps it in step
 * with the store around each stage, so agents need not know where artifacts live.
 *
 *   before a stage   fetch: every current file of the run (run_artifacts) missing or stale
 *                    in the folder is downloaded and checked; paths in earlier checkpoints
 *                    written by a worker with another OUTPUT_DIR are rebased onto this one.
 *   after a stage    upload (before its checkpoint is recorded): every new or changed file
 *                    goes up under a key of its own attempt
 *                    (runs/<run>/<stage>.<attempt>.<nonce>/<name>), then one transaction
 *                    makes them current; objects they replace are deleted.
 *
 * With the file store (the default) the folder is the store: both steps do nothing, no
 * copy, no row. With s3 the folder is scratch: bounded by ARTIFACT_CACHE_MB (oldest run
 * folders of this process's OUTPUT_DIR are evicted first, never a run this process is
 * working on: scratch_begin/scratch_end keep a registry of them) and removed when the run
 * stops for any reason (completed, failed, cancelled, interrupted, at a review gate):
 * every finished stage is in the store, and a resumed run fetches what it needs again.
 * `.yaa-sync` in the folder remembers what is already in step ("sha256 size mtime name"
 * lines) so an unchanged file is neither hashed twice nor sent twice. */
#include "pipeline/pipeline_internal.h"

#include "channels/channels.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "db/artifacts_repo.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYNC_FILE ".yaa-sync"

static bool store_is_s3(const yaa_config *cfg) {
    return cfg->artifact_store && strncmp(cfg->artifact_store, "s3://", 5) == 0;
}

/* ---- the .yaa-sync index ------------------------------------------------------------- */

typedef struct sync_entry {
    char *name;
    char sha[YAA_SHA256_HEX];
    uint64_t size;
    int64_t mtime_ns;
    bool seen;
} sync_entry;

typedef struct sync_index {
    sync_entry *e;
    size_t n, cap;
} sync_index;

static void sync_free(sync_index *ix) {
    for (size_t i = 0; i < ix->n; i++) free(ix->e[i].name);
    free(ix->e);
    memset(ix, 0, sizeof *ix);
}

static sync_entry *sync_find(sync_index *ix, const char *name) {
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->e[i].name, name) == 0) return &ix->e[i];
    return NULL;
}

static sync_entry *sync_put(sync_index *ix, const char *name) {
    sync_entry *e = sync_find(ix, name);
    if (e) return e;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 32;
        sync_entry *ne = realloc(ix->e, cap * sizeof *ne);
        if (!ne) return NULL;
        ix->e = ne;
        ix->cap = cap;
    }
    e = &ix->e[ix->n];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name))) return NULL;
    ix->n++;
    return e;
}

static void sync_load(const char *dir, sync_index *ix) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" SYNC_FILE, dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[PATH_MAX + 160];
    while (fgets(line, sizeof line, f)) {
        char sha[YAA_SHA256_HEX];
        unsigned long long size;
        long long mt;
        int off = 0;
        if (sscanf(line, "%64s %llu %lld %n", sha, &size, &mt, &off) != 3 || !off) continue;
        char *name = line + off;
        name[strcspn(name, "\n")] = '\0';
        if (!yaa_store_key_valid(name)) continue;
        sync_entry *e = sync_put(ix, name);
        if (!e) break;
        memcpy(e->sha, sha, sizeof sha);
        e->size = size;
        e->mtime_ns = mt;
    }
    fclose(f);
}

static void sync_save(const char *dir, const sync_index *ix) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    for (size_t i = 0; i < ix->n; i++)
        yaa_buf_printf(&b, "%s %llu %lld %s\n", ix->e[i].sha, (unsigned long long)ix->e[i].size,
                       (long long)ix->e[i].mtime_ns, ix->e[i].name);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" SYNC_FILE, dir);
    if (yaa_write_file(path, b.data ? b.data : "", b.len))
        yaa_log_ev(YAA_LOG_WARN, "artifacts", "cannot write the sync index",
                   YAA_F_STR("path", path), YAA_F_END);
    yaa_buf_free(&b);
}

static int64_t mtime_ns(const struct stat *s) {
    return (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
}

/* ---- scratch folders: bounded, never a working run's, removed when a run stops -------- */

static uint64_t tree_size(const char *dir) { return yaa_store_tree(dir, false, NULL); }
static void remove_tree(const char *dir) { yaa_store_tree(dir, true, NULL); }

typedef struct scratch_dir {
    char name[64];
    int64_t mtime;
    uint64_t size;
} scratch_dir;

static int by_age(const void *a, const void *b) {
    const scratch_dir *x = a, *y = b;
    return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

/* The runs this process is executing (a worker runs several at once), with a count since
 * one run can be in two slots for a moment (a stale attempt whose lease was lost, and the
 * new one). The lock is also held while a folder is removed, so a run starting (or
 * resuming) never sees its folder vanish under it: it waits, then makes a new one. */
typedef struct active_run {
    char id[64];
    int refs;
} active_run;

static pthread_mutex_t active_mu = PTHREAD_MUTEX_INITIALIZER;
static active_run *active;
static size_t nactive, active_cap;

static active_run *active_find(const char *run_id) {
    for (size_t i = 0; i < nactive; i++)
        if (strcmp(active[i].id, run_id) == 0) return &active[i];
    return NULL;
}

int yaa_pipeline__scratch_begin(const char *run_id, yaa_err *err) {
    int rc = 0;
    pthread_mutex_lock(&active_mu);
    active_run *r = active_find(run_id);
    if (!r && nactive == active_cap) {
        size_t cap = active_cap ? active_cap * 2 : 8;
        active_run *nv = realloc(active, cap * sizeof *nv);
        if (nv) {
            active = nv;
            active_cap = cap;
        }
    }
    if (!r && nactive < active_cap) {
        r = &active[nactive++];
        snprintf(r->id, sizeof r->id, "%s", run_id);
        r->refs = 0;
    }
    if (r)
        r->refs++;
    else
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    pthread_mutex_unlock(&active_mu);
    return rc;
}

void yaa_pipeline__scratch_end(const yaa_config *cfg, const char *run_id) {
    pthread_mutex_lock(&active_mu);
    active_run *r = active_find(run_id);
    bool last = r && --r->refs == 0;
    if (last) *r = active[--nactive];
    if (last && store_is_s3(cfg)) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", cfg->output_dir, run_id);
        remove_tree(dir); /* every finished stage is in the store */
    }
    pthread_mutex_unlock(&active_mu);
}

/* Run folders (named by their UUID) of OUTPUT_DIR past ARTIFACT_CACHE_MB are removed oldest
 * first; a run this process is working on is never touched. Their files are all in the
 * store. */
void yaa_pipeline__scratch_evict(const yaa_config *cfg) {
    if (!store_is_s3(cfg)) return; /* the file store's folders are the artifacts themselves */
    pthread_mutex_lock(&active_mu);
    DIR *d = opendir(cfg->output_dir);
    scratch_dir *v = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!yaa_uuid_valid(e->d_name)) continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", cfg->output_dir, e->d_name);
        struct stat s;
        if (stat(p, &s) != 0 || !S_ISDIR(s.st_mode)) continue;
        uint64_t size = tree_size(p);
        total += size;
        if (active_find(e->d_name)) continue; /* counts against the cap, never evicted */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            scratch_dir *nv = realloc(v, cap * sizeof *nv);
            if (!nv) break;
            v = nv;
        }
        memcpy(v[n].name, e->d_name, YAA_UUID_LEN + 1); /* a UUID: checked above */
        v[n].mtime = (int64_t)s.st_mtime;
        v[n].size = size;
        n++;
    }
    if (d) closedir(d);
    uint64_t cap_bytes = (uint64_t)cfg->artifact_cache_mb * 1024 * 1024;
    if (total > cap_bytes && n) {
        qsort(v, n, sizeof *v, by_age);
        for (size_t i = 0; i < n && total > cap_bytes; i++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", cfg->output_dir, v[i].name);
            remove_tree(p);
            total -= v[i].size;
            yaa_log_ev(YAA_LOG_INFO, "artifacts", "evicted a scratch run folder",
                       YAA_F_STR("path", p), YAA_F_END);
        }
    }
    pthread_mutex_unlock(&active_mu);
    free(v);
}

/* ---- rebasing checkpoint paths -------------------------------------------------------- */

/* A checkpoint written on another worker holds that worker's absolute paths
 * ("/srv/a/output/<run>/audio/01.wav"); the same file lives at <out_dir>/audio/01.wav here.
 * Returns the rebased string for v, or NULL when v is not such a path. */
static json_t *rebased(const json_t *v, const char *run_id, const char *out_dir) {
    const char *s = json_string_value(v);
    if (!s || (s[0] != '/' && s[0] != '.')) return NULL;
    char needle[64];
    snprintf(needle, sizeof needle, "/%s/", run_id);
    const char *hit = strstr(s, needle);
    size_t od = strlen(out_dir);
    if (!hit || (strncmp(s, out_dir, od) == 0 && s[od] == '/')) return NULL;
    char *ns = NULL;
    if (asprintf(&ns, "%s/%s", out_dir, hit + strlen(needle)) < 0) return NULL;
    json_t *j = json_string(ns);
    free(ns);
    return j;
}

static void rebase_paths(json_t *j, const char *run_id, const char *out_dir) {
    json_t *v, *nv;
    if (json_is_object(j)) {
        const char *k;
        json_object_foreach(j, k, v) {
            if ((nv = rebased(v, run_id, out_dir)))
                json_object_set_new(j, k, nv);
            else
                rebase_paths(v, run_id, out_dir);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_array_foreach(j, i, v) {
            if ((nv = rebased(v, run_id, out_dir)))
                json_array_set_new(j, i, nv);
            else
                rebase_paths(v, run_id, out_dir);
        }
    }
}

/* ---- the two steps ------------------------------------------------------------------- */

int yaa_pipeline__artifacts_fetch(const yaa_pipeline_env *env, const char *run_id,
                                  const char *out_dir, json_t *outputs[], int noutputs,
                                  yaa_err *err) {
    for (int i = 0; i < noutputs; i++)
        if (outputs[i]) rebase_paths(outputs[i], run_id, out_dir);
    if (!store_is_s3(env->cfg)) return 0;
    yaa_pipeline__scratch_evict(env->cfg);
    yaa_store *st = NULL;
    int rc = yaa_store_open(env->cfg, &st, err);
    if (rc) return rc;
    yaa_arena a;
    yaa_arena_init(&a, 16 * 1024);
    yaa_db_artifact *items = NULL;
    size_t n = 0;
    sync_index ix = {0};
    sync_load(out_dir, &ix);
    rc = yaa_db_artifacts_list(env->db, run_id, &a, &items, &n, err);
    size_t fetched = 0;
    uint64_t bytes = 0;
    double t0 = yaa_mono_sec();
    for (size_t i = 0; !rc && i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", out_dir, items[i].name);
        sync_entry *e = sync_find(&ix, items[i].name);
        struct stat s;
        if (e && strcmp(e->sha, items[i].sha256) == 0 && stat(path, &s) == 0 &&
            (uint64_t)s.st_size == e->size && mtime_ns(&s) == e->mtime_ns)
            continue; /* already here, unchanged since */
        rc = yaa_store_get_file(st, items[i].object_key, path, items[i].sha256, err);
        if (rc) {
            yaa_err_prefix(err, "fetching %s of run %s: ", items[i].name, run_id);
            break;
        }
        if (stat(path, &s) == 0 && (e = sync_put(&ix, items[i].name))) {
            snprintf(e->sha, sizeof e->sha, "%s", items[i].sha256);
            e->size = (uint64_t)s.st_size;
            e->mtime_ns = mtime_ns(&s);
        }
        fetched++;
        bytes += (uint64_t)items[i].size;
    }
    if (fetched) {
        sync_save(out_dir, &ix);
        yaa_log_ev(YAA_LOG_INFO, "artifacts", "fetched run files from the store",
                   YAA_F_INT("files", (long long)fetched), YAA_F_INT("bytes", (long long)bytes),
                   YAA_F_NUM("duration_ms", (yaa_mono_sec() - t0) * 1000), YAA_F_END);
    }
    sync_free(&ix);
    yaa_arena_free(&a);
    yaa_store_close(st);
    return rc;
}

typedef struct upload_walk {
    yaa_store *st;
    const char *out_dir;
    const char *run_id;
    const char *stage;
    int attempt;
    char nonce[9];
    sync_index *ix;
    yaa_arena *a;
    yaa_db_artifact *files;
    size_t n, cap;
    uint64_t bytes;
    yaa_err *err;
} upload_walk;

static int upload_one(upload_walk *w, const char *name, const char *path, const struct stat *s) {
    sync_entry *e = sync_find(w->ix, name);
    if (e && e->size == (uint64_t)s->st_size && e->mtime_ns == mtime_ns(s)) return 0;
    char sha[YAA_SHA256_HEX];
    uint64_t size = 0;
    int rc = yaa_store_sha256_file(path, sha, &size, w->err);
    if (rc) return rc;
    if (!(e = sync_put(w->ix, name))) return YAA_ENOMEM;
    bool same = strcmp(e->sha, sha) == 0;
    memcpy(e->sha, sha, sizeof sha);
    e->size = size;
    e->mtime_ns = mtime_ns(s);
    if (same) return 0; /* rewritten with the same bytes */
    char *key = yaa_arena_sprintf(w->a, "runs/%s/%s.%d.%s/%s", w->run_id, w->stage, w->attempt,
                                  w->nonce, name);
    if (!key) return YAA_ENOMEM;
    if ((rc = yaa_store_put_file(w->st, key, path, sha, w->err))) {
        e->sha[0] = '\0'; /* not in step: try again next time */
        return yaa_err_prefix(w->err, "storing %s of run %s: ", name, w->run_id), rc;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 32;
        yaa_db_artifact *nf = yaa_arena_alloc(w->a, cap * sizeof *nf);
        if (!nf) return YAA_ENOMEM;
        if (w->n) memcpy(nf, w->files, w->n * sizeof *nf);
        w->files = nf;
        w->cap = cap;
    }
    w->files[w->n++] = (yaa_db_artifact){
        .name = yaa_arena_strdup(w->a, name),
        .stage = w->stage,
        .attempt = w->attempt,
        .object_key = key,
        .size = (int64_t)size,
        .sha256 = yaa_arena_strdup(w->a, sha),
    };
    w->bytes += size;
    return 0;
}

/* Temporary names of atomic writers (x.tmp, x.tmp-123, x.part-123) are never artifacts. */
static bool temp_name(const char *n) { return strstr(n, ".tmp") || strstr(n, ".part-"); }

static int upload_dir(upload_walk *w, const char *dir, const char *rel) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.' || temp_name(e->d_name)) continue;
        char path[PATH_MAX], name[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat s;
        if (lstat(path, &s) != 0) continue;
        if (S_ISDIR(s.st_mode))
            rc = upload_dir(w, path, name);
        else if (S_ISREG(s.st_mode) && yaa_store_key_valid(name))
            rc = upload_one(w, name, path, &s);
    }
    closedir(d);
    return rc;
}

int yaa_pipeline__artifacts_upload(const yaa_pipeline_env *env, const char *run_id,
                                   const char *out_dir, const char *stage, int attempt, bool last,
                                   yaa_err *err) {
    if (!store_is_s3(env->cfg)) return 0;
    yaa_store *st = NULL;
    int rc = yaa_store_open(env->cfg, &st, err);
    if (rc) return rc;
    yaa_arena a;
    yaa_arena_init(&a, 16 * 1024);
    sync_index ix = {0};
    sync_load(out_dir, &ix);
    upload_walk w = {.st = st,
                     .out_dir = out_dir,
                     .run_id = run_id,
                     .stage = stage,
                     .attempt = attempt,
                     .ix = &ix,
                     .a = &a,
                     .err = err};
    char uuid[YAA_UUID_LEN + 1];
    yaa_uuid4(uuid);
    memcpy(w.nonce, uuid, 8);
    w.nonce[8] = '\0';
    double t0 = yaa_mono_sec();
    rc = upload_dir(&w, out_dir, "");
    const char **replaced = w.n ? yaa_arena_alloc(&a, w.n * sizeof *replaced) : NULL;
    bool *kept = w.n ? yaa_arena_alloc(&a, w.n * sizeof *kept) : NULL;
    if (!rc && w.n && (!replaced || !kept)) rc = YAA_ENOMEM;
    if (!rc) rc = yaa_db_artifacts_publish(env->db, run_id, w.files, w.n, &a, replaced, kept, err);
    if (!rc) {
        /* Old objects are garbage once the rows moved on; a newer attempt's rows stayed,
         * so this attempt's objects are the garbage. Failures here only leave garbage for
         * `yaa artifacts gc`. */
        yaa_err ignore = {0};
        for (size_t i = 0; i < w.n; i++) {
            if (replaced[i]) yaa_store_delete(st, replaced[i], &ignore);
            if (kept[i]) {
                yaa_store_delete(st, w.files[i].object_key, &ignore);
                sync_entry *e = sync_find(&ix, w.files[i].name);
                if (e) e->sha[0] = '\0';
                yaa_log_ev(YAA_LOG_WARN, "artifacts",
                           "a newer attempt of this stage already stored this file; kept it",
                           YAA_F_STR("name", w.files[i].name), YAA_F_END);
            }
        }
        if (w.n)
            yaa_log_ev(YAA_LOG_INFO, "artifacts", "stored stage files",
                       YAA_F_INT("files", (long long)w.n), YAA_F_INT("bytes", (long long)w.bytes),
                       YAA_F_NUM("duration_ms", (yaa_mono_sec() - t0) * 1000), YAA_F_END);
    }
    if (rc || !last) sync_save(out_dir, &ix);
    sync_free(&ix);
    yaa_arena_free(&a);
    yaa_store_close(st);
    return rc;
}

int yaa_pipeline__channel_load(const yaa_pipeline_env *env, const char *channel_id,
                               yaa_channel **out, yaa_err *err) {
    return yaa_channels_open(env->cfg, env->db, channel_id, out, err);
}
