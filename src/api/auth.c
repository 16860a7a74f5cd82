/* auth.c - API key authentication: the presented key's SHA-256 is looked up (compared in
 * constant time); inactive or expired keys are refused; usage time recorded off the request
 * path by the audit thread. DISABLE_AUTH grants every scope (development only). */
#include "api/api_internal.h"
#include "api/apistore.h"
#include "api/readcache.h"

#include "core/log.h"
#include "core/util.h"

#include <string.h>
#include <time.h>

/* The key with this hash: kept in the read cache while the database is unchanged (any write,
 * a revocation from another process included, moves the generation: the next request reads
 * the key again). Unknown keys are not kept: random keys must not push good ones out. */
static int key_lookup(yaa_http_req *req, const char *hash, yaa_apistore_key *k, yaa_err *err) {
    yaa_api *api = req->api;
    uint64_t gen;
    bool cache = yaa_api__db_generation(req, &gen);
    if (cache && yaa_api_readcache_get_obj(api->keys_cache, hash, gen, k, sizeof *k)) {
        k->expired = yaa_api_store_key_expired(k, time(NULL));
        return 0;
    }
    int rc = yaa_api_store_key_lookup(api->db, hash, k, err);
    if (rc == 0 && cache) yaa_api_readcache_put(api->keys_cache, hash, gen, k, sizeof *k);
    return rc;
}

int yaa_api__auth(yaa_api *api, yaa_http_req *req, yaa_http_resp *resp) {
    if (api->cfg && api->cfg->disable_auth) {
        req->scopes = YAA_SCOPE_READ | YAA_SCOPE_WRITE | YAA_SCOPE_ADMIN;
        return 0;
    }
    const char *hdr = api->cfg ? api->cfg->api_key_header : "X-API-Key";
    const char *key = yaa_api_http_header_get(req, hdr);
    if (!key || !*key) {
        yaa_api_http_error(resp, 401, "Missing API key (send it in the %s header)", hdr);
        return 401;
    }
    if (!api->db) {
        yaa_api_http_error(resp, 503, "database not configured");
        return 503;
    }
    char hash[65];
    yaa_sha256_hex(key, strlen(key), hash);
    yaa_apistore_key k;
    yaa_err err = {0};
    int rc = key_lookup(req, hash, &k, &err);
    if (rc == YAA_ENOTFOUND) {
        yaa_api_http_error(resp, 401, "Invalid API key");
        return 401;
    }
    if (rc) {
        yaa_log_ev(YAA_LOG_ERROR, "api.auth", "key lookup failed", YAA_F_STR("error", err.msg),
                   YAA_F_END);
        yaa_api_http_error(resp, 503, "authentication unavailable: database error");
        return 503;
    }
    if (!k.active) {
        yaa_api_http_error(resp, 401, "API key has been revoked");
        return 401;
    }
    if (k.expired) {
        yaa_api_http_error(resp, 401, "API key has expired");
        return 401;
    }
    snprintf(req->key_id, sizeof req->key_id, "%s", k.id);
    req->scopes = k.scopes;
    yaa_api_audit_touch(api->audit, k.id);
    return 0;
}

int yaa_api_auth_bootstrap(yaa_api *api, yaa_err *err) {
    if (api->cfg && api->cfg->disable_auth)
        yaa_log_ev(YAA_LOG_WARN, "api.auth",
                   "DISABLE_AUTH is on: every request is allowed with every scope; never use "
                   "this outside development",
                   YAA_F_END);
    if (!api->cfg || !api->cfg->admin_api_key || !*api->cfg->admin_api_key || !api->db) return 0;
    int rc = yaa_api_store_key_ensure(api->db, api->cfg->admin_api_key, "bootstrap-admin", err);
    if (rc == 0)
        yaa_log_ev(YAA_LOG_INFO, "api.auth", "ADMIN_API_KEY bootstrap key ensured", YAA_F_END);
    return rc;
}
