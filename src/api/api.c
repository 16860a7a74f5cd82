/* api.c - the API context: configuration, rate limiter, audit writer, web directory. */
#include "api/api_internal.h"
#include "api/ratelimit_redis.h"
#include "api/apistore.h"
#include "api/readcache.h"

#include "core/log.h"
#include "core/util.h"
#include "db/repo.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int audit_write(void *ud, const yaa_audit_entry *rows, size_t n, yaa_err *err) {
    yaa_api *api = ud;
    return yaa_api_store_audit_insert(api->db, rows, n, err);
}

static int audit_prune(void *ud, long days, yaa_err *err) {
    yaa_api *api = ud;
    char before[40];
    yaa_time_format(yaa_now() - (time_t)days * 86400, before);
    int64_t n = 0;
    int rc = yaa_db_audit_delete_before(api->db, before, &n, err);
    if (rc == 0 && n > 0)
        yaa_log_ev(YAA_LOG_INFO, "api.audit", "old audit rows deleted", YAA_F_INT("rows", (long)n),
                   YAA_F_INT("retention_days", days), YAA_F_END);
    return rc;
}

static int audit_touch(void *ud, const char *const *ids, size_t n, yaa_err *err) {
    yaa_api *api = ud;
    return yaa_api_store_keys_touch(api->db, ids, n, err);
}

/* API_THREADS, or four per core within 4..32: libmicrohttpd runs each request on the thread
 * that owns its connection, so a few threads per core keep the cores busy while requests wait
 * on the database, and more only add context switches (16 on 2 cores cost a fifth of a
 * cheap request's CPU; docs/benchmarks/http.md). */
static int default_threads(const yaa_config *cfg) {
    if (cfg && cfg->api_threads > 0) return (int)cfg->api_threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long n = cores > 0 ? cores * 4 : 8;
    return (int)(n < 4 ? 4 : n > 32 ? 32 : n);
}

int yaa_api_new(const yaa_api_opts *opts, yaa_api **out, yaa_err *err) {
    *out = NULL;
    yaa_api *api = calloc(1, sizeof *api);
    if (!api) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    api->cfg = opts->cfg;
    api->db = opts->db;
    api->queue = opts->queue;
    const char *host = opts->host ? opts->host : (opts->cfg ? opts->cfg->api_host : "127.0.0.1");
    api->host = strdup(host ? host : "127.0.0.1");
    api->port = opts->port ? opts->port : (opts->cfg ? opts->cfg->api_port : 8000);
    api->threads = opts->threads > 0 ? opts->threads : default_threads(opts->cfg);
    const char *web = opts->web_dir ? opts->web_dir : (opts->cfg ? opts->cfg->web_dir : NULL);
    if (!web || !*web) web = "./web/dist";
    struct stat st;
    if (stat(web, &st) == 0 && S_ISDIR(st.st_mode)) {
        api->web_dir = strdup(web);
    } else {
        api->web_missing = strdup(web);
        if (opts->cfg)
            yaa_log_ev(YAA_LOG_INFO, "api", "no dashboard build found; static files not served",
                       YAA_F_STR("dir", web), YAA_F_END);
    }
    api->rl = yaa_api_ratelimit_new(opts->cfg ? opts->cfg->rate_limit_per_minute : 0);
    if (api->rl && opts->cfg) yaa_api_ratelimit_redis_attach(api->rl, opts->cfg->redis_url);
    api->authfail = yaa_api_ratelimit_new(opts->cfg ? opts->cfg->auth_failures_per_minute : 20);
    /* what the hot reads keep between writes: keys (a few hundred), list pages (64 x 64 KiB) */
    api->keys_cache = yaa_api_readcache_new(256, sizeof(yaa_apistore_key));
    api->pages_cache = yaa_api_readcache_new(64, 64 * 1024);
    api->health = yaa_api__health_new();
    if (!api->host || !api->rl || !api->authfail || !api->keys_cache || !api->pages_cache ||
        !api->health) {
        yaa_api_free(api);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    if (api->db) api->audit = yaa_api_audit_start(audit_write, audit_touch, api);
    if (api->audit && opts->cfg)
        yaa_api_audit_set_retention(api->audit, opts->cfg->audit_retention_days, audit_prune);
    *out = api;
    return 0;
}
