/* keys_repo.c - api_keys: key generation (yaa_ + 43 base64url chars), storage of the SHA-256
 * hex only, lookup by hash, listing, revocation, last-use and expiry. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "db/repo.h"
#include "db/repo_internal.h"

#define KEY_COLS                                                                              \
    "SELECT id, key_hash, key_prefix, name, scopes_json, is_active, created_at, expires_at, " \
    "last_used_at "                                                                           \
    "FROM api_keys"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int yaa_db_apikey_generate(char key[YAA_APIKEY_LEN + 1], char hash[65], yaa_err *err) {
    unsigned char raw[33] = {0}; /* 32 random bytes + a zero pad for the last group */
    if (yaa_random_bytes(raw, 32) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot read the system random number generator");
    memcpy(key, "yaa_", 4);
    size_t o = 4;
    for (size_t i = 0; i < 33; i += 3) {
        unsigned v =
            (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | (i + 2 < 33 ? raw[i + 2] : 0);
        for (int k = 3; k >= 0 && o < YAA_APIKEY_LEN; k--) key[o++] = B64URL[(v >> (6 * k)) & 63];
    }
    key[YAA_APIKEY_LEN] = '\0';
    yaa_sha256_hex(key, YAA_APIKEY_LEN, hash);
    return 0;
}

void yaa_db_apikey_prefix(const char *key, char out[YAA_APIKEY_PREFIX_LEN + 1]) {
    out[0] = '\0';
    if (yaa_db_apikey_wellformed(key)) snprintf(out, YAA_APIKEY_PREFIX_LEN + 1, "%s", key);
}

bool yaa_db_apikey_wellformed(const char *s) {
    if (!s || strlen(s) != YAA_APIKEY_LEN || strncmp(s, "yaa_", 4) != 0) return false;
    for (const char *p = s + 4; *p; p++)
        if (!strchr(B64URL, *p)) return false;
    return true;
}

int yaa_db_scopes_json(const char *csv, yaa_arena *a, const char **json, yaa_err *err) {
    static const char *const known[] = {"read", "write", "admin"};
    bool want[3] = {false, false, false};
    bool any = false;
    const char *p = csv ? csv : "";
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        size_t len = strcspn(p, ", ");
        if (!len) break;
        size_t k = 0;
        while (k < 3 && !(strlen(known[k]) == len && strncmp(p, known[k], len) == 0)) k++;
        if (k == 3)
            return yaa_err_set(err, YAA_EINVAL, "scope '%.*s' is not one of read, write, admin",
                               (int)(len > 40 ? 40 : len), p);
        want[k] = any = true;
        p += len;
    }
    if (!any) want[0] = want[1] = true;
    char buf[64] = "[";
    for (size_t k = 0; k < 3; k++) {
        if (!want[k]) continue;
        if (buf[1]) strcat(buf, ",");
        strcat(buf, "\"");
        strcat(buf, known[k]);
        strcat(buf, "\"");
    }
    strcat(buf, "]");
    *json = yaa_arena_strdup(a, buf);
    return *json ? 0 : yaa_err_set(err, YAA_ENOMEM, "out of memory");
}

bool yaa_db_apikey_has_scope(const yaa_db_apikey *k, const char *scope) {
    if (!k->scopes_json || !scope) return false;
    char q[64];
    snprintf(q, sizeof q, "\"%s\"", scope);
    return strstr(k->scopes_json, q) != NULL;
}

bool yaa_db_apikey_usable(const yaa_db_apikey *k, time_t now) {
    if (!k->is_active) return false;
    if (!k->expires_at) return true;
    time_t exp;
    if (yaa_time_parse(k->expires_at, &exp) != 0) return false;
    return now < exp;
}

static const yaa_db__field key_fields[] = {
    YAA_DB__FIELD(yaa_db_apikey, id),           YAA_DB__FIELD(yaa_db_apikey, key_hash),
    YAA_DB__FIELD(yaa_db_apikey, key_prefix),   YAA_DB__FIELD(yaa_db_apikey, name),
    YAA_DB__FIELD(yaa_db_apikey, scopes_json),  YAA_DB__FIELD(yaa_db_apikey, is_active),
    YAA_DB__FIELD(yaa_db_apikey, created_at),   YAA_DB__FIELD(yaa_db_apikey, expires_at),
    YAA_DB__FIELD(yaa_db_apikey, last_used_at),
};

static int map(const yaa_db_rows *r, size_t i, yaa_arena *a, yaa_db_apikey *o) {
    memset(o, 0, sizeof *o);
    return yaa_db__map_row(r, i, a, YAA_DB__FIELDS(key_fields), o);
}

int yaa_db_keys_create(yaa_db *db, yaa_db_apikey *k, yaa_arena *a, yaa_err *err) {
    if (!k->key_hash || strlen(k->key_hash) != 64)
        return yaa_err_set(err, YAA_EINVAL, "an API key needs its SHA-256 hex hash");
    if (!k->name || !*k->name) return yaa_err_set(err, YAA_EINVAL, "an API key needs a name");
    char id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
    if (!k->id || !*k->id) {
        if (yaa_uuid4(id) != 0) return yaa_err_set(err, YAA_EIO, "cannot generate a key id");
        k->id = yaa_arena_strdup(a, id);
    }
    yaa_db_now(now);
    k->created_at = yaa_arena_strdup(a, now);
    if (!k->scopes_json) k->scopes_json = "[\"read\",\"write\"]";
    k->is_active = true;
    if (!k->id || !k->created_at) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = yaa_db_exec(db,
                         "INSERT INTO api_keys (id, key_hash, key_prefix, name, scopes_json, "
                         "is_active, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                         YAA_DB_ARGS(yaa_db_text(k->id), yaa_db_text(k->key_hash),
                                     yaa_db_text(k->key_prefix), yaa_db_text(k->name),
                                     yaa_db_text(k->scopes_json), yaa_db_text(k->created_at),
                                     yaa_db_text(k->expires_at)),
                         NULL, err);
    if (rc == YAA_EEXIST) return yaa_err_set(err, YAA_EEXIST, "that API key already exists");
    return rc;
}

int yaa_db_keys_issue(yaa_db *db, const char *name, const char *scopes_csv, int expires_days,
                      char key[YAA_APIKEY_LEN + 1], yaa_arena *a, yaa_db_apikey *out,
                      yaa_err *err) {
    memset(out, 0, sizeof *out);
    if (expires_days < 0 || expires_days > 3650)
        return yaa_err_set(err, YAA_EINVAL,
                           "expires_days must be between 1 and 3650 (or 0 for "
                           "never)");
    int rc = yaa_db_scopes_json(scopes_csv, a, &out->scopes_json, err);
    if (rc) return rc;
    char hash[65];
    rc = yaa_db_apikey_generate(key, hash, err);
    if (rc) return rc;
    out->name = name;
    out->key_hash = yaa_arena_strdup(a, hash);
    char prefix[YAA_APIKEY_PREFIX_LEN + 1];
    yaa_db_apikey_prefix(key, prefix);
    out->key_prefix = yaa_arena_strdup(a, prefix);
    if (expires_days > 0) {
        char exp[YAA_DB_TIME_LEN + 1];
        yaa_db_time(yaa_now() + (time_t)expires_days * 86400, exp);
        out->expires_at = yaa_arena_strdup(a, exp);
        if (!out->expires_at) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    }
    if (!out->key_hash) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    rc = yaa_db_keys_create(db, out, a, err);
    if (rc) memset(key, 0, YAA_APIKEY_LEN + 1);
    return rc;
}

int yaa_db_keys_ensure(yaa_db *db, const char *plaintext, const char *name, const char *scopes_json,
                       yaa_err *err) {
    if (!plaintext || !*plaintext) return yaa_err_set(err, YAA_EINVAL, "ADMIN_API_KEY is empty");
    char hash[65], id[YAA_UUID_LEN + 1], now[YAA_DB_TIME_LEN + 1];
    yaa_sha256_hex(plaintext, strlen(plaintext), hash);
    if (yaa_uuid4(id) != 0) return yaa_err_set(err, YAA_EIO, "cannot generate a key id");
    yaa_db_now(now);
    char prefix[YAA_APIKEY_PREFIX_LEN + 1];
    yaa_db_apikey_prefix(plaintext, prefix);
    return yaa_db_exec(
        db,
        "INSERT INTO api_keys (id, key_hash, key_prefix, name, scopes_json, is_active, created_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (key_hash) DO UPDATE SET is_active = 1, "
        "scopes_json = excluded.scopes_json, key_prefix = excluded.key_prefix",
        YAA_DB_ARGS(yaa_db_text(id), yaa_db_text(hash), yaa_db_text(*prefix ? prefix : NULL),
                    yaa_db_text(name ? name : "admin"),
                    yaa_db_text(scopes_json ? scopes_json : "[\"read\",\"write\",\"admin\"]"),
                    yaa_db_text(now)),
        NULL, err);
}

static int get_one(yaa_db *db, const char *sql, const char *arg, const char *what, yaa_arena *a,
                   yaa_db_apikey *out, yaa_err *err) {
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, sql, YAA_DB_ARGS(yaa_db_text(arg)), &r, err);
    if (!rc && yaa_db_rows_count(r) == 0) rc = yaa_err_set(err, YAA_ENOTFOUND, "%s", what);
    if (!rc && map(r, 0, a, out)) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_keys_get(yaa_db *db, const char *id, yaa_arena *a, yaa_db_apikey *out, yaa_err *err) {
    char what[160];
    snprintf(what, sizeof what, "API key '%.100s' not found", id ? id : "");
    return get_one(db, KEY_COLS " WHERE id = ?", id, what, a, out, err);
}

int yaa_db_keys_find_by_hash(yaa_db *db, const char *key_hash, yaa_arena *a, yaa_db_apikey *out,
                             yaa_err *err) {
    return get_one(db, KEY_COLS " WHERE key_hash = ?", key_hash, "unknown API key", a, out, err);
}

int yaa_db_keys_list(yaa_db *db, bool include_inactive, yaa_arena *a, yaa_db_apikey **items,
                     size_t *n, yaa_err *err) {
    *items = NULL;
    *n = 0;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db,
                          include_inactive ? KEY_COLS " ORDER BY created_at DESC, id"
                                           : KEY_COLS
                              " WHERE is_active = 1 ORDER BY created_at DESC, id",
                          NULL, 0, &r, err);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(key_fields), sizeof **items, items, n, err);
}

int yaa_db_keys_revoke(yaa_db *db, const char *id, yaa_err *err) {
    int64_t changes = 0;
    int rc = yaa_db_exec(db, "UPDATE api_keys SET is_active = 0 WHERE id = ?",
                         YAA_DB_ARGS(yaa_db_text(id)), &changes, err);
    if (!rc && changes == 0)
        rc = yaa_err_set(err, YAA_ENOTFOUND, "API key '%s' not found", id ? id : "");
    return rc;
}

int yaa_db_keys_touch(yaa_db *db, const char *id, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                       YAA_DB_ARGS(yaa_db_text(now), yaa_db_text(id)), NULL, err);
}
