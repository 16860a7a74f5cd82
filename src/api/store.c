/* store.c - SQL behind the API's routes (runs, keys, audit, usage), portable between SQLite
 * and PostgreSQL: `?` parameters, TEXT timestamps compared as strings, no date functions. */
#include "api/store.h"

#include "api/http.h"
#include "core/util.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXP 16

typedef struct q {
    char sql[2048];
    yaa_db_val p[MAXP];
    size_t n;
    char norm[4][YAA_DB_TIME_LEN + 1];
    int nnorm;
} q;

static void q_add(q *b, const char *clause, yaa_db_val v) {
    if (b->n >= MAXP) return;
    strncat(b->sql, b->n ? " AND " : " WHERE ", sizeof b->sql - strlen(b->sql) - 1);
    strncat(b->sql, clause, sizeof b->sql - strlen(b->sql) - 1);
    b->p[b->n++] = v;
}

/* A user-given time bound normalised to storage form (kept alive in b). */
static int q_time(q *b, const char *clause, const char *t, yaa_err *err) {
    if (!t || b->nnorm >= 4) return 0;
    char *o = b->norm[b->nnorm++];
    int rc = yaa_db_time_norm(t, o, err);
    if (rc) return rc;
    q_add(b, clause, yaa_db_text(o));
    return 0;
}

static json_t *tstr(const yaa_db_rows *r, size_t i, size_t c) {
    const char *s = yaa_db_get_text(r, i, c);
    if (!s) return json_null();
    char out[21];
    yaa_db_time_public(s, out);
    return json_string(out);
}

static json_t *str_or_null(const yaa_db_rows *r, size_t i, size_t c) {
    const char *s = yaa_db_get_text(r, i, c);
    return s ? json_string(s) : json_null();
}

static json_t *parsed(const char *s, json_t *dflt) {
    if (!s) return dflt;
    json_t *j = json_loads(s, 0, NULL);
    if (!j) return dflt;
    json_decref(dflt);
    return j;
}

/* ---------------------------------------------------------------- runs */

#define RUN_COLS                                                                     \
    "id, channel_id, topic, status, dry_run, created_at, completed_at, brand_name, " \
    "current_agent, updated_at, result_json, errors_json"

static json_t *run_summary(const yaa_db_rows *r, size_t i) {
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "run_id", str_or_null(r, i, 0),
                     "channel_id", str_or_null(r, i, 1), "topic", str_or_null(r, i, 2), "status",
                     str_or_null(r, i, 3), "dry_run", yaa_db_get_bool(r, i, 4), "created_at",
                     tstr(r, i, 5), "completed_at", tstr(r, i, 6));
}

int yaa_store_run_create(struct yaa_db *db, const char *id, const char *channel_id,
                         const char *topic, const char *brand_name, bool dry_run, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(db,
                       "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, "
                       "status, errors_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                       "'pending', '[]', ?, ?)",
                       YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(channel_id), yaa_db_text(topic),
                                   yaa_db_text(brand_name ? brand_name : ""), yaa_db_bool(dry_run),
                                   yaa_db_text(now), yaa_db_text(now)),
                       NULL, err);
}

static const char *const stage_names[] = {"brand_researcher", "script_writer", "seo_optimizer",
                                          "media_generator",  "media_editor",  "publisher"};
#define NSTAGES 6

static int stages_of(struct yaa_db *db, const char *id, json_t **out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT stage, status, started_at, finished_at, error FROM run_stages "
                          "WHERE run_id = ?",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    json_t *arr = json_array();
    bool seen[NSTAGES] = {false};
    /* The six stages in pipeline order, then any unknown names. */
    for (int s = 0; s < NSTAGES; s++) {
        json_t *st = NULL;
        for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
            const char *name = yaa_db_get_text(r, i, 0);
            if (name && strcmp(name, stage_names[s]) == 0) {
                st = json_pack("{s:s, s:o, s:o, s:o, s:o}", "stage", name, "status",
                               str_or_null(r, i, 1), "started_at", tstr(r, i, 2), "finished_at",
                               tstr(r, i, 3), "error", str_or_null(r, i, 4));
                seen[s] = true;
            }
        }
        if (!st)
            st = json_pack("{s:s, s:s, s:n, s:n, s:n}", "stage", stage_names[s], "status",
                           "pending", "started_at", "finished_at", "error");
        json_array_append_new(arr, st);
    }
    (void)seen;
    yaa_db_rows_free(r);
    *out = arr;
    return 0;
}

int yaa_store_run_detail(struct yaa_db *db, const char *id, json_t **out, yaa_err *err) {
    *out = NULL;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT " RUN_COLS " FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    }
    json_t *j = run_summary(r, 0);
    json_object_set_new(j, "brand_name", str_or_null(r, 0, 7));
    json_object_set_new(j, "current_agent", str_or_null(r, 0, 8));
    json_object_set_new(j, "updated_at", tstr(r, 0, 9));
    json_object_set_new(j, "result", parsed(yaa_db_get_text(r, 0, 10), json_null()));
    json_object_set_new(j, "errors", parsed(yaa_db_get_text(r, 0, 11), json_array()));
    yaa_db_rows_free(r);
    json_t *stages = NULL;
    if ((rc = stages_of(db, id, &stages, err)) != 0) {
        json_decref(j);
        return rc;
    }
    json_object_set_new(j, "stages", stages);
    rc = yaa_db_query(db, "SELECT COALESCE(SUM(cost_usd), 0) FROM usage_events WHERE run_id = ?",
                      YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) {
        json_decref(j);
        return rc;
    }
    json_object_set_new(j, "cost_usd", json_real(yaa_db_get_real(r, 0, 0)));
    yaa_db_rows_free(r);
    *out = j;
    return 0;
}

int yaa_store_runs_list(struct yaa_db *db, const char *channel_id, const char *status, long limit,
                        long offset, json_t **runs, long *total, yaa_err *err) {
    *runs = NULL;
    q b = {0};
    if (channel_id) q_add(&b, "channel_id = ?", yaa_db_text(channel_id));
    if (status) q_add(&b, "status = ?", yaa_db_text(status));
    char sql[2400];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pipeline_runs%s", b.sql);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, sql, b.p, b.n, &r, err);
    if (rc) return rc;
    *total = (long)yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    snprintf(sql, sizeof sql,
             "SELECT " RUN_COLS " FROM pipeline_runs%s ORDER BY created_at DESC, id DESC "
             "LIMIT ? OFFSET ?",
             b.sql);
    b.p[b.n] = yaa_db_int(limit);
    b.p[b.n + 1] = yaa_db_int(offset);
    rc = yaa_db_query(db, sql, b.p, b.n + 2, &r, err);
    if (rc) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) json_array_append_new(arr, run_summary(r, i));
    yaa_db_rows_free(r);
    *runs = arr;
    return 0;
}

int yaa_store_run_progress(struct yaa_db *db, const char *id, char status[16], json_t **stages,
                           yaa_err *err) {
    *stages = NULL;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT status FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    }
    snprintf(status, 16, "%s", yaa_db_get_text(r, 0, 0) ? yaa_db_get_text(r, 0, 0) : "");
    yaa_db_rows_free(r);
    return stages_of(db, id, stages, err);
}

static int run_status(struct yaa_db *db, const char *id, char out[16], yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT status FROM pipeline_runs WHERE id = ?",
                          YAA_DB_ARGS(yaa_db_text(id)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    }
    snprintf(out, 16, "%s", yaa_db_get_text(r, 0, 0) ? yaa_db_get_text(r, 0, 0) : "");
    yaa_db_rows_free(r);
    return 0;
}

int yaa_store_run_cancel(struct yaa_db *db, const char *id, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE pipeline_runs SET status = 'cancelled', completed_at = ?, "
                         "updated_at = ? WHERE id = ? AND status IN ('pending', 'running')",
                         YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(now), yaa_db_text(id)), &n, err);
    if (rc || n > 0) return rc;
    char st[16];
    if ((rc = run_status(db, id, st, err)) != 0) return rc;
    return yaa_err_set(err, YAA_ECONFLICT, "Run already finished (status '%s')", st);
}

int yaa_store_run_rearm(struct yaa_db *db, const char *id, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int64_t n = 0;
    int rc = yaa_db_exec(db,
                         "UPDATE pipeline_runs SET status = 'pending', completed_at = NULL, "
                         "updated_at = ? WHERE id = ? AND status IN ('failed', 'cancelled', "
                         "'completed')",
                         YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(id)), &n, err);
    if (rc || n > 0) return rc;
    char st[16];
    if ((rc = run_status(db, id, st, err)) != 0) return rc;
    return yaa_err_set(err, YAA_ECONFLICT, "Run is still %s", st);
}

int yaa_store_run_fail(struct yaa_db *db, const char *id, const char *msg, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    json_t *errs = json_pack("[s]", msg);
    char *ej = json_dumps(errs, JSON_COMPACT);
    json_decref(errs);
    int rc = yaa_db_exec(db,
                         "UPDATE pipeline_runs SET status = 'failed', errors_json = ?, "
                         "completed_at = ?, updated_at = ? WHERE id = ?",
                         YAA_DB_ARGS(yaa_db_text(ej ? ej : "[]"), yaa_db_text(now),
                                     yaa_db_text(now), yaa_db_text(id)),
                         NULL, err);
    free(ej);
    return rc;
}

int yaa_store_dashboard(struct yaa_db *db, long recent, json_t **out, yaa_err *err) {
    *out = NULL;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, "SELECT status, COUNT(*) FROM pipeline_runs GROUP BY status", NULL, 0,
                          &r, err);
    if (rc) return rc;
    long total = 0, active = 0, ok = 0, failed = 0;
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
        const char *s = yaa_db_get_text(r, i, 0);
        long c = (long)yaa_db_get_int(r, i, 1);
        total += c;
        if (!s) continue;
        if (strcmp(s, "pending") == 0 || strcmp(s, "running") == 0) active += c;
        if (strcmp(s, "completed") == 0) ok += c;
        if (strcmp(s, "failed") == 0) failed += c;
    }
    yaa_db_rows_free(r);
    rc = yaa_db_query(db,
                      "SELECT created_at, completed_at FROM pipeline_runs WHERE status = "
                      "'completed' AND completed_at IS NOT NULL",
                      NULL, 0, &r, err);
    if (rc) return rc;
    double sum = 0;
    long n = 0;
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
        time_t a, b;
        if (yaa_time_parse(yaa_db_get_text(r, i, 0), &a) == 0 &&
            yaa_time_parse(yaa_db_get_text(r, i, 1), &b) == 0 && b >= a) {
            sum += (double)(b - a);
            n++;
        }
    }
    yaa_db_rows_free(r);
    rc = yaa_db_query(db, "SELECT COALESCE(SUM(cost_usd), 0) FROM usage_events", NULL, 0, &r, err);
    if (rc) return rc;
    double cost = yaa_db_get_real(r, 0, 0);
    yaa_db_rows_free(r);
    json_t *runs = NULL;
    long t2;
    if (recent < 0) recent = 0;
    if ((rc = yaa_store_runs_list(db, NULL, NULL, recent, 0, &runs, &t2, err)) != 0) return rc;
    *out = json_pack("{s:i, s:i, s:i, s:i, s:f, s:f, s:o}", "total_runs", (json_int_t)total,
                     "active_runs", (json_int_t)active, "success_runs", (json_int_t)ok,
                     "failed_runs", (json_int_t)failed, "avg_duration_sec", n ? sum / n : 0.0,
                     "estimated_cost_usd", cost, "recent_runs", runs);
    return 0;
}

/* ---------------------------------------------------------------- keys */

static int scopes_bits(const char *json) {
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    int bits = 0;
    size_t i;
    json_t *it;
    json_array_foreach(j, i, it) {
        const char *s = json_string_value(it);
        if (!s) continue;
        if (strcmp(s, "read") == 0) bits |= YAA_SCOPE_READ;
        if (strcmp(s, "write") == 0) bits |= YAA_SCOPE_WRITE;
        if (strcmp(s, "admin") == 0) bits |= YAA_SCOPE_ADMIN;
    }
    json_decref(j);
    return bits;
}

int yaa_store_key_lookup(struct yaa_db *db, const char *hash_hex, yaa_store_key *out,
                         yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT id, key_hash, scopes_json, is_active, expires_at FROM api_keys "
                          "WHERE key_hash = ?",
                          YAA_DB_ARGS(yaa_db_text(hash_hex)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) == 0) {
        yaa_db_rows_free(r);
        return YAA_ENOTFOUND;
    }
    const char *h = yaa_db_get_text(r, 0, 1);
    /* The index found it; compare in constant time anyway so timing says nothing. */
    if (!h || strlen(h) != 64 || !yaa_ct_equal(h, hash_hex, 64)) {
        yaa_db_rows_free(r);
        return YAA_ENOTFOUND;
    }
    snprintf(out->id, sizeof out->id, "%s", yaa_db_get_text(r, 0, 0));
    out->scopes = scopes_bits(yaa_db_get_text(r, 0, 2));
    out->active = yaa_db_get_bool(r, 0, 3);
    const char *exp = yaa_db_get_text(r, 0, 4);
    if (exp) {
        char now[YAA_DB_TIME_LEN + 1];
        yaa_db_now(now);
        out->expired = strcmp(exp, now) <= 0;
    }
    yaa_db_rows_free(r);
    return 0;
}

int yaa_store_key_generate(char out[48]) {
    unsigned char raw[32];
    if (yaa_random_bytes(raw, sizeof raw) != 0) return YAA_EIO;
    memcpy(out, "yaa_", 4);
    sodium_bin2base64(out + 4, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

int yaa_store_key_create(struct yaa_db *db, const char *name, json_t *scopes, long expires_days,
                         json_t **out, yaa_err *err) {
    *out = NULL;
    char key[48], hash[65], id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1],
        exp[YAA_DB_TIME_LEN + 1];
    if (yaa_store_key_generate(key) || yaa_uuid4(id))
        return yaa_err_set(err, YAA_EIO, "no randomness available");
    yaa_sha256_hex(key, strlen(key), hash);
    yaa_db_now(now);
    if (expires_days > 0) yaa_db_time(time(NULL) + expires_days * 86400L, exp);
    json_t *sc = scopes ? json_incref(scopes) : json_pack("[s, s]", "read", "write");
    char *sj = json_dumps(sc, JSON_COMPACT);
    int rc = yaa_db_exec(db,
                         "INSERT INTO api_keys (id, key_hash, name, scopes_json, is_active, "
                         "created_at, expires_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                         YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(hash), yaa_db_text(name),
                                     yaa_db_text(sj), yaa_db_text(now),
                                     yaa_db_text(expires_days > 0 ? exp : NULL)),
                         NULL, err);
    free(sj);
    if (rc) {
        json_decref(sc);
        sodium_memzero(key, sizeof key);
        return rc;
    }
    char pc[21], pe[21];
    yaa_db_time_public(now, pc);
    yaa_db_time_public(exp, pe);
    *out = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "api_key", key, "key_id", id, "name", name,
                     "scopes", sc, "created_at", pc, "expires_at",
                     expires_days > 0 ? json_string(pe) : json_null());
    sodium_memzero(key, sizeof key);
    return 0;
}

int yaa_store_key_ensure(struct yaa_db *db, const char *plaintext, const char *name, yaa_err *err) {
    char hash[65], id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
    yaa_sha256_hex(plaintext, strlen(plaintext), hash);
    yaa_store_key k;
    int rc = yaa_store_key_lookup(db, hash, &k, err);
    if (rc == 0) {
        if (k.active && !k.expired && (k.scopes & YAA_SCOPE_ADMIN)) return 0;
        return yaa_db_exec(db,
                           "UPDATE api_keys SET is_active = 1, expires_at = NULL, scopes_json = "
                           "'[\"read\",\"write\",\"admin\"]' WHERE id = ?",
                           YAA_DB_ARGS(yaa_db_text(k.id)), NULL, err);
    }
    if (rc != YAA_ENOTFOUND) return rc;
    yaa_uuid4(id);
    yaa_db_now(now);
    return yaa_db_exec(
        db,
        "INSERT INTO api_keys (id, key_hash, name, scopes_json, is_active, "
        "created_at) VALUES (?, ?, ?, '[\"read\",\"write\",\"admin\"]', 1, ?)",
        YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(hash), yaa_db_text(name), yaa_db_text(now)), NULL,
        err);
}

int yaa_store_keys_list(struct yaa_db *db, json_t **keys, yaa_err *err) {
    *keys = NULL;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          "SELECT id, name, scopes_json, is_active, created_at, expires_at, "
                          "last_used_at FROM api_keys ORDER BY created_at DESC, id",
                          NULL, 0, &r, err);
    if (rc) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < yaa_db_rows_count(r); i++)
        json_array_append_new(
            arr, json_pack("{s:o, s:o, s:o, s:b, s:o, s:o, s:o}", "key_id", str_or_null(r, i, 0),
                           "name", str_or_null(r, i, 1), "scopes",
                           parsed(yaa_db_get_text(r, i, 2), json_array()), "is_active",
                           yaa_db_get_bool(r, i, 3), "created_at", tstr(r, i, 4), "expires_at",
                           tstr(r, i, 5), "last_used_at", tstr(r, i, 6)));
    yaa_db_rows_free(r);
    *keys = arr;
    return 0;
}

int yaa_store_key_revoke(struct yaa_db *db, const char *id, yaa_err *err) {
    int64_t n = 0;
    int rc = yaa_db_exec(db, "UPDATE api_keys SET is_active = 0 WHERE id = ?",
                         YAA_DB_ARGS(yaa_db_text(id)), &n, err);
    if (rc) return rc;
    if (n == 0) return yaa_err_set(err, YAA_ENOTFOUND, "API key not found");
    return 0;
}

int yaa_store_keys_touch(struct yaa_db *db, const char *const *ids, size_t n, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    for (size_t i = 0; i < n; i++) {
        int rc = yaa_db_exec(db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                             YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(ids[i])), NULL, err);
        if (rc) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- audit */

typedef struct audit_batch {
    const yaa_audit_entry *rows;
    size_t n;
} audit_batch;

static int audit_tx(yaa_db *tx, void *arg, yaa_err *err) {
    const audit_batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        const yaa_audit_entry *e = &b->rows[i];
        int rc = yaa_db_exec(
            tx,
            "INSERT INTO audit_logs (\"timestamp\", method, path, status_code, api_key_id, "
            "ip_address, user_agent, duration_ms, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            YAA_DB_ARGS(yaa_db_text(e->timestamp), yaa_db_text(e->method), yaa_db_text(e->path),
                        yaa_db_int(e->status_code),
                        yaa_db_text(e->api_key_id[0] ? e->api_key_id : NULL),
                        yaa_db_text(e->ip_address), yaa_db_text(e->user_agent),
                        yaa_db_real(e->duration_ms), yaa_db_text(e->request_id)),
            NULL, err);
        if (rc) return rc;
    }
    return 0;
}

int yaa_store_audit_insert(struct yaa_db *db, const yaa_audit_entry *rows, size_t n, yaa_err *err) {
    audit_batch b = {rows, n};
    return yaa_db_tx(db, audit_tx, &b, err);
}

/* Escapes LIKE wildcards so a path filter is a plain prefix. */
static void like_prefix(const char *s, char *out, size_t n) {
    size_t o = 0;
    for (; *s && o + 3 < n; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') out[o++] = '\\';
        out[o++] = *s;
    }
    out[o++] = '%';
    out[o] = '\0';
}

int yaa_store_audit_list(struct yaa_db *db, const yaa_audit_filter *f, json_t **logs, long *total,
                         yaa_err *err) {
    *logs = NULL;
    q b = {0};
    char like[600];
    if (f->method) q_add(&b, "method = ?", yaa_db_text(f->method));
    if (f->path) {
        like_prefix(f->path, like, sizeof like);
        q_add(&b, "path LIKE ? ESCAPE '\\'", yaa_db_text(like));
    }
    if (f->status_code >= 0) q_add(&b, "status_code = ?", yaa_db_int(f->status_code));
    if (f->api_key_id) q_add(&b, "api_key_id = ?", yaa_db_text(f->api_key_id));
    int rc;
    if ((rc = q_time(&b, "\"timestamp\" >= ?", f->since, err)) != 0) return rc;
    if ((rc = q_time(&b, "\"timestamp\" <= ?", f->until, err)) != 0) return rc;
    char sql[2400];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_logs%s", b.sql);
    yaa_db_rows *r = NULL;
    if ((rc = yaa_db_query(db, sql, b.p, b.n, &r, err)) != 0) return rc;
    *total = (long)yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    snprintf(sql, sizeof sql,
             "SELECT id, \"timestamp\", method, path, status_code, api_key_id, ip_address, "
             "duration_ms, user_agent, request_id FROM audit_logs%s ORDER BY \"timestamp\" "
             "DESC, id DESC LIMIT ? OFFSET ?",
             b.sql);
    b.p[b.n] = yaa_db_int(f->limit);
    b.p[b.n + 1] = yaa_db_int(f->offset);
    if ((rc = yaa_db_query(db, sql, b.p, b.n + 2, &r, err)) != 0) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < yaa_db_rows_count(r); i++)
        json_array_append_new(
            arr,
            json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:f, s:o, s:o}", "id",
                      (json_int_t)yaa_db_get_int(r, i, 0), "timestamp", tstr(r, i, 1), "method",
                      str_or_null(r, i, 2), "path", str_or_null(r, i, 3), "status_code",
                      (json_int_t)yaa_db_get_int(r, i, 4), "api_key_id", str_or_null(r, i, 5),
                      "ip_address", str_or_null(r, i, 6), "duration_ms", yaa_db_get_real(r, i, 7),
                      "user_agent", str_or_null(r, i, 8), "request_id", str_or_null(r, i, 9)));
    yaa_db_rows_free(r);
    *logs = arr;
    return 0;
}

/* ---------------------------------------------------------------- usage */

static int usage_where(q *b, const yaa_usage_filter *f, yaa_err *err) {
    if (f->run_id) q_add(b, "u.run_id = ?", yaa_db_text(f->run_id));
    if (f->channel_id) q_add(b, "r.channel_id = ?", yaa_db_text(f->channel_id));
    if (f->agent) q_add(b, "u.agent = ?", yaa_db_text(f->agent));
    if (f->provider) q_add(b, "u.provider = ?", yaa_db_text(f->provider));
    if (f->model) q_add(b, "u.model = ?", yaa_db_text(f->model));
    int rc;
    if ((rc = q_time(b, "u.created_at >= ?", f->from, err)) != 0) return rc;
    return q_time(b, "u.created_at <= ?", f->to, err);
}

#define USAGE_FROM " FROM usage_events u LEFT JOIN pipeline_runs r ON r.id = u.run_id"
#define USAGE_SUMS                                                               \
    "COALESCE(SUM(u.prompt_tokens), 0), COALESCE(SUM(u.completion_tokens), 0), " \
    "COALESCE(SUM(u.total_tokens), 0), COALESCE(SUM(u.cost_usd), 0), COUNT(*)"

static json_t *sums(const yaa_db_rows *r, size_t i, size_t c) {
    return json_pack(
        "{s:I, s:I, s:I, s:f, s:I}", "prompt_tokens", (json_int_t)yaa_db_get_int(r, i, c),
        "completion_tokens", (json_int_t)yaa_db_get_int(r, i, c + 1), "total_tokens",
        (json_int_t)yaa_db_get_int(r, i, c + 2), "cost_usd", yaa_db_get_real(r, i, c + 3), "events",
        (json_int_t)yaa_db_get_int(r, i, c + 4));
}

int yaa_store_usage(struct yaa_db *db, const yaa_usage_filter *f, json_t **out, yaa_err *err) {
    *out = NULL;
    q b = {0};
    int rc = usage_where(&b, f, err);
    if (rc) return rc;
    char sql[2400];
    snprintf(sql, sizeof sql, "SELECT " USAGE_SUMS USAGE_FROM "%s", b.sql);
    yaa_db_rows *r = NULL;
    if ((rc = yaa_db_query(db, sql, b.p, b.n, &r, err)) != 0) return rc;
    json_t *totals = sums(r, 0, 0);
    long total = (long)yaa_db_get_int(r, 0, 4);
    yaa_db_rows_free(r);
    snprintf(sql, sizeof sql,
             "SELECT u.id, u.run_id, u.agent, u.provider, u.model, u.kind, u.prompt_tokens, "
             "u.completion_tokens, u.total_tokens, u.units, u.cost_usd, u.created_at, "
             "r.channel_id" USAGE_FROM "%s ORDER BY u.created_at DESC, u.id LIMIT ? OFFSET ?",
             b.sql);
    b.p[b.n] = yaa_db_int(f->limit);
    b.p[b.n + 1] = yaa_db_int(f->offset);
    if ((rc = yaa_db_query(db, sql, b.p, b.n + 2, &r, err)) != 0) {
        json_decref(totals);
        return rc;
    }
    json_t *events = json_array();
    for (size_t i = 0; i < yaa_db_rows_count(r); i++)
        json_array_append_new(
            events, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:f, s:f, s:o, s:o}",
                              "id", str_or_null(r, i, 0), "run_id", str_or_null(r, i, 1), "agent",
                              str_or_null(r, i, 2), "provider", str_or_null(r, i, 3), "model",
                              str_or_null(r, i, 4), "kind", str_or_null(r, i, 5), "prompt_tokens",
                              (json_int_t)yaa_db_get_int(r, i, 6), "completion_tokens",
                              (json_int_t)yaa_db_get_int(r, i, 7), "total_tokens",
                              (json_int_t)yaa_db_get_int(r, i, 8), "units",
                              yaa_db_get_real(r, i, 9), "cost_usd", yaa_db_get_real(r, i, 10),
                              "created_at", tstr(r, i, 11), "channel_id", str_or_null(r, i, 12)));
    yaa_db_rows_free(r);
    *out = json_pack("{s:o, s:o, s:I, s:I, s:I}", "totals", totals, "events", events, "total",
                     (json_int_t)total, "limit", (json_int_t)f->limit, "offset",
                     (json_int_t)f->offset);
    return 0;
}

int yaa_store_usage_summary(struct yaa_db *db, const yaa_usage_filter *f, const char *group_by,
                            json_t **out, yaa_err *err) {
    *out = NULL;
    static const struct {
        const char *name, *expr;
    } groups[] = {{"run", "u.run_id"},  {"day", "substr(u.created_at, 1, 10)"},
                  {"agent", "u.agent"}, {"provider", "u.provider"},
                  {"model", "u.model"}, {"channel", "r.channel_id"}};
    const char *expr = NULL;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strcmp(groups[i].name, group_by ? group_by : "day") == 0) expr = groups[i].expr;
    if (!expr) return yaa_err_set(err, YAA_EINVAL, "group_by: unknown grouping");
    q b = {0};
    int rc = usage_where(&b, f, err);
    if (rc) return rc;
    char sql[2400];
    snprintf(sql, sizeof sql, "SELECT " USAGE_SUMS USAGE_FROM "%s", b.sql);
    yaa_db_rows *r = NULL;
    if ((rc = yaa_db_query(db, sql, b.p, b.n, &r, err)) != 0) return rc;
    json_t *totals = sums(r, 0, 0);
    yaa_db_rows_free(r);
    snprintf(sql, sizeof sql, "SELECT %s, " USAGE_SUMS USAGE_FROM "%s GROUP BY %s ORDER BY 1", expr,
             b.sql, expr);
    if ((rc = yaa_db_query(db, sql, b.p, b.n, &r, err)) != 0) {
        json_decref(totals);
        return rc;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < yaa_db_rows_count(r); i++) {
        json_t *g = sums(r, i, 1);
        json_object_set_new(g, "key", str_or_null(r, i, 0));
        json_array_append_new(arr, g);
    }
    yaa_db_rows_free(r);
    *out = json_pack("{s:o, s:s, s:o}", "totals", totals, "group_by", group_by ? group_by : "day",
                     "groups", arr);
    return 0;
}
