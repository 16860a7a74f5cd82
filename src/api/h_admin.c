/* h_admin.c - admin routes: API keys (create / list / revoke) and the audit log. */
#include "api/api_internal.h"
#include "api/apistore.h"

#include <string.h>

int yaa_api__h_keys_create(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *name = json_string_value(json_object_get(req->json, "name"));
    json_t *scopes = json_object_get(req->json, "scopes");
    json_t *exp = json_object_get(req->json, "expires_days");
    /* Keep the scope list unique and in a stable order. */
    json_t *sc = NULL;
    if (scopes) {
        sc = json_array();
        static const char *const order[] = {"read", "write", "admin"};
        for (int i = 0; i < 3; i++) {
            size_t k;
            json_t *it;
            json_array_foreach(scopes, k, it) {
                if (strcmp(json_string_value(it), order[i]) == 0) {
                    json_array_append_new(sc, json_string(order[i]));
                    break;
                }
            }
        }
    }
    json_t *out = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_key_create(req->api->db, name, sc,
                                      exp ? (long)json_integer_value(exp) : 0, &out, &err);
    json_decref(sc);
    if (rc) return yaa_api__fail(resp, rc, &err);
    yaa_api_http_resp_header(resp, req->arena, "Cache-Control", "no-store");
    return yaa_api_http_json(resp, 201, out);
}

int yaa_api__h_keys_list(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    json_t *keys = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_keys_list(req->api->db, &keys, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    json_int_t n = (json_int_t)json_array_size(keys);
    /* api_keys: the same list under the second name some dashboards read (docs/API.md). */
    return yaa_api_http_json(
        resp, 200, json_pack("{s:O, s:o, s:I}", "keys", keys, "api_keys", keys, "total", n));
}

int yaa_api__h_keys_revoke(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *id = yaa_api_http_param(req, 0);
    if (strcmp(id, req->key_id) == 0)
        return yaa_api_http_error(resp, 400, "An API key cannot revoke itself");
    yaa_err err = {0};
    int rc = yaa_api_store_key_revoke(req->api->db, id, &err);
    if (rc == YAA_ECONFLICT) return yaa_api_http_error(resp, 400, "%s", err.msg);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200,
                             json_pack("{s:s, s:s}", "detail", "API key revoked", "key_id", id));
}

int yaa_api__h_audit_list(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    yaa_audit_filter f = {.method = yaa_api_query_str(req, "method"),
                          .path = yaa_api_query_str(req, "path"),
                          .api_key_id = yaa_api_query_str(req, "api_key_id"),
                          .since = yaa_api_query_str(req, "since"),
                          .until = yaa_api_query_str(req, "until"),
                          .status_code = yaa_api_query_long(req, "status_code", -1),
                          .limit = yaa_api_query_long(req, "limit", 100),
                          .offset = yaa_api_query_long(req, "offset", 0)};
    json_t *logs = NULL;
    long total = 0;
    yaa_err err = {0};
    int rc = yaa_api_store_audit_list(req->api->db, &f, &logs, &total, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200,
                             json_pack("{s:o, s:I, s:I, s:I}", "logs", logs, "total",
                                       (json_int_t)total, "limit", (json_int_t)f.limit, "offset",
                                       (json_int_t)f.offset));
}
