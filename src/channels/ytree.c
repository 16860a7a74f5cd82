/* ytree.c - turns libyaml's event stream into a small node tree with line/column and byte
 * spans, so the schema walk can report positions and edit.c can splice values. Hostile input
 * is bounded: nesting depth and node count are capped, aliases are refused (no "billion
 * laughs"), and only one document is read. */
#include "channels/channels_internal.h"

#include <string.h>
#include <yaml.h>

#define YTREE_DEPTH_MAX 64
#define YTREE_NODES_MAX 200000

typedef struct {
    yaa_arena *a;
    yaa_channels__pctx *p;
    const char *text;
    size_t len;
    size_t *line_start; /* byte offset of each line (0-based lines) */
    size_t nlines;
    yaa_channels__ynode *stack[YTREE_DEPTH_MAX];
    int depth;   /* open collections that have a node */
    int skipped; /* open collections past the depth cap (not built) */
    size_t nodes;
    bool depth_reported;
    bool nodes_reported;
} builder;

/* Byte offset of a libyaml mark (line and column count characters, not bytes). */
static size_t mark_offset(const builder *b, const yaml_mark_t *m) {
    if (m->line >= b->nlines) return b->len;
    size_t off = b->line_start[m->line];
    for (size_t c = 0; c < m->column && off < b->len && b->text[off] != '\n'; c++) {
        off++;
        while (off < b->len && ((unsigned char)b->text[off] & 0xC0) == 0x80) off++;
    }
    return off;
}

static int index_lines(builder *b) {
    size_t n = 1;
    for (size_t i = 0; i < b->len; i++)
        if (b->text[i] == '\n') n++;
    b->line_start = yaa_arena_alloc(b->a, n * sizeof *b->line_start);
    if (!b->line_start) return YAA_ENOMEM;
    size_t l = 0;
    /* libyaml does not count a UTF-8 byte order mark as a column. */
    b->line_start[l++] = b->len >= 3 && memcmp(b->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t i = 0; i < b->len; i++)
        if (b->text[i] == '\n') b->line_start[l++] = i + 1;
    b->nlines = n;
    return 0;
}

static int line_of_offset(const builder *b, size_t off) {
    size_t lo = 0, hi = b->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (b->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo + 1;
}

static bool is_null_scalar(const yaml_event_t *e) {
    if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *v = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    if (n == 0) return true;
    return (n == 1 && v[0] == '~') ||
           (n == 4 &&
            (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 || memcmp(v, "NULL", 4) == 0));
}

static int attach(builder *b, yaa_channels__ynode *n) {
    if (b->depth == 0) return 0;
    yaa_channels__ynode *parent = b->stack[b->depth - 1];
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        yaa_channels__ynode **items = yaa_arena_alloc(b->a, cap * sizeof(yaa_channels__ynode *));
        if (!items) return YAA_ENOMEM;
        if (parent->n) memcpy(items, parent->items, parent->n * sizeof(yaa_channels__ynode *));
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->n++] = n;
    return 0;
}

/* A new node for event e, attached to the open collection; NULL if capped or out of
 * memory (b->p->oom is set for the latter). */
static yaa_channels__ynode *new_node(builder *b, yaa_channels__ykind kind, const yaml_event_t *e,
                                     int *rc) {
    if (b->nodes >= YTREE_NODES_MAX) {
        if (!b->nodes_reported && b->p) {
            yaa_channels__problem(b->p, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
                                  "more than %d values in one file; a channel file is much smaller",
                                  YTREE_NODES_MAX);
            b->p->partial = true;
        }
        b->nodes_reported = true;
        return NULL;
    }
    yaa_channels__ynode *n = yaa_arena_alloc(b->a, sizeof *n);
    if (!n) {
        *rc = YAA_ENOMEM;
        return NULL;
    }
    b->nodes++;
    n->kind = kind;
    n->line = (int)e->start_mark.line + 1;
    n->col = (int)e->start_mark.column + 1;
    n->start = mark_offset(b, &e->start_mark);
    n->end = mark_offset(b, &e->end_mark);
    n->value = "";
    if ((*rc = attach(b, n))) return NULL;
    return n;
}

static int on_scalar(builder *b, const yaml_event_t *e) {
    if (b->skipped) return 0;
    int rc = 0;
    yaa_channels__ynode *n = new_node(b, is_null_scalar(e) ? YAA__YNULL : YAA__YSCALAR, e, &rc);
    if (!n) return rc;
    n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (e->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
        e->data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
        /* a block scalar's span runs over its trailing blank lines: stop at its text */
        while (n->end > n->start && b->text[n->end - 1] && strchr(" \t\r\n", b->text[n->end - 1]))
            n->end--;
    }
    /* libyaml puts an empty value ("key:") at the next token, often a line below: report it
     * on its key's line instead. */
    yaa_channels__ynode *parent = b->stack[b->depth - 1];
    if (e->data.scalar.length == 0 && n->plain && parent->kind == YAA__YMAP && parent->n % 2 == 0) {
        const yaa_channels__ynode *key = parent->items[parent->n - 2];
        n->line = key->line;
        n->col = key->col;
        n->start = n->end = key->end;
    }
    if (n->kind == YAA__YSCALAR) {
        n->value =
            yaa_arena_strndup(b->a, (const char *)e->data.scalar.value, e->data.scalar.length);
        if (!n->value) return YAA_ENOMEM;
        n->len = strlen(n->value); /* an escaped \0 ends the string */
    }
    return 0;
}

static int on_open(builder *b, yaa_channels__ykind kind, const yaml_event_t *e, bool flow) {
    if (b->skipped || b->depth >= YTREE_DEPTH_MAX) {
        if (!b->depth_reported && b->p) {
            yaa_channels__problem(
                b->p, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
                "values nested deeper than %d levels; channel files are at most 4 "
                "levels deep",
                YTREE_DEPTH_MAX);
            b->p->partial = true;
        }
        b->depth_reported = true;
        b->skipped++;
        return 0;
    }
    int rc = 0;
    yaa_channels__ynode *n = new_node(b, kind, e, &rc);
    if (!n) {
        if (rc) return rc;
        b->skipped++; /* node cap: skip this subtree */
        return 0;
    }
    n->flow = flow;
    b->stack[b->depth++] = n;
    return 0;
}

static void on_close(builder *b, const yaml_event_t *e) {
    if (b->skipped) {
        b->skipped--;
        return;
    }
    if (b->depth > 0) {
        yaa_channels__ynode *n = b->stack[--b->depth];
        /* A block collection's end mark lies at the next token, past blank lines and
         * comments: it ends where its last value ends. */
        if (n->flow)
            n->end = mark_offset(b, &e->end_mark);
        else if (n->n > 0 && n->items[n->n - 1]->end > n->start)
            n->end = n->items[n->n - 1]->end;
    }
}

static void syntax_problem(builder *b, const yaml_parser_t *ps) {
    if (!b->p) return;
    int line, col;
    if (ps->error == YAML_READER_ERROR) {
        line = line_of_offset(b, ps->problem_offset < b->len ? ps->problem_offset : b->len);
        col = 0;
    } else {
        line = (int)ps->problem_mark.line + 1;
        col = (int)ps->problem_mark.column + 1;
    }
    const char *problem = ps->problem ? ps->problem : "unknown error";
    if (ps->error == YAML_SCANNER_ERROR) {
        size_t off = mark_offset(b, &ps->problem_mark);
        if (off < b->len && b->text[off] == '\t') {
            yaa_channels__problem(
                b->p, line, col,
                "YAML syntax error: a tab character here; indent with spaces, not tabs");
            b->p->partial = true;
            return;
        }
    }
    if (ps->error == YAML_READER_ERROR && ps->problem_value >= 0 &&
        strstr(problem, "control") != NULL) {
        yaa_channels__problem(
            b->p, line, col,
            "YAML syntax error: control character 0x%02x is not allowed; remove it",
            (unsigned)ps->problem_value & 0xFFu);
    } else if (ps->context && ps->context_mark.line != ps->problem_mark.line) {
        yaa_channels__problem(
            b->p, line, col,
            "YAML syntax error: %s (%s at line %d); check indentation, quotes and "
            "brackets",
            problem, ps->context, (int)ps->context_mark.line + 1);
    } else if (ps->context) {
        yaa_channels__problem(b->p, line, col,
                              "YAML syntax error: %s %s; check indentation, quotes and brackets",
                              ps->context, problem);
    } else {
        yaa_channels__problem(b->p, line, col,
                              "YAML syntax error: %s; check indentation, quotes and brackets",
                              problem);
    }
    b->p->partial = true;
}

int yaa_channels__ytree_parse(yaa_arena *a, const char *text, size_t len, yaa_channels__pctx *p,
                              yaa_channels__ynode **root) {
    *root = NULL;
    builder b = {.a = a, .p = p, .text = text, .len = len};
    if (index_lines(&b)) return YAA_ENOMEM;
    /* The root lives in a one-slot holder so attach() needs no special case. */
    yaa_channels__ynode holder = {.kind = YAA__YSEQ};
    b.stack[b.depth++] = &holder;

    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) return YAA_ENOMEM;
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);

    int rc = 0, docs = 0;
    bool done = false;
    while (!done && !rc) {
        yaml_event_t e;
        if (!yaml_parser_parse(&ps, &e)) {
            if (ps.error == YAML_MEMORY_ERROR)
                rc = YAA_ENOMEM;
            else
                syntax_problem(&b, &ps);
            break;
        }
        switch (e.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                if (p) {
                    yaa_channels__problem(
                        p, (int)e.start_mark.line + 1, 0,
                        "a second YAML document starts here; a channel file holds "
                        "exactly one (remove the '---' line)");
                    p->partial = true;
                }
                done = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            if (p)
                yaa_channels__problem(
                    p, (int)e.start_mark.line + 1, (int)e.start_mark.column + 1,
                    "alias '*%s' is not supported in channel files; write the value "
                    "out in full",
                    (const char *)e.data.alias.anchor);
            {
                /* Stand in an empty value so the map stays well formed. */
                yaml_event_t ne = e;
                ne.type = YAML_SCALAR_EVENT;
                ne.data.scalar.value = (yaml_char_t *)"";
                ne.data.scalar.length = 0;
                ne.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
                rc = on_scalar(&b, &ne);
            }
            break;
        case YAML_SCALAR_EVENT: rc = on_scalar(&b, &e); break;
        case YAML_SEQUENCE_START_EVENT:
            rc =
                on_open(&b, YAA__YSEQ, &e, e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_open(&b, YAA__YMAP, &e, e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: on_close(&b, &e); break;
        default: break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&ps);
    if (rc) return rc;
    if (holder.n > 0) *root = holder.items[0];
    return 0;
}

yaa_channels__ynode *yaa_channels__ymap_get(const yaa_channels__ynode *map, const char *key) {
    if (!map || map->kind != YAA__YMAP) return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->items[i]->kind == YAA__YSCALAR && strcmp(map->items[i]->value, key) == 0)
            return map->items[i + 1];
    return NULL;
}
