/* chunk_yaml.c - cuts any YAML document into chunks along its structure: each non-empty
 * scalar becomes a chunk whose section is its path (`competitors[1].differentiation`) and
 * whose text is one line of path words, what the field means in English and Korean (from the
 * table beside the channel schema, src/channels/meaning.c, so a question about "what to
 * avoid" or "피해야 할" finds `dont` rules) and labels, then a newline and the value. */
#include "rag/rag.h"

#include "channels/channels.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* Keys whose value names a list item (used as context for its siblings). */

#define MEANING_ROWS 2 /* the field's own row and its enclosing field's */
static int is_label_key(const char *k) {
    return strcmp(k, "name") == 0 || strcmp(k, "channel") == 0 || strcmp(k, "title") == 0;
}

typedef struct walk {
    yaml_document_t *doc;
    yaa_rag_chunks *out;
    const char *source;
    yaa_buf path;          /* "a.b[2].c" */
    const char *keys[32];  /* keys along the path (NULL for sequence steps) */
    const char *label[32]; /* "channel: X" context of enclosing list items */
    int depth;
    int rc;
} walk;

static int emit(walk *w, const char *value) {
    yaa_buf t;
    yaa_buf_init(&t, 0);
    int rc = 0;
    /* Path words: "tone and manner > dont" with underscores as spaces. */
    for (int i = 0; i < w->depth && !rc; i++) {
        if (!w->keys[i]) continue;
        if (t.len) rc = yaa_buf_puts(&t, " > ");
        for (const char *p = w->keys[i]; *p && !rc; p++)
            rc = yaa_buf_putc(&t, *p == '_' ? ' ' : *p);
    }
    /* What the field means (channels/meaning.c), in English and Korean: the field's own row
     * and its enclosing field's ("what viewers struggle with" is about the audience too). */
    char field[512];
    int rows = 0;
    for (int upto = w->depth; upto > 0 && rows < MEANING_ROWS && !rc; upto--) {
        if (!w->keys[upto - 1]) continue; /* a list index: the same field */
        size_t len = 0;
        field[0] = '\0';
        for (int i = 0; i < upto; i++) {
            if (!w->keys[i]) continue;
            int k = snprintf(field + len, sizeof field - len, "%s%s", len ? "." : "", w->keys[i]);
            if (k < 0 || (size_t)k >= sizeof field - len) break;
            len += (size_t)k;
        }
        const yaa_channels_meaning *m = yaa_channels_field_meaning(field);
        if (m) rc = yaa_buf_printf(&t, "%s%s; %s", rows++ ? "; " : " (", m->en, m->ko);
    }
    if (rows && !rc) rc = yaa_buf_putc(&t, ')');
    for (int i = 0; i < w->depth && !rc; i++)
        if (w->label[i]) rc = yaa_buf_printf(&t, " [%s]", w->label[i]);
    if (!rc) rc = yaa_buf_printf(&t, "\n%s", value);
    if (!rc) rc = yaa_rag_chunks_add(w->out, w->source, yaa_buf_cstr(&w->path), yaa_buf_cstr(&t));
    yaa_buf_free(&t);
    return rc;
}

/* Sections of config.yaml that are operating settings, not brand knowledge: a budget or a
 * review gate says nothing about what to write, and their words ("a month", "review") would
 * only pull them into unrelated topics. */
static int is_operational(const char *source, const char *key) {
    return strcmp(source, "config.yaml") == 0 &&
           (strcmp(key, "budget") == 0 || strcmp(key, "publishing") == 0);
}

static void walk_node(walk *w, yaml_node_t *n);

static void walk_child(walk *w, const char *key, size_t index, yaml_node_t *child,
                       const char *label) {
    if (w->rc || !child) return;
    if (w->depth >= 32) return; /* absurdly deep: ignore the rest */
    size_t saved = w->path.len;
    if (key)
        w->rc = yaa_buf_printf(&w->path, "%s%s", saved ? "." : "", key);
    else
        w->rc = yaa_buf_printf(&w->path, "[%zu]", index);
    if (w->rc) return;
    w->keys[w->depth] = key;
    w->label[w->depth] = label;
    w->depth++;
    walk_node(w, child);
    w->depth--;
    w->path.len = saved;
    if (w->path.data) w->path.data[saved] = '\0';
}

static const char *scalar_of(yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void walk_node(walk *w, yaml_node_t *n) {
    if (w->rc || !n) return;
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *v = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length;
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\n')) len--;
        if (len == 0) return;
        if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (strcmp(v, "~") == 0 || strcmp(v, "null") == 0))
            return;
        char *copy = yaa_arena_strndup(&w->out->arena, v, len);
        w->rc = copy ? emit(w, copy) : YAA_ENOMEM;
        return;
    }
    case YAML_SEQUENCE_NODE: {
        size_t i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top && !w->rc; it++, i++) {
            yaml_node_t *child = yaml_document_get_node(w->doc, *it);
            const char *label = NULL;
            /* A mapping item with a "channel"/"name" key labels its other fields. */
            if (child && child->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *p = child->data.mapping.pairs.start;
                     p < child->data.mapping.pairs.top; p++) {
                    const char *k = scalar_of(yaml_document_get_node(w->doc, p->key));
                    const char *v = scalar_of(yaml_document_get_node(w->doc, p->value));
                    if (k && v && *v && is_label_key(k)) {
                        char *l = yaa_arena_sprintf(&w->out->arena, "%s: %s", k, v);
                        for (char *q = l; q && *q; q++)
                            if (*q == '\n' || *q == '\r') *q = ' ';
                        label = l;
                        break;
                    }
                }
            }
            walk_child(w, NULL, i, child, label);
        }
        return;
    }
    case YAML_MAPPING_NODE:
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top && !w->rc; p++) {
            const char *k = scalar_of(yaml_document_get_node(w->doc, p->key));
            if (!k || !*k) continue;
            if (w->depth == 0 && is_operational(w->source, k)) continue;
            walk_child(w, k, 0, yaml_document_get_node(w->doc, p->value), NULL);
        }
        return;
    default: return;
    }
}

int yaa_rag_chunk_yaml(yaa_rag_chunks *out, const char *source, const char *yaml, size_t len,
                       yaa_err *err) {
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int rc = yaa_err_set(err, YAA_EPARSE, "%s:%zu:%zu: %s", source,
                             parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                             parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        return rc;
    }
    walk w = {.doc = &doc, .out = out, .source = source};
    yaa_buf_init(&w.path, 4096);
    walk_node(&w, yaml_document_get_root_node(&doc));
    yaa_buf_free(&w.path);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (w.rc) return yaa_err_set(err, w.rc, "%s: %s", source, yaa_strerror(w.rc));
    return 0;
}
