/* redis_conn.h - a Redis endpoint shared by threads: one hiredis context per thread (hiredis
 * contexts are not thread-safe), connect and command timeouts, and reconnection with backoff
 * when the connection breaks (a Redis restart). Its own library (`redis`, on core) because two
 * libraries use it: the queue's Redis Streams backend and the API's shared rate limiter. */
#ifndef YAA_REDIS_CONN_H
#define YAA_REDIS_CONN_H

#include "core/err.h"

#include <hiredis/hiredis.h>
#include <stddef.h>

typedef struct yaa_redis yaa_redis;

/* Called on every new connection (e.g. to create a consumer group); non-zero fails it. */
typedef int (*yaa_redis_on_connect)(redisContext *c, void *ud);

/* url: redis://[:password@]host[:port][/db]. Does not connect (the first command does). */
int yaa_redis_new(const char *url, yaa_redis **out, yaa_err *err);
void yaa_redis_set_on_connect(yaa_redis *r, yaa_redis_on_connect fn, void *ud);
/* Total time a command keeps retrying a broken connection (default 3000 ms). */
void yaa_redis_set_retry_ms(yaa_redis *r, int ms);
void yaa_redis_free(yaa_redis *r);
/* "host:port" for messages (never the password). */
const char *yaa_redis_where(const yaa_redis *r);

/* Runs one command on this thread's connection, reconnecting with backoff (50 ms doubling)
 * while the connection is broken. Returns the reply (an error reply is a reply: check type)
 * or NULL with err set (YAA_EUNAVAILABLE) when Redis stayed unreachable. Free with
 * freeReplyObject. block_ms > 0 widens the read timeout for a blocking command. */
redisReply *yaa_redis_cmd(yaa_redis *r, int block_ms, int argc, const char **argv,
                          const size_t *lens, yaa_err *err);

#endif
