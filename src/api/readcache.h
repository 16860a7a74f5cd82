/* readcache.h - a bounded in-process cache of what the API derives from the database (API
 * keys by hash, list pages), each entry valid only at the database generation it was read at.
 *
 *   uint64_t gen;
 *   if (yaa_db_generation(db, &gen)) {            // read BEFORE the data
 *       if (yaa_api_readcache_get(c, key, gen, &out)) ...hit...
 *       ...read the database into v...
 *       yaa_api_readcache_put(c, key, gen, v, n);
 *   }
 *
 * A write anywhere (this process or another) moves the generation, so an entry never outlives
 * the data it came from: a key revoked by `yaa keys revoke` is refused on the next request.
 * Fixed number of slots (a key maps to one slot; a newer entry replaces it), values past
 * max_value are not kept: memory stays under slots x max_value. Thread-safe. */
#ifndef YAA_API_READCACHE_H
#define YAA_API_READCACHE_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yaa_readcache yaa_readcache;

yaa_readcache *yaa_api_readcache_new(size_t slots, size_t max_value);
void yaa_api_readcache_free(yaa_readcache *c);
/* Appends the value kept under key at generation gen to out; false on a miss (nothing kept,
 * another key in the slot, an older generation, or out is full). */
bool yaa_api_readcache_get(yaa_readcache *c, const char *key, uint64_t gen, yaa_buf *out);
/* The same into a fixed-size object: a hit only when the value is exactly n bytes. */
bool yaa_api_readcache_get_obj(yaa_readcache *c, const char *key, uint64_t gen, void *out,
                               size_t n);
/* Keeps a copy of v under key at gen (nothing if too large, or no memory). */
void yaa_api_readcache_put(yaa_readcache *c, const char *key, uint64_t gen, const void *v,
                           size_t n);

#endif
