/* arena.c - a linked list of blocks; big requests get a block of their own. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct yaa_arena_block {
    yaa_arena_block *next;
    size_t size;
    size_t off;
    _Alignas(16) unsigned char data[];
};

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK 8192

void yaa_arena_init(yaa_arena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->used = 0;
    a->cap = 0;
}

void *yaa_arena_alloc(yaa_arena *a, size_t n) {
    if (n == 0) n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (a->cap && a->used + need > a->cap) return NULL;
    yaa_arena_block *b = a->head;
    if (!b || b->size - b->off < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        b = malloc(sizeof *b + size);
        if (!b) return NULL;
        b->size = size;
        b->off = 0;
        /* An oversized block goes behind the head so the head's free space stays usable. */
        if (a->head && need > a->block_size) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->off;
    b->off += need;
    a->used += need;
    memset(p, 0, n);
    return p;
}

char *yaa_arena_strndup(yaa_arena *a, const char *s, size_t n) {
    if (!s) return NULL;
    char *p = yaa_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *yaa_arena_strdup(yaa_arena *a, const char *s) {
    return s ? yaa_arena_strndup(a, s, strlen(s)) : NULL;
}

char *yaa_arena_vsprintf(yaa_arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *p = yaa_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *yaa_arena_sprintf(yaa_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = yaa_arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void yaa_arena_reset(yaa_arena *a) {
    yaa_arena_block *b = a->head;
    while (b) {
        yaa_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

void yaa_arena_free(yaa_arena *a) { yaa_arena_reset(a); }
