/* redis_conn.c - per-thread hiredis contexts with timeouts and reconnect-with-backoff. */
#include "redis/redis_conn.h"

#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_MS 2000
#define COMMAND_TIMEOUT_MS 5000

struct yaa_redis {
    char host[256];
    int port;
    int db;
    char password[256];
    char where[300];
    int retry_ms;
    pthread_key_t key;
    yaa_redis_on_connect on_connect;
    void *on_connect_ud;
};

static void ctx_free(void *p) {
    if (p) redisFree(p);
}

int yaa_redis_new(const char *url, yaa_redis **out, yaa_err *err) {
    *out = NULL;
    if (!url || strncmp(url, "redis://", 8) != 0)
        return yaa_err_set(err, YAA_ECONFIG, "Redis URL: expected redis://host:port/db");
    yaa_redis *r = calloc(1, sizeof *r);
    if (!r) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    r->port = 6379;
    r->retry_ms = 3000;
    const char *p = url + 8;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t n = (size_t)(at - pw);
        if (n >= sizeof r->password) n = sizeof r->password - 1;
        memcpy(r->password, pw, n);
        p = at + 1;
    }
    size_t hl = strcspn(p, ":/");
    if (hl == 0 || hl >= sizeof r->host) {
        free(r);
        return yaa_err_set(err, YAA_ECONFIG, "Redis URL: missing host (redis://host:port/db)");
    }
    memcpy(r->host, p, hl);
    p += hl;
    if (*p == ':') {
        char *end = NULL;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port <= 0 || port > 65535) {
            free(r);
            return yaa_err_set(err, YAA_ECONFIG, "Redis URL: bad port");
        }
        r->port = (int)port;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end = NULL;
        long db = strtol(p + 1, &end, 10);
        if (end == p + 1 || db < 0 || db > 1000000) {
            free(r);
            return yaa_err_set(err, YAA_ECONFIG, "Redis URL: bad database number");
        }
        r->db = (int)db;
    }
    snprintf(r->where, sizeof r->where, "%s:%d", r->host, r->port);
    if (pthread_key_create(&r->key, ctx_free) != 0) {
        free(r);
        return yaa_err_set(err, YAA_EIO, "cannot create a thread key");
    }
    *out = r;
    return 0;
}

void yaa_redis_set_on_connect(yaa_redis *r, yaa_redis_on_connect fn, void *ud) {
    r->on_connect = fn;
    r->on_connect_ud = ud;
}

void yaa_redis_set_retry_ms(yaa_redis *r, int ms) { r->retry_ms = ms < 0 ? 0 : ms; }

const char *yaa_redis_where(const yaa_redis *r) { return r->where; }

void yaa_redis_free(yaa_redis *r) {
    if (!r) return;
    ctx_free(pthread_getspecific(r->key));
    pthread_setspecific(r->key, NULL);
    pthread_key_delete(r->key);
    memset(r->password, 0, sizeof r->password);
    free(r);
}

static int simple(redisContext *c, const char *a0, const char *a1, const char *a2) {
    const char *argv[3] = {a0, a1, a2};
    int argc = a2 ? 3 : a1 ? 2 : 1;
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    int ok = rep && rep->type != REDIS_REPLY_ERROR;
    if (rep) freeReplyObject(rep);
    return ok ? 0 : -1;
}

/* A connected context for this thread, or NULL with *why set. */
static redisContext *get_ctx(yaa_redis *r, char *why, size_t whyn) {
    redisContext *c = pthread_getspecific(r->key);
    if (c && !c->err) return c;
    if (c) {
        redisFree(c);
        pthread_setspecific(r->key, NULL);
    }
    struct timeval ct = {CONNECT_TIMEOUT_MS / 1000, (CONNECT_TIMEOUT_MS % 1000) * 1000};
    c = redisConnectWithTimeout(r->host, r->port, ct);
    if (!c || c->err) {
        snprintf(why, whyn, "%s", c ? c->errstr : "cannot allocate a context");
        if (c) redisFree(c);
        return NULL;
    }
    struct timeval tt = {COMMAND_TIMEOUT_MS / 1000, 0};
    redisSetTimeout(c, tt);
    if (r->password[0] && simple(c, "AUTH", r->password, NULL) != 0) {
        snprintf(why, whyn, "authentication failed");
        redisFree(c);
        return NULL;
    }
    if (r->db) {
        char dbs[16];
        snprintf(dbs, sizeof dbs, "%d", r->db);
        if (simple(c, "SELECT", dbs, NULL) != 0) {
            snprintf(why, whyn, "SELECT %d failed", r->db);
            redisFree(c);
            return NULL;
        }
    }
    if (r->on_connect && r->on_connect(c, r->on_connect_ud) != 0) {
        snprintf(why, whyn, "%s", c->err ? c->errstr : "connection setup failed");
        redisFree(c);
        return NULL;
    }
    pthread_setspecific(r->key, c);
    return c;
}

redisReply *yaa_redis_cmd(yaa_redis *r, int block_ms, int argc, const char **argv,
                          const size_t *lens, yaa_err *err) {
    uint64_t deadline = yaa_mono_ns() + (uint64_t)r->retry_ms * 1000000ull;
    long backoff = 50;
    char why[256] = "";
    for (;;) {
        redisContext *c = get_ctx(r, why, sizeof why);
        if (c) {
            if (block_ms > 0) {
                long ms = COMMAND_TIMEOUT_MS + block_ms;
                redisSetTimeout(c, (struct timeval){ms / 1000, (ms % 1000) * 1000});
            }
            redisReply *rep = redisCommandArgv(c, argc, argv, lens);
            if (block_ms > 0 && !c->err)
                redisSetTimeout(c, (struct timeval){COMMAND_TIMEOUT_MS / 1000, 0});
            if (rep) return rep;
            snprintf(why, sizeof why, "%s", c->errstr[0] ? c->errstr : "connection lost");
            redisFree(c);
            pthread_setspecific(r->key, NULL);
        }
        if (yaa_mono_ns() >= deadline) break;
        yaa_sleep_ms(backoff);
        backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
    }
    yaa_err_set(err, YAA_EUNAVAILABLE, "Redis at %s unreachable: %s", r->where, why);
    return NULL;
}
