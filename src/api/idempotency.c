/* idempotency.c - `Idempotency-Key` on the POSTs that create runs: a client that retries
 * (a timeout, a dropped connection) with the same key and body within 24 h gets the first
 * answer again, and no second run; the same key with another body is refused (422); a retry
 * while the first request still runs gets 409. Keys are per API key and per route; answers
 * of 5xx are not kept (the client may try again). Rows older than 24 h are pruned.
 *
 * A reservation (the row written before the first request runs) whose request has not
 * answered within IDEM_PENDING_SEC is abandoned: the API stopped between reserving and
 * answering. The next request with the key takes it over instead of getting 409 for 24 h. */
#include "api/api_internal.h"

#include "core/log.h"
#include "core/util.h"
#include "db/repo.h"

#include <stdio.h>
#include <string.h>

#define IDEM_TTL_SEC (24 * 3600)
/* Creating a run answers in well under a second; a minute without an answer means the
 * request died with its process. */
#define IDEM_PENDING_SEC 60
#define IDEM_KEY_MAX 255

static bool key_ok(const char *k) {
    size_t n = strlen(k);
    if (n == 0 || n > IDEM_KEY_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e) return false;
    return true;
}

/* Whether a stored row no longer holds its key: a kept answer older than 24 h, or a
 * reservation whose request never answered (see IDEM_PENDING_SEC). */
static bool expired(const yaa_db_idem *row) {
    time_t t = 0;
    if (!row->created_at || yaa_time_parse(row->created_at, &t) != 0) return true;
    return yaa_now() - t > (row->status_code == 0 ? IDEM_PENDING_SEC : IDEM_TTL_SEC);
}

/* Answers from a stored row; returns true when it answered. */
static bool replay(const yaa_db_idem *row, const char *body_hash, yaa_http_req *req,
                   yaa_http_resp *resp) {
    if (strcmp(row->body_sha256, body_hash) != 0) {
        yaa_api_http_error(resp, 422,
                           "Idempotency-Key '%s' was used with a different request body; use a "
                           "new key for a new request",
                           row->idem_key);
        return true;
    }
    if (row->status_code == 0) {
        yaa_api_http_error(resp, 409,
                           "a request with Idempotency-Key '%s' is still being processed; retry "
                           "shortly",
                           row->idem_key);
        yaa_api_http_resp_header(resp, req->arena, "Retry-After", "1");
        return true;
    }
    resp->status = row->status_code;
    yaa_buf_reset(&resp->body);
    if (row->response_json) yaa_buf_puts(&resp->body, row->response_json);
    yaa_api_http_resp_header(resp, req->arena, "Idempotent-Replayed", "true");
    return true;
}

int yaa_api__idempotent(yaa_http_req *req, yaa_http_resp *resp, yaa_route_fn fn) {
    const char *k = yaa_api_http_header_get(req, "Idempotency-Key");
    yaa_api *api = req->api;
    if (!k || !api->db) return fn(req, resp);
    if (!key_ok(k))
        return yaa_api_http_error(resp, 422,
                                  "Idempotency-Key must be 1-%d printable ASCII characters without "
                                  "spaces",
                                  IDEM_KEY_MAX);
    char hash[65];
    yaa_sha256_hex(req->body ? req->body : "", req->body_len, hash);
    char route[160];
    snprintf(route, sizeof route, "%s %s", req->method, req->route ? req->route->path : req->path);
    yaa_db_idem x = {.api_key_id = req->key_id, .route = route, .idem_key = k, .body_sha256 = hash};
    yaa_err err = {0};
    bool reserved = false;
    for (int tries = 0; tries < 3 && !reserved; tries++) {
        if (yaa_db_idem_reserve(api->db, &x, &reserved, &err) != 0)
            return yaa_api__fail(resp, YAA_EUNAVAILABLE, &err);
        if (reserved) break;
        yaa_db_idem row;
        int rc = yaa_db_idem_get(api->db, &x, req->arena, &row, &err);
        if (rc == YAA_ENOTFOUND) continue; /* deleted meanwhile: reserve again */
        if (rc) return yaa_api__fail(resp, rc, &err);
        if (!expired(&row)) {
            replay(&row, hash, req, resp);
            return 0;
        }
        /* a new request: deleted only as it was read, so of two retries taking over the same
         * row, the second does not delete the first one's fresh reservation */
        yaa_db_idem_delete(api->db, &row, &err);
    }
    if (!reserved) return yaa_api_http_error(resp, 409, "Idempotency-Key in use; retry");
    int rc = fn(req, resp);
    yaa_err e2 = {0};
    if (resp->status >= 500 || rc != 0) {
        yaa_db_idem_delete(api->db, &x, &e2); /* not an answer to keep: the client may retry */
        return rc;
    }
    x.status_code = resp->status;
    x.response_json = yaa_buf_cstr(&resp->body);
    if (yaa_db_idem_finish(api->db, &x, &e2) != 0)
        yaa_log_ev(YAA_LOG_WARN, "api", "idempotent answer not stored", YAA_F_STR("error", e2.msg),
                   YAA_F_END);
    char before[40];
    yaa_time_format(yaa_now() - IDEM_TTL_SEC, before);
    yaa_db_idem_prune(api->db, before, &e2);
    return rc;
}
