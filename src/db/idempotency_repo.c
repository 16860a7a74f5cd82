/* idempotency_repo.c - idempotency_keys: the first answer to a request carrying an
 * Idempotency-Key, kept 24 h and replayed to a retry of the same request. */
#include "db/repo.h"

#include <string.h>

int yaa_db_idem_reserve(yaa_db *db, const yaa_db_idem *x, bool *reserved, yaa_err *err) {
    *reserved = false;
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int rc = yaa_db_exec(db,
                         "INSERT INTO idempotency_keys (api_key_id, route, idem_key, body_sha256, "
                         "status_code, created_at) VALUES (?, ?, ?, ?, 0, ?)",
                         YAA_DB_ARGS(yaa_db_text(x->api_key_id), yaa_db_text(x->route),
                                     yaa_db_text(x->idem_key), yaa_db_text(x->body_sha256),
                                     yaa_db_text(now)),
                         NULL, err);
    if (rc == YAA_EEXIST) return 0;
    if (rc == 0) *reserved = true;
    return rc;
}

int yaa_db_idem_get(yaa_db *db, const yaa_db_idem *key, yaa_arena *a, yaa_db_idem *out,
                    yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT body_sha256, status_code, response_json, created_at FROM "
                          "idempotency_keys WHERE api_key_id = ? AND route = ? AND idem_key = ?",
                          YAA_DB_ARGS(yaa_db_text(key->api_key_id), yaa_db_text(key->route),
                                      yaa_db_text(key->idem_key)),
                          &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return YAA_ENOTFOUND;
    }
    *out = *key;
    const char *h = yaa_db_get_text(r, 0, 0), *resp = yaa_db_get_text(r, 0, 2),
               *at = yaa_db_get_text(r, 0, 3);
    out->body_sha256 = yaa_arena_strdup(a, h ? h : "");
    out->status_code = (int)yaa_db_get_int(r, 0, 1);
    out->response_json = resp ? yaa_arena_strdup(a, resp) : NULL;
    out->created_at = yaa_arena_strdup(a, at ? at : "");
    yaa_db_rows_free(r);
    return 0;
}

int yaa_db_idem_finish(yaa_db *db, const yaa_db_idem *x, yaa_err *err) {
    return yaa_db_exec(db,
                       "UPDATE idempotency_keys SET status_code = ?, response_json = ? WHERE "
                       "api_key_id = ? AND route = ? AND idem_key = ?",
                       YAA_DB_ARGS(yaa_db_int(x->status_code), yaa_db_text(x->response_json),
                                   yaa_db_text(x->api_key_id), yaa_db_text(x->route),
                                   yaa_db_text(x->idem_key)),
                       NULL, err);
}

int yaa_db_idem_delete(yaa_db *db, const yaa_db_idem *x, yaa_err *err) {
    if (x->created_at) /* only the row as it was read (not one reserved again since) */
        return yaa_db_exec(db,
                           "DELETE FROM idempotency_keys WHERE api_key_id = ? AND route = ? AND "
                           "idem_key = ? AND created_at = ?",
                           YAA_DB_ARGS(yaa_db_text(x->api_key_id), yaa_db_text(x->route),
                                       yaa_db_text(x->idem_key), yaa_db_text(x->created_at)),
                           NULL, err);
    return yaa_db_exec(
        db,
        "DELETE FROM idempotency_keys WHERE api_key_id = ? AND route = ? AND "
        "idem_key = ?",
        YAA_DB_ARGS(yaa_db_text(x->api_key_id), yaa_db_text(x->route), yaa_db_text(x->idem_key)),
        NULL, err);
}

int yaa_db_idem_prune(yaa_db *db, const char *before, yaa_err *err) {
    char t[YAA_DB_TIME_LEN + 1];
    int rc = yaa_db_time_norm(before, t, err);
    if (rc) return rc;
    return yaa_db_exec(db, "DELETE FROM idempotency_keys WHERE created_at < ?",
                       YAA_DB_ARGS(yaa_db_text(t)), NULL, err);
}
