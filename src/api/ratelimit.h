/* ratelimit.h - token bucket per API key (or client IP): RATE_LIMIT_PER_MINUTE tokens,
 * refilled continuously. In-process by default; a shared backend (Redis) can be plugged in so
 * limits hold across API instances. */
#ifndef YAA_API_RATELIMIT_H
#define YAA_API_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct yaa_ratelimit yaa_ratelimit;

typedef struct yaa_rl_result {
    bool allowed;
    long limit;
    long remaining;   /* whole tokens left after this request */
    long retry_after; /* seconds until one token is back (when !allowed) */
} yaa_rl_result;

/* A shared backend: takes (or peeks, consume=false) one token for key. Returns 0, or a
 * negative code to fall back to the in-process bucket. */
typedef int (*yaa_ratelimit_backend_fn)(void *ud, const char *key, long per_minute, bool consume,
                                        yaa_rl_result *out);

/* per_minute <= 0 disables limiting (every request allowed). */
yaa_ratelimit *yaa_api_ratelimit_new(long per_minute);
void yaa_api_ratelimit_free(yaa_ratelimit *rl);
void yaa_api_ratelimit_set_backend(yaa_ratelimit *rl, yaa_ratelimit_backend_fn fn, void *ud);

/* Takes one token (consume) or only reports the bucket (peek). */
void yaa_api_ratelimit_take(yaa_ratelimit *rl, const char *key, bool consume, yaa_rl_result *out);
/* The same with an explicit monotonic clock, for tests. */
void yaa_api_ratelimit_take_at(yaa_ratelimit *rl, const char *key, bool consume, uint64_t now_ns,
                               yaa_rl_result *out);

#endif
