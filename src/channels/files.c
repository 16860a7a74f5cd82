/* files.c - a channel folder as files: list them, write one, copy a folder (what the API's
 * channel file endpoints and CHANNELS_STORE=db need, whichever store holds the channel). */
#include "channels/channels.h"

#include "core/buf.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    json_t *out;
    yaa_err *err;
} list_ctx;

static int list_one(void *ud, const char *path, const char *rel, const struct stat *st) {
    list_ctx *c = ud;
    char sha[YAA_SHA256_HEX];
    int rc = yaa_store_sha256_file(path, sha, NULL, c->err);
    if (!rc)
        json_array_append_new(c->out, json_pack("{s:s, s:I, s:s}", "path", rel, "size",
                                                (json_int_t)st->st_size, "sha256", sha));
    return rc;
}

int yaa_channels_list_files(const char *dir, void *json_array, yaa_err *err) {
    struct stat s;
    if (stat(dir, &s) != 0 || !S_ISDIR(s.st_mode))
        return yaa_err_set(err, YAA_ENOTFOUND, "no channel folder %s", dir);
    list_ctx c = {json_array, err};
    return yaa_walk_files(dir, list_one, &c);
}

int yaa_channels_write_file(const char *dir, const char *rel, const void *data, size_t len,
                            yaa_err *err) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
        return yaa_err_set(err, YAA_ELIMIT, "%s: path too long", rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int mk = yaa_mkdirs(path, 0755);
    *slash = '/';
    if (mk) return yaa_err_set(err, YAA_EIO, "cannot create the folder of %s", path);
    if (yaa_write_file(path, data ? data : "", len))
        return yaa_err_set(err, YAA_EIO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int yaa_channels_copy_dir(const char *src, const char *dst, yaa_err *err) {
    DIR *d = opendir(src);
    if (!d) return yaa_err_set(err, YAA_ENOTFOUND, "no folder %s", src);
    if (yaa_mkdirs(dst, 0755)) {
        closedir(d);
        return yaa_err_set(err, YAA_EIO, "cannot create %s", dst);
    }
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char s[PATH_MAX], t[PATH_MAX];
        if (snprintf(s, sizeof s, "%s/%s", src, e->d_name) >= (int)sizeof s ||
            snprintf(t, sizeof t, "%s/%s", dst, e->d_name) >= (int)sizeof t)
            continue;
        struct stat st;
        if (stat(s, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            rc = yaa_channels_copy_dir(s, t, err);
        } else if (S_ISREG(st.st_mode)) {
            char *data = NULL;
            size_t len = 0;
            if (yaa_read_file(s, YAA_CHANNEL_FILE_MAX * 64, &data, &len) ||
                yaa_write_file(t, data ? data : "", len))
                rc = yaa_err_set(err, YAA_EIO, "cannot copy %s to %s", s, t);
            free(data);
        }
    }
    closedir(d);
    return rc;
}
