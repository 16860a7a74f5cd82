/* ratelimit_redis.h - the shared backend of the API rate limiter: with REDIS_URL set, every
 * API process takes its tokens from the same bucket in Redis (one Lua script does the bucket
 * math atomically; keys expire once the bucket is full again), so per-key limits hold across
 * processes. When Redis is unreachable the in-process bucket is used (warned once) and Redis is
 * tried again a few seconds later. */
#ifndef YAA_API_RATELIMIT_REDIS_H
#define YAA_API_RATELIMIT_REDIS_H

#include "api/ratelimit.h"

/* Plugs the Redis backend into rl when redis_url is a redis:// URL; otherwise does nothing.
 * The connection lives for the process. Returns 0, or a negative code on a malformed URL
 * (rl keeps limiting locally). */
int yaa_api_ratelimit_redis_attach(yaa_ratelimit *rl, const char *redis_url);

#endif
