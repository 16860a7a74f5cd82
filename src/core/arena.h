/* arena.h - region allocator: one per request or stage, freed at once. */
#ifndef YAA_CORE_ARENA_H
#define YAA_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct yaa_arena_block yaa_arena_block;

typedef struct yaa_arena {
    yaa_arena_block *head;
    size_t block_size; /* default size of a new block */
    size_t used;       /* bytes handed out, for stats and caps */
    size_t cap;        /* 0 = unbounded; otherwise allocations past it fail */
} yaa_arena;

void yaa_arena_init(yaa_arena *a, size_t block_size);
/* Returns zeroed, 16-byte aligned memory, or NULL when out of memory or over cap. */
void *yaa_arena_alloc(yaa_arena *a, size_t n);
char *yaa_arena_strdup(yaa_arena *a, const char *s);
char *yaa_arena_strndup(yaa_arena *a, const char *s, size_t n);
char *yaa_arena_sprintf(yaa_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *yaa_arena_vsprintf(yaa_arena *a, const char *fmt, va_list ap);
/* Frees every block but keeps the arena usable. */
void yaa_arena_reset(yaa_arena *a);
void yaa_arena_free(yaa_arena *a);

#endif
