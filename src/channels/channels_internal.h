/* channels_internal.h - internals shared by the channel loader files: a small YAML node tree built
 * from libyaml events (with positions), and the problem list. Not for other libraries. */
#ifndef YAA_CHANNELS_INTERNAL_H
#define YAA_CHANNELS_INTERNAL_H

#include "channels/channels.h"

#include <stdarg.h>

typedef enum { YAA__YNULL = 0, YAA__YSCALAR, YAA__YSEQ, YAA__YMAP } yaa_channels__ykind;

typedef struct yaa_channels__ynode yaa_channels__ynode;
struct yaa_channels__ynode {
    yaa_channels__ykind kind; /* YNULL: an empty plain scalar or null/~ */
    int line;                 /* 1-based */
    int col;                  /* 1-based */
    size_t start;             /* byte span of the node in the text (for edits) */
    size_t end;
    bool plain;                  /* scalar written without quotes or block style */
    bool flow;                   /* a [ ] or { } collection */
    char *value;                 /* scalar text (NUL-terminated; "" for YNULL) */
    size_t len;                  /* scalar length in bytes */
    yaa_channels__ynode **items; /* SEQ: n items; MAP: 2*n (key, value, key, value ...) */
    size_t n;
    size_t cap;
};

/* Where problems go while one file is parsed. */
typedef struct yaa_channels__pctx {
    yaa_channel *ch;
    const char *file;     /* label used in messages (arena copy) */
    size_t first_problem; /* index in ch->problems of this file's first problem */
    size_t count;         /* problems of this file, shown or not */
    bool partial;         /* the tree is incomplete (syntax error): skip "missing" checks */
    int oom;
} yaa_channels__pctx;

/* Appends "file:line: msg" (line 0 = whole file). Counts past YAA_CHANNEL_PROBLEMS_MAX
 * without storing. */
void yaa_channels__problem(yaa_channels__pctx *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Builds the node tree of text (len bytes, any content) in arena a. Syntax errors, aliases,
 * extra documents and nesting past the cap are reported through p (may be NULL) and set
 * p->partial. *root is NULL for an empty document. Returns 0 or YAA_ENOMEM. */
int yaa_channels__ytree_parse(yaa_arena *a, const char *text, size_t len, yaa_channels__pctx *p,
                              yaa_channels__ynode **root);

/* Map lookup: the value node of key, or NULL. */
yaa_channels__ynode *yaa_channels__ymap_get(const yaa_channels__ynode *map, const char *key);

/* Walks the schema of `kind` over root and fills p->ch. */
void yaa_channels__schema_apply(yaa_channels__pctx *p, yaa_channel_file kind,
                                const yaa_channels__ynode *root);

#endif
