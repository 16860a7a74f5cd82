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

/* pre followed by s (which is freed); NULL when out of memory. */
static char *prefixed(const char *pre, char *s) {
    char *r = s ? malloc(strlen(pre) + strlen(s) + 1) : NULL;
    if (r) {
        strcpy(r, pre);
        strcat(r, s);
    }
    free(s);
    return r;
}

#define NKEYS 3

/* One edit of one config.yaml text: what to set, the parsed tree, the planned splices. */
typedef struct {
    const char *text;
    size_t len;
    const char *keys[NKEYS];
    const char *vals[NKEYS]; /* NULL = leave as it is */
    const yaa_channels__ynode *root;
    const yaa_channels__ynode *chmap; /* the value of "channel", or NULL */
    bool chmap_usable;                /* a map with entries, where keys can be replaced */
    splice sp[NKEYS + 1];
    size_t nsp;
} edit;

static int add_splice(edit *e, size_t at, size_t del, char *ins) {
    if (!ins) return YAA_ENOMEM;
    e->sp[e->nsp++] = (splice){at, del, ins};
    return 0;
}

/* Step 1: parse the text and refuse shapes that cannot be edited in place. */
static int parse_for_edit(edit *e, yaa_arena *tmp, yaa_channel *probe, yaa_err *err) {
    yaa_channels__pctx p = {.ch = probe, .file = "config.yaml"};
    yaa_channels__ynode *root = NULL;
    int rc = yaa_channels__ytree_parse(tmp, e->text, e->len, &p, &root);
    if (rc) return yaa_err_set(err, rc, "out of memory");
    if (p.count) {
        char first[512];
        return yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: %s",
                           yaa_channels_problem_str(probe, 0, first, sizeof first));
    }
    if (root && root->kind != YAA__YMAP && root->kind != YAA__YNULL)
        return yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: the top level is not a map");
    if (root && root->kind == YAA__YMAP && root->flow)
        return yaa_err_set(err, YAA_EINVAL,
                           "cannot edit config.yaml: the top level is a flow-style { } map; write "
                           "it as a block map");
    const yaa_channels__ynode *chmap = yaa_channels__ymap_get(root, "channel");
    if (chmap && chmap->kind != YAA__YMAP && chmap->kind != YAA__YNULL)
        return yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: 'channel' is not a map");
    e->root = root;
    e->chmap = chmap;
    e->chmap_usable = chmap && chmap->kind == YAA__YMAP && chmap->n > 0;
    if (e->chmap_usable && chmap->flow) {
        /* Values of a flow map can be replaced in place, but not added to. */
        for (int i = 0; i < NKEYS; i++)
            if (e->vals[i] && !yaa_channels__ymap_get(chmap, e->keys[i]))
                return yaa_err_set(err, YAA_EINVAL,
                                   "cannot add channel.%s to a flow-style { } channel map; write "
                                   "'channel:' as a block map",
                                   e->keys[i]);
    }
    return 0;
}

/* Step 2: a splice per value whose key exists; the "key: value" lines of the others go to
 * add, indented like the channel map's entries. */
static int plan_replacements(edit *e, yaa_buf *add) {
    int indent = e->chmap_usable ? e->chmap->items[0]->col - 1 : 2;
    int rc = 0;
    for (int i = 0; i < NKEYS && !rc; i++) {
        if (!e->vals[i]) continue;
        const yaa_channels__ynode *v =
            e->chmap_usable ? yaa_channels__ymap_get(e->chmap, e->keys[i]) : NULL;
        yaa_buf q;
        yaa_buf_init(&q, 0);
        rc = quote(&q, e->vals[i]);
        if (!rc && v && v->kind == YAA__YNULL && v->start == v->end) {
            /* "key:" with nothing after it: insert after the colon. */
            size_t at = v->start;
            while (at < e->len && e->text[at] != ':') at++;
            if (at < e->len) at++;
            rc = add_splice(e, at, 0, prefixed(" ", yaa_buf_steal(&q)));
        } else if (!rc && v) {
            rc = add_splice(e, v->start, v->end - v->start, yaa_buf_steal(&q));
        } else if (!rc) {
            rc = yaa_buf_printf(add, "%*s%s: %s\n", indent, "", e->keys[i], yaa_buf_cstr(&q));
        }
        yaa_buf_free(&q);
    }
    return rc;
}

/* Step 3a: the new lines go after the last entry of the channel map. */
static int plan_append_to_channel_map(edit *e, yaa_buf *add) {
    const yaa_channels__ynode *last = e->chmap->items[e->chmap->n - 1];
    size_t at = last->end;
    if (!(at > 0 && at <= e->len && e->text[at - 1] == '\n')) /* a block scalar ends with it */
        at = line_end(e->text, e->len, at);
    char *ins = yaa_buf_steal(add);
    if (at == e->len && e->len > 0 && e->text[e->len - 1] != '\n') ins = prefixed("\n", ins);
    return add_splice(e, at, 0, ins);
}

/* Step 3b: no channel map with entries: fill "channel:" (empty), replace a null document,
 * or add a "channel:" block at the indentation of the top-level keys. */
static int plan_new_channel_block(edit *e, yaa_buf *add) {
    const char *text = e->text;
    size_t len = e->len;
    const yaa_channels__ynode *root = e->root;
    yaa_buf blk;
    yaa_buf_init(&blk, 0);
    int rc;
    size_t at, del = 0;
    if (e->chmap) { /* "channel:" with an empty value: append after that line */
        rc = yaa_buf_printf(&blk, "\n%s", yaa_buf_cstr(add));
        at = line_end(text, len, e->chmap->start);
        if (at > 0 && text[at - 1] == '\n') at--;
    } else if (root && root->kind == YAA__YNULL && root->end > root->start) {
        /* the whole document is "~" or "null": replace it */
        rc = yaa_buf_printf(&blk, "channel:\n%s", yaa_buf_cstr(add));
        if (!rc && blk.len) blk.data[--blk.len] = 0; /* the text keeps its own end */
        at = root->start;
        del = root->end - root->start;
    } else {
        bool top_map = root && root->kind == YAA__YMAP && root->n;
        int top = top_map ? root->items[0]->col - 1 : 0;
        at = top_map ? line_end(text, len, root->items[root->n - 1]->end) : len;
        bool nl = at > 0 && text[at - 1] != '\n';
        rc = yaa_buf_printf(&blk, "%s%*schannel:\n", nl ? "\n" : "", top, "");
        for (const char *l = yaa_buf_cstr(add); !rc && *l;) {
            const char *end = strchr(l, '\n');
            size_t n = end ? (size_t)(end - l) + 1 : strlen(l);
            rc = yaa_buf_printf(&blk, "%*s%.*s", top, "", (int)n, l);
            l += n;
        }
    }
    if (!rc) rc = add_splice(e, at, del, yaa_buf_steal(&blk));
    yaa_buf_free(&blk);
    return rc;
}

/* Step 4: the text with every splice applied, in order. */
static int apply_splices(edit *e, yaa_buf *res, yaa_err *err) {
    qsort(e->sp, e->nsp, sizeof e->sp[0], cmp_splice);
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i < e->nsp && !rc; i++) {
        if (e->sp[i].at < pos || e->sp[i].at > e->len)
            return yaa_err_set(err, YAA_EINVAL, "cannot edit config.yaml: overlapping values");
        rc = yaa_buf_append(res, e->text + pos, e->sp[i].at - pos);
        if (!rc) rc = yaa_buf_puts(res, e->sp[i].ins);
        pos = e->sp[i].at + e->sp[i].del;
    }
    if (!rc && pos < e->len) rc = yaa_buf_append(res, e->text + pos, e->len - pos);
    if (!rc && res->len == 0) rc = yaa_buf_puts(res, "");
    return rc ? yaa_err_set(err, rc, "cannot edit config.yaml: %s", yaa_strerror(rc)) : 0;
}

/* Step 5: whatever the layout was, the result must read back with exactly these values. */
static int verify_edit(const edit *e, const yaa_buf *res, yaa_err *err) {
    yaa_channel *check = yaa_channels_new("", "");
    if (!check) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_channels_parse(check, YAA_CHANNEL_CONFIG, "config.yaml", res->data, res->len);
    const char *got[NKEYS] = {check->channel.name, check->channel.category,
                              check->channel.description};
    bool same = true;
    for (int i = 0; i < NKEYS; i++)
        if (e->vals[i] && strcmp(got[i], e->vals[i]) != 0) same = false;
    yaa_channels_free(check);
    if (!same)
        return yaa_err_set(err, YAA_EINVAL,
                           "cannot edit config.yaml safely with this layout; set the channel's "
                           "name, category and description by hand");
    return 0;
}

int yaa_channels_config_edit(const char *text, size_t len, const char *name, const char *category,
                             const char *description, char **out, yaa_err *err) {
    *out = NULL;
    edit e = {.text = text,
              .len = len,
              .keys = {"name", "category", "description"},
              .vals = {name, category, description}};
    yaa_arena tmp;
    yaa_arena_init(&tmp, 16384);
    yaa_channel *probe = yaa_channels_new("", "");
    yaa_buf add, res;
    yaa_buf_init(&add, 0);
    yaa_buf_init(&res, 2 * YAA_CHANNEL_FILE_MAX);
    int rc = probe ? parse_for_edit(&e, &tmp, probe, err)
                   : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (!rc) {
        rc = plan_replacements(&e, &add);
        if (!rc && add.len)
            rc = e.chmap_usable ? plan_append_to_channel_map(&e, &add)
                                : plan_new_channel_block(&e, &add);
        if (rc) yaa_err_set(err, rc, "cannot edit config.yaml: %s", yaa_strerror(rc));
    }
    if (!rc) rc = apply_splices(&e, &res, err);
    if (!rc) rc = verify_edit(&e, &res, err);
    if (!rc) *out = yaa_buf_steal(&res);
    for (size_t i = 0; i < e.nsp; i++) free(e.sp[i].ins);
    yaa_buf_free(&add);
    yaa_buf_free(&res);
    yaa_channels_free(probe);
    yaa_arena_free(&tmp);
    return rc;
}
