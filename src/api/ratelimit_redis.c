/* ratelimit_redis.c - token buckets in Redis (hash yaa:ratelimit:<sha256 of the key> with
 * tokens and ts, expiring a minute after the last take), one per API key or client IP. */
#include "api/ratelimit_redis.h"

#include "core/log.h"
#include "core/util.h"
#include "redis/redis_conn.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define RETRY_AFTER_NS (5ull * 1000000000ull) /* skip Redis this long after a failure */

/* ARGV: per_minute, consume (1/0) -> {allowed, remaining, retry_after}. */
static const char RL_SCRIPT[] =
    "local cap = tonumber(ARGV[1])\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')\n"
    "local tokens = tonumber(v[1]) or cap\n"
    "local ts = tonumber(v[2]) or now\n"
    "if now > ts then tokens = math.min(cap, tokens + (now - ts) * cap / 60000) end\n"
    "local allowed, retry = 1, 0\n"
    "if ARGV[2] == '1' then\n"
    "  if tokens >= 1 then tokens = tokens - 1 else\n"
    "    allowed = 0\n"
    "    retry = math.max(1, math.ceil((1 - tokens) * 60 / cap)) end\n"
    "  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)\n"
    "  redis.call('PEXPIRE', KEYS[1], 61000)\n"
    "end\n"
    "return {allowed, math.floor(tokens), retry}\n";

typedef struct rl_redis {
    yaa_redis *r;
    atomic_bool warned;
    _Atomic uint64_t down_until_ns;
} rl_redis;

static int take(void *ud, const char *key, long per_minute, bool consume, yaa_rl_result *out) {
    rl_redis *b = ud;
    uint64_t now = yaa_mono_ns();
    if (now < atomic_load(&b->down_until_ns)) return -1;
    char hex[65], rkey[96], pm[24];
    yaa_sha256_hex(key, strlen(key), hex); /* never the API key itself in Redis */
    snprintf(rkey, sizeof rkey, "yaa:ratelimit:%.32s", hex);
    snprintf(pm, sizeof pm, "%ld", per_minute);
    const char *argv[] = {"EVAL", RL_SCRIPT, "1", rkey, pm, consume ? "1" : "0"};
    yaa_err err = {0};
    redisReply *rep = yaa_redis_cmd(b->r, 0, 6, argv, NULL, &err);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
        if (!atomic_exchange(&b->warned, true))
            yaa_log_ev(
                YAA_LOG_WARN, "api",
                "shared rate limit unavailable; limiting per process until Redis is back",
                YAA_F_STR("error", rep ? (rep->type == REDIS_REPLY_ERROR ? rep->str : "bad reply")
                                       : err.msg),
                YAA_F_END);
        if (rep) freeReplyObject(rep);
        atomic_store(&b->down_until_ns, now + RETRY_AFTER_NS);
        return -1;
    }
    if (atomic_exchange(&b->warned, false))
        yaa_log_ev(YAA_LOG_INFO, "api", "shared rate limit back on Redis", YAA_F_END);
    out->allowed = rep->element[0]->integer == 1;
    out->remaining = (long)rep->element[1]->integer;
    out->retry_after = (long)rep->element[2]->integer;
    out->limit = per_minute;
    freeReplyObject(rep);
    return 0;
}

int yaa_api_ratelimit_redis_attach(yaa_ratelimit *rl, const char *redis_url) {
    if (!rl || !redis_url || strncmp(redis_url, "redis://", 8) != 0) return 0;
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static rl_redis *shared; /* one per process, for its lifetime */
    static char shared_url[512];
    pthread_mutex_lock(&mu);
    if (!shared || strcmp(shared_url, redis_url) != 0) {
        static rl_redis slots[4];
        static int used;
        yaa_err err = {0};
        yaa_redis *r = NULL;
        if (used >= 4 || yaa_redis_new(redis_url, &r, &err) != 0) {
            pthread_mutex_unlock(&mu);
            yaa_log_ev(YAA_LOG_WARN, "api", "REDIS_URL unusable; rate limits are per process",
                       YAA_F_STR("error", err.msg), YAA_F_END);
            return err.code ? err.code : -1;
        }
        yaa_redis_set_retry_ms(r, 0); /* one try: a request never waits for a dead Redis */
        shared = &slots[used++];
        shared->r = r;
        snprintf(shared_url, sizeof shared_url, "%s", redis_url);
    }
    yaa_api_ratelimit_set_backend(rl, take, shared);
    pthread_mutex_unlock(&mu);
    return 0;
}
