/* edit.c - changes channel.name / category / description in a config.yaml text without
 * re-emitting the file: each value is spliced in place as a double-quoted YAML string (a
 * missing key is added after the channel map's last entry), so comments and layout stay. */
#include "channels/channels_internal.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t at; /* replace text[at, at + del) with ins */
    size_t del;
    char *ins; /* malloc'd */
} splice;

/* "value" with YAML double-quoted escapes. */
static int quote(yaa_buf *b, const char *s) {
    int rc = yaa_buf_putc(b, '"');
    for (const unsigned char *c = (const unsigned char *)s; !rc && *c; c++) {
        switch (*c) {
        case '"': rc = yaa_buf_puts(b, "\\\""); break;
        case '\\': rc = yaa_buf_puts(b, "\\\\"); break;
        case '\n': rc = yaa_buf_puts(b, "\\n"); break;
        case '\t': rc = yaa_buf_puts(b, "\\t"); break;
        case '\r': rc = yaa_buf_puts(b, "\\r"); break;
        default:
            if (*c < 0x20 || *c == 0x7F)
                rc = yaa_buf_printf(b, "\\x%02x", *c);
            else
                rc = yaa_buf_putc(b, (char)*c);
        }
    }
    return rc ? rc : yaa_buf_putc(b, '"');
}

static int cmp_splice(const void *a, const void *b) {
    const splice *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* End of the line holding offset off (just past its '\n'), or len. */
static size_t line_end(const char *text, size_t len, size_t off) {
    while (off < len && text[off] != '\n') off++;
    return off < len ? off + 1 : len;
}

int yaa_channels_config_edit(const char *text, size_t len, const char *name, const char *category,
                             const char *description, char **out, yaa_err *err) {
    *out = NULL;
    const char *keys[3] = {"name", "category", "description"};
    const char *vals[3] = {name, category, description};
    yaa_arena tmp;
    yaa_arena_init(&tmp, 16384);
    yaa_channel *probe = yaa_channel_new("", "");
    splice sp[4] = {0};
    size_t nsp = 0;
    yaa_buf res;
    yaa_buf_init(&res, 2 * YAA_CHANNEL_FILE_MAX);
    int rc = 0;
    if (!probe) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto out;
    }
    yaa_channels__pctx p = {.ch = probe, .file = "config.yaml"};
    yaa_channels__ynode *root = NULL;
    if ((rc = yaa_channels__ytree_parse(&tmp, text, len, &p, &root))) {
        yaa_err_set(err, rc, "out of memory");
        goto out;
    }
    if (p.count) {
        char first[512];
        rc = yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: %s",
                         yaa_channel_problem_str(probe, 0, first, sizeof first));
        goto out;
    }
    if (root && root->kind != YAA__YMAP && root->kind != YAA__YNULL) {
        rc = yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: the top level is not a map");
        goto out;
    }
    if (root && root->kind == YAA__YMAP && root->flow) {
        rc = yaa_err_set(err, YAA_EINVAL,
                         "cannot edit config.yaml: the top level is a flow-style { } map; write "
                         "it as a block map");
        goto out;
    }
    const yaa_channels__ynode *chmap = yaa_channels__ymap_get(root, "channel");
    if (chmap && chmap->kind != YAA__YMAP && chmap->kind != YAA__YNULL) {
        rc = yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: 'channel' is not a map");
        goto out;
    }
    bool chmap_usable = chmap && chmap->kind == YAA__YMAP && chmap->n > 0;
    if (chmap_usable && chmap->flow) {
        /* Values of a flow map can be replaced in place, but not added to. */
        for (int i = 0; i < 3; i++)
            if (vals[i] && !yaa_channels__ymap_get(chmap, keys[i])) {
                rc = yaa_err_set(err, YAA_EINVAL,
                                 "cannot add channel.%s to a flow-style { } channel map; write "
                                 "'channel:' as a block map",
                                 keys[i]);
                goto out;
            }
    }
    yaa_buf add; /* keys to add at the end of the channel map */
    yaa_buf_init(&add, 0);
    int indent = chmap_usable ? chmap->items[0]->col - 1 : 2;
    for (int i = 0; i < 3 && !rc; i++) {
        if (!vals[i]) continue;
        const yaa_channels__ynode *v = chmap_usable ? yaa_channels__ymap_get(chmap, keys[i]) : NULL;
        yaa_buf q;
        yaa_buf_init(&q, 0);
        if ((rc = quote(&q, vals[i]))) {
            yaa_buf_free(&q);
            break;
        }
        if (v) {
            if (v->kind == YAA__YNULL && v->start == v->end) {
                /* "key:" with nothing after it: insert after the colon. */
                size_t at = v->start;
                while (at < len && text[at] != ':') at++;
                if (at < len) at++;
                sp[nsp++] = (splice){at, 0, yaa_buf_steal(&q)};
                char *s = sp[nsp - 1].ins;
                char *with_space = malloc(strlen(s) + 2);
                if (!with_space)
                    rc = YAA_ENOMEM;
                else {
                    with_space[0] = ' ';
                    strcpy(with_space + 1, s);
                    free(s);
                    sp[nsp - 1].ins = with_space;
                }
            } else {
                sp[nsp++] = (splice){v->start, v->end - v->start, yaa_buf_steal(&q)};
            }
        } else {
            rc = yaa_buf_printf(&add, "%*s%s: %s\n", indent, "", keys[i], yaa_buf_cstr(&q));
        }
        yaa_buf_free(&q);
    }
    if (!rc && add.len) {
        if (chmap_usable) {
            const yaa_channels__ynode *last = chmap->items[chmap->n - 1];
            size_t at = last->end;
            if (at > 0 && at <= len && text[at - 1] == '\n') {
                /* a block scalar already ends with its newline */
            } else {
                at = line_end(text, len, at);
            }
            char *ins = yaa_buf_steal(&add);
            if (at == len && len > 0 && text[len - 1] != '\n') {
                char *nl = malloc(strlen(ins) + 2);
                if (nl) {
                    nl[0] = '\n';
                    strcpy(nl + 1, ins);
                }
                free(ins);
                ins = nl;
            }
            if (!ins)
                rc = YAA_ENOMEM;
            else
                sp[nsp++] = (splice){at, 0, ins};
        } else {
            /* No channel map with entries: replace "channel:" (empty) or add one at the end. */
            yaa_buf blk;
            yaa_buf_init(&blk, 0);
            if (chmap) { /* "channel:" with an empty value */
                rc = yaa_buf_printf(&blk, "\n%s", yaa_buf_cstr(&add));
                size_t at = line_end(text, len, chmap->start);
                /* the empty value sits at its key: append after that line's end */
                if (at > 0 && text[at - 1] == '\n') at--;
                sp[nsp++] = (splice){at, 0, yaa_buf_steal(&blk)};
            } else if (root && root->kind == YAA__YNULL && root->end > root->start) {
                /* the whole document is "~" or "null": replace it */
                rc = yaa_buf_printf(&blk, "channel:\n%s", yaa_buf_cstr(&add));
                if (!rc && blk.len) blk.data[--blk.len] = 0; /* the text keeps its own end */
                sp[nsp++] = (splice){root->start, root->end - root->start, yaa_buf_steal(&blk)};
            } else {
                /* a new "channel:" key at the indentation of the top-level keys */
                int top = root && root->kind == YAA__YMAP && root->n ? root->items[0]->col - 1 : 0;
                size_t at = len;
                if (root && root->kind == YAA__YMAP && root->n)
                    at = line_end(text, len, root->items[root->n - 1]->end);
                bool nl = at > 0 && text[at - 1] != '\n';
                rc = yaa_buf_printf(&blk, "%s%*schannel:\n", nl ? "\n" : "", top, "");
                for (const char *l = yaa_buf_cstr(&add); !rc && *l;) {
                    const char *e = strchr(l, '\n');
                    size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
                    rc = yaa_buf_printf(&blk, "%*s%.*s", top, "", (int)n, l);
                    l += n;
                }
                sp[nsp++] = (splice){at, 0, yaa_buf_steal(&blk)};
            }
            yaa_buf_free(&blk);
        }
    }
    yaa_buf_free(&add);
    if (rc) {
        yaa_err_set(err, rc, "cannot edit config.yaml: %s", yaa_strerror(rc));
        goto out;
    }
    qsort(sp, nsp, sizeof sp[0], cmp_splice);
    size_t pos = 0;
    for (size_t i = 0; i < nsp && !rc; i++) {
        if (sp[i].at < pos || sp[i].at > len) {
            rc = yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: overlapping values");
            break;
        }
        rc = yaa_buf_append(&res, text + pos, sp[i].at - pos);
        if (!rc) rc = yaa_buf_puts(&res, sp[i].ins);
        pos = sp[i].at + sp[i].del;
    }
    if (!rc && pos < len) rc = yaa_buf_append(&res, text + pos, len - pos);
    if (!rc && res.len == 0) rc = yaa_buf_puts(&res, "");
    if (rc) {
        if (!err || !err->code)
            yaa_err_set(err, rc, "cannot edit config.yaml: %s", yaa_strerror(rc));
        goto out;
    }
    /* Whatever the layout was, the result must read back with exactly these values. */
    yaa_channel *check = yaa_channel_new("", "");
    if (!check) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto out;
    }
    yaa_channel_parse(check, YAA_CHANNEL_CONFIG, "config.yaml", res.data, res.len);
    bool same = true;
    for (int i = 0; i < 3; i++) {
        const char *got = i == 0   ? check->channel.name
                          : i == 1 ? check->channel.category
                                   : check->channel.description;
        if (vals[i] && strcmp(got, vals[i]) != 0) same = false;
    }
    yaa_channel_free(check);
    if (!same) {
        rc = yaa_err_set(err, YAA_EINVAL,
                         "cannot edit config.yaml safely with this layout; set the channel's "
                         "name, category and description by hand");
        goto out;
    }
    *out = yaa_buf_steal(&res);
out:
    for (size_t i = 0; i < nsp; i++) free(sp[i].ins);
    yaa_buf_free(&res);
    yaa_channel_free(probe);
    yaa_arena_free(&tmp);
    return rc;
}
