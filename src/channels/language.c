/* language.c - sets a channel's language where its files say it: channel.language in
 * config.yaml and voice_design.language in brand_guide.yaml. The template leaves both empty so
 * that a new channel never silently takes one language: `yaa channels new ID --language` (and
 * POST /api/v1/channels with "language") fill them in here. The line of each key is replaced
 * in place, so comments and layout stay as written. */
#include "channels/channels.h"

#include "core/buf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replaces the value of the first "  key: ..." line inside the top-level block `block:`
 * (keeping a trailing "# comment"). YAA_ENOTFOUND when the file has no such line. */
static int set_in_block(const char *path, const char *block, const char *key, const char *value,
                        yaa_err *err) {
    char *text = NULL;
    size_t len = 0;
    if (yaa_read_file(path, YAA_CHANNEL_FILE_MAX, &text, &len))
        return yaa_err_set(err, YAA_EIO, "cannot read %s", path);
    yaa_buf out;
    yaa_buf_init(&out, 2 * YAA_CHANNEL_FILE_MAX);
    bool in_block = false, done = false;
    size_t blen = strlen(block), klen = strlen(key);
    for (size_t pos = 0; pos < len;) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        const char *line = text + pos;
        size_t n = end - pos;
        if (n && line[0] != ' ' && line[0] != '#')
            in_block = n > blen && strncmp(line, block, blen) == 0 && line[blen] == ':';
        size_t ind = 0;
        while (ind < n && line[ind] == ' ') ind++;
        if (!done && in_block && ind > 0 && n - ind > klen && strncmp(line + ind, key, klen) == 0 &&
            line[ind + klen] == ':') {
            const char *hash = memchr(line + ind, '#', n - ind);
            yaa_buf_printf(&out, "%.*s%s: %s", (int)ind, line, key, value);
            if (hash) yaa_buf_printf(&out, "  %.*s", (int)(line + n - hash), hash);
            done = true;
        } else {
            yaa_buf_printf(&out, "%.*s", (int)n, line);
        }
        if (end < len) yaa_buf_putc(&out, '\n');
        pos = end + 1;
    }
    free(text);
    int rc = 0;
    if (!done)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "%s has no %s.%s line", path, block, key);
    else if (yaa_write_file(path, out.data, out.len))
        rc = yaa_err_set(err, YAA_EIO, "cannot write %s", path);
    yaa_buf_free(&out);
    return rc;
}

int yaa_channels_set_language(const char *root, const char *id, const char *language,
                              yaa_err *err) {
    if (!language || (strcmp(language, "ko") != 0 && strcmp(language, "en") != 0))
        return yaa_err_set(err, YAA_EINVAL, "language must be en or ko, got '%s'",
                           language ? language : "");
    if (!yaa_channels_id_valid(id))
        return yaa_err_set(err, YAA_EINVAL, "invalid channel id '%.100s'", id ? id : "");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/config.yaml", root, id);
    int rc = set_in_block(path, "channel", "language", language, err);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/%s/brand_guide.yaml", root, id);
    FILE *f = fopen(path, "r");
    if (!f) return 0; /* no brand guide yet: the voice follows channel.language */
    fclose(f);
    rc = set_in_block(path, "voice_design", "language", language, err);
    return rc == YAA_ENOTFOUND ? 0 : rc;
}
