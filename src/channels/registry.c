/* registry.c - the channels on CHANNELS_DIR: list, load by id (ids are checked so no path can
 * leave the directory), brand-guide presence, create from _template, update, and delete by
 * moving the folder aside to .deleted/ (files are never removed). */
#include "channels/channels.h"

#include "core/buf.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool yaa_channels_id_reserved(const char *id) { return id && id[0] == '_'; }

bool yaa_channels_id_valid(const char *id) {
    if (!id) return false;
    size_t n = 0;
    for (const char *c = id; *c; c++, n++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        if (!ok || n >= YAA_CHANNEL_ID_MAX) return false;
    }
    return n > 0;
}

static int bad_id(const char *id, yaa_err *err) {
    return yaa_err_set(err, YAA_EINVAL,
                       "invalid channel id '%.100s': use 1-100 letters, digits, '_' or '-'",
                       id ? id : "");
}

static int chan_path(char *out, size_t n, const char *root, const char *id, const char *file) {
    int w =
        file ? snprintf(out, n, "%s/%s/%s", root, id, file) : snprintf(out, n, "%s/%s", root, id);
    return w < 0 || (size_t)w >= n ? YAA_EINVAL : 0;
}

static bool is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

bool yaa_channels_has_brand_guide(const char *root, const char *id) {
    char p[PATH_MAX];
    if (!yaa_channels_id_valid(id) || chan_path(p, sizeof p, root, id, "brand_guide.yaml"))
        return false;
    return is_file(p);
}

int yaa_channels_validate(const char *root, const char *id, yaa_channel **out, yaa_err *err) {
    *out = NULL;
    if (!yaa_channels_id_valid(id)) return bad_id(id, err);
    char dir[PATH_MAX];
    if (chan_path(dir, sizeof dir, root, id, NULL))
        return yaa_err_set(err, YAA_EINVAL, "CHANNELS_DIR path too long");
    /* the channel folder and its files, symlinks resolved, stay inside CHANNELS_DIR */
    static const char *const files[] = {"", "config.yaml", "brand_guide.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[PATH_MAX];
        if (chan_path(p, sizeof p, root, id, *files[i] ? files[i] : NULL) == 0 &&
            access(p, F_OK) == 0 && !yaa_path_inside(root, p))
            return yaa_err_set(err, YAA_EINVAL,
                               "channel '%s': %s leads outside CHANNELS_DIR (%s) through a "
                               "symbolic link; refused",
                               id, *files[i] ? files[i] : "its folder", root);
    }
    int rc = yaa_channels_load_dir(dir, id, out, err);
    if (rc == YAA_ENOTFOUND) yaa_err_set(err, rc, "channel '%s' not found in %s", id, root);
    return rc;
}

int yaa_channels_load(const char *root, const char *id, yaa_channel **out, yaa_err *err) {
    yaa_channel *ch = NULL;
    int rc = yaa_channels_validate(root, id, &ch, err);
    if (rc == YAA_EINVAL && ch) {
        yaa_err_prefix(err, "channel '%s': ", id);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (run `yaa channels validate %s`)", id);
        yaa_channels_free(ch);
        ch = NULL;
    }
    *out = ch;
    return rc;
}

/* ---- list ---- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int yaa_channels_list(const char *root, yaa_channel_list *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_arena_init(&out->arena, 16384);
    DIR *d = opendir(root);
    if (!d) {
        if (errno == ENOENT) return 0;
        return yaa_err_set(err, YAA_EIO, "cannot read CHANNELS_DIR %s: %s", root, strerror(errno));
    }
    char **ids = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || nm[0] == '_' || !yaa_channels_id_valid(nm)) continue;
        char p[PATH_MAX];
        if (chan_path(p, sizeof p, root, nm, "config.yaml") || !is_file(p)) continue;
        if (!yaa_path_inside(root, p)) continue; /* a symlink out of CHANNELS_DIR */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **ni = realloc(ids, cap * sizeof *ids);
            if (!ni) {
                rc = YAA_ENOMEM;
                break;
            }
            ids = ni;
        }
        if (!(ids[n] = yaa_arena_strdup(&out->arena, nm))) {
            rc = YAA_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc && n) {
        qsort(ids, n, sizeof *ids, cmp_str);
        out->items = yaa_arena_alloc(&out->arena, n * sizeof *out->items);
        if (!out->items) rc = YAA_ENOMEM;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        yaa_channel *ch = NULL;
        yaa_err e2 = {0};
        int lrc = yaa_channels_validate(root, ids[i], &ch, &e2);
        if (lrc == YAA_ENOMEM) {
            rc = YAA_ENOMEM;
            break;
        }
        if (!ch) continue; /* vanished meanwhile */
        yaa_channel_summary *s = &out->items[out->n];
        yaa_arena *a = &out->arena;
        s->id = ids[i];
        s->name = yaa_arena_strdup(a, ch->channel.name);
        s->category = yaa_arena_strdup(a, ch->channel.category);
        s->language = yaa_arena_strdup(a, ch->channel.language);
        s->description = yaa_arena_strdup(a, ch->channel.description);
        s->has_brand_guide = ch->has_brand_guide;
        s->n_problems = ch->n_problems;
        char first[600];
        s->first_problem = yaa_arena_strdup(
            a, ch->n_problems ? yaa_channels_problem_str(ch, 0, first, sizeof first) : "");
        yaa_channels_free(ch);
        if (!s->name || !s->category || !s->language || !s->description || !s->first_problem)
            rc = YAA_ENOMEM;
        else
            out->n++;
    }
    free(ids);
    if (rc) {
        yaa_channels_list_free(out);
        return yaa_err_set(err, rc, "listing channels in %s: %s", root, yaa_strerror(rc));
    }
    return 0;
}

void yaa_channels_list_free(yaa_channel_list *list) {
    if (!list) return;
    yaa_arena_free(&list->arena);
    list->items = NULL;
    list->n = 0;
}

/* ---- create / update ---- */

static int check_fields(const char *name, const char *category, const char *description,
                        yaa_err *err) {
    const char *what[3] = {"name", "category", "description"};
    const char *vals[3] = {name, category, description};
    const size_t min[3] = {1, 0, 0}, max[3] = {200, 50, 500};
    for (int i = 0; i < 3; i++) {
        if (!vals[i]) continue;
        size_t len = strlen(vals[i]);
        if (!yaa_utf8_valid(vals[i], len))
            return yaa_err_set(err, YAA_EINVAL, "%s is not valid UTF-8", what[i]);
        size_t cps = yaa_utf8_len(vals[i]);
        if (cps < min[i] || cps > max[i])
            return yaa_err_set(err, YAA_EINVAL, "%s must be %zu to %zu characters (got %zu)",
                               what[i], min[i], max[i], cps);
    }
    return 0;
}

/* Edits config.yaml text, checks that the result still loads, writes it atomically. */
static int rewrite_config(const char *path, const char *text, size_t len, const char *name,
                          const char *category, const char *description, yaa_err *err) {
    char *edited = NULL;
    int rc = yaa_channels_config_edit(text, len, name, category, description, &edited, err);
    if (rc) return rc;
    size_t elen = strlen(edited);
    yaa_channel *probe = yaa_channels_new("", "");
    if (!probe) {
        free(edited);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    yaa_channels_parse(probe, YAA_CHANNEL_CONFIG, path, edited, elen);
    /* The edit must not add problems the values themselves did not cause; a file that was
     * already broken elsewhere is the operator's to fix, so only the fields are checked. */
    bool ok = (!name || strcmp(probe->channel.name, name) == 0) &&
              (!category || strcmp(probe->channel.category, category) == 0) &&
              (!description || strcmp(probe->channel.description, description) == 0);
    yaa_channels_free(probe);
    if (!ok) {
        free(edited);
        return yaa_err_set(err, YAA_EINVAL, "cannot edit %s: the result does not read back", path);
    }
    rc = yaa_write_file(path, edited, elen);
    free(edited);
    if (rc) return yaa_err_set(err, rc, "cannot write %s: %s", path, yaa_strerror(rc));
    return 0;
}

int yaa_channels_create(const char *root, const char *id, const char *name, const char *category,
                        const char *description, yaa_err *err) {
    if (!yaa_channels_id_valid(id)) return bad_id(id, err);
    if (!name) return yaa_err_set(err, YAA_EINVAL, "name must be 1 to 200 characters (got 0)");
    if (!category) category = "general";
    if (!description) description = "";
    int rc = check_fields(name, category, description, err);
    if (rc) return rc;
    char tpl[PATH_MAX], dir[PATH_MAX], cfg[PATH_MAX], src[PATH_MAX];
    if (chan_path(tpl, sizeof tpl, root, "_template", "config.yaml") ||
        chan_path(dir, sizeof dir, root, id, NULL) ||
        chan_path(cfg, sizeof cfg, root, id, "config.yaml") ||
        chan_path(src, sizeof src, root, id, "knowledge"))
        return yaa_err_set(err, YAA_EINVAL, "CHANNELS_DIR path too long");
    char *text = NULL;
    size_t len = 0;
    rc = yaa_read_file(tpl, YAA_CHANNEL_FILE_MAX, &text, &len);
    if (rc == YAA_ENOTFOUND)
        return yaa_err_set(err, rc,
                           "channel template %s is missing; restore it from the "
                           "repository (channels/_template/config.yaml)",
                           tpl);
    if (rc) return yaa_err_set(err, rc, "cannot read %s: %s", tpl, yaa_strerror(rc));
    if (yaa_mkdirs(root, 0755)) {
        free(text);
        return yaa_err_set(err, YAA_EIO, "cannot create CHANNELS_DIR %s", root);
    }
    if (mkdir(dir, 0755) != 0) {
        int e = errno;
        free(text);
        if (e == EEXIST) return yaa_err_set(err, YAA_EEXIST, "channel '%s' already exists", id);
        return yaa_err_set(err, YAA_EIO, "cannot create %s: %s", dir, strerror(e));
    }
    rc = rewrite_config(cfg, text, len, name, category, description, err);
    free(text);
    if (!rc && mkdir(src, 0755) != 0 && errno != EEXIST)
        rc = yaa_err_set(err, YAA_EIO, "cannot create %s: %s", src, strerror(errno));
    if (rc) {
        /* Leave nothing half-made behind: the directory is ours and holds only our files. */
        remove(cfg);
        rmdir(src);
        rmdir(dir);
    }
    return rc;
}

int yaa_channels_update(const char *root, const char *id, const char *name, const char *category,
                        const char *description, yaa_err *err) {
    if (!yaa_channels_id_valid(id)) return bad_id(id, err);
    if (!name && !category && !description)
        return yaa_err_set(err, YAA_EINVAL,
                           "nothing to update: give name, category or description");
    int rc = check_fields(name, category, description, err);
    if (rc) return rc;
    char cfg[PATH_MAX];
    if (chan_path(cfg, sizeof cfg, root, id, "config.yaml"))
        return yaa_err_set(err, YAA_EINVAL, "CHANNELS_DIR path too long");
    char *text = NULL;
    size_t len = 0;
    rc = yaa_read_file(cfg, YAA_CHANNEL_FILE_MAX, &text, &len);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, rc, "channel '%s' not found", id);
    if (rc == YAA_ELIMIT)
        return yaa_err_set(err, rc, "%s is larger than 1 MiB; fix it by hand", cfg);
    if (rc) return yaa_err_set(err, rc, "cannot read %s: %s", cfg, yaa_strerror(rc));
    rc = rewrite_config(cfg, text, len, name, category, description, err);
    free(text);
    return rc;
}

/* ---- delete ---- */

int yaa_channels_delete(const char *root, const char *id, char *moved_to, size_t moved_to_len,
                        yaa_err *err) {
    if (!yaa_channels_id_valid(id)) return bad_id(id, err);
    char dir[PATH_MAX], trash[PATH_MAX], dest[PATH_MAX];
    if (chan_path(dir, sizeof dir, root, id, NULL) ||
        snprintf(trash, sizeof trash, "%s/.deleted", root) >= (int)sizeof trash)
        return yaa_err_set(err, YAA_EINVAL, "CHANNELS_DIR path too long");
    if (!is_dir(dir)) return yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found", id);
    if (yaa_mkdirs(trash, 0755))
        return yaa_err_set(err, YAA_EIO, "cannot create %s: %s", trash, strerror(errno));
    time_t now = yaa_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int i = 0; i < 1000; i++) {
        int w = i ? snprintf(dest, sizeof dest, "%s/%s-%s-%d", trash, id, stamp, i)
                  : snprintf(dest, sizeof dest, "%s/%s-%s", trash, id, stamp);
        if (w < 0 || (size_t)w >= sizeof dest)
            return yaa_err_set(err, YAA_EINVAL, "CHANNELS_DIR path too long");
        struct stat st;
        if (lstat(dest, &st) == 0) continue;
        if (rename(dir, dest) != 0)
            return yaa_err_set(err, YAA_EIO, "cannot move %s to %s: %s", dir, dest,
                               strerror(errno));
        if (moved_to && moved_to_len) snprintf(moved_to, moved_to_len, "%s", dest);
        return 0;
    }
    return yaa_err_set(err, YAA_EEXIST, "too many deleted copies of '%s' in %s", id, trash);
}
