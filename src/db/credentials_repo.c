/* credentials_repo.c - channel_credentials and oauth_states (see credentials_repo.h). */
#include "db/credentials_repo.h"

#include "db/repo_internal.h"

#include <string.h>

#define CRED_COLS                                                                            \
    "SELECT channel_id, provider, account_channel_id, account_title, sealed_token, key_id, " \
    "connected_by, created_at, updated_at FROM channel_credentials"

int yaa_db_credentials_put(yaa_db *db, const yaa_db_credential *c, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    return yaa_db_exec(
        db,
        "INSERT INTO channel_credentials (channel_id, provider, account_channel_id, "
        "account_title, sealed_token, key_id, connected_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET "
        "provider = excluded.provider, account_channel_id = excluded.account_channel_id, "
        "account_title = excluded.account_title, sealed_token = excluded.sealed_token, "
        "key_id = excluded.key_id, connected_by = excluded.connected_by, "
        "updated_at = excluded.updated_at",
        YAA_DB_ARGS(yaa_db_text(c->channel_id), yaa_db_text(c->provider ? c->provider : "youtube"),
                    yaa_db_text(c->account_channel_id),
                    yaa_db_text(c->account_title ? c->account_title : ""),
                    yaa_db_text(c->sealed_token), yaa_db_text(c->key_id),
                    yaa_db_text(c->connected_by), yaa_db_text(now), yaa_db_text(now)),
        NULL, err);
}

static const yaa_db__field credential_fields[] = {
    YAA_DB__FIELD(yaa_db_credential, channel_id),
    YAA_DB__FIELD(yaa_db_credential, provider),
    YAA_DB__FIELD(yaa_db_credential, account_channel_id),
    YAA_DB__FIELD(yaa_db_credential, account_title),
    YAA_DB__FIELD(yaa_db_credential, sealed_token),
    YAA_DB__FIELD(yaa_db_credential, key_id),
    YAA_DB__FIELD(yaa_db_credential, connected_by),
    YAA_DB__FIELD(yaa_db_credential, created_at),
    YAA_DB__FIELD(yaa_db_credential, updated_at),
};

int yaa_db_credentials_get(yaa_db *db, const char *channel_id, yaa_arena *a, yaa_db_credential *out,
                           bool *found, yaa_err *err) {
    memset(out, 0, sizeof *out);
    *found = false;
    yaa_db_rows *r = NULL;
    int rc = yaa_db_query(db, CRED_COLS " WHERE channel_id = ?",
                          YAA_DB_ARGS(yaa_db_text(channel_id)), &r, err);
    if (rc) return rc;
    *found = yaa_db_rows_count(r) > 0;
    if (*found && yaa_db__map_row(r, 0, a, YAA_DB__FIELDS(credential_fields), out))
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_db_rows_free(r);
    return rc;
}

int yaa_db_credentials_delete(yaa_db *db, const char *channel_id, bool *deleted, yaa_err *err) {
    int64_t n = 0;
    int rc = yaa_db_exec(db, "DELETE FROM channel_credentials WHERE channel_id = ?",
                         YAA_DB_ARGS(yaa_db_text(channel_id)), &n, err);
    if (deleted) *deleted = n > 0;
    return rc;
}

int yaa_db_oauth_state_put(yaa_db *db, const yaa_db_oauth_state *s, yaa_err *err) {
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    int rc = yaa_db_exec(db, "DELETE FROM oauth_states WHERE expires_at < ?",
                         YAA_DB_ARGS(yaa_db_text(now)), NULL, err);
    if (rc) return rc;
    return yaa_db_exec(db,
                       "INSERT INTO oauth_states (state, channel_id, sealed_verifier, "
                       "redirect_uri, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                       YAA_DB_ARGS(yaa_db_text(s->state), yaa_db_text(s->channel_id),
                                   yaa_db_text(s->sealed_verifier), yaa_db_text(s->redirect_uri),
                                   yaa_db_text(s->created_by), yaa_db_text(s->expires_at)),
                       NULL, err);
}

static const yaa_db__field oauth_state_fields[] = {
    YAA_DB__FIELD(yaa_db_oauth_state, state),
    YAA_DB__FIELD(yaa_db_oauth_state, channel_id),
    YAA_DB__FIELD(yaa_db_oauth_state, sealed_verifier),
    YAA_DB__FIELD(yaa_db_oauth_state, redirect_uri),
    YAA_DB__FIELD(yaa_db_oauth_state, created_by),
    YAA_DB__FIELD(yaa_db_oauth_state, expires_at),
};

int yaa_db_oauth_state_take(yaa_db *db, const char *state, yaa_arena *a, yaa_db_oauth_state *out,
                            bool *found, yaa_err *err) {
    memset(out, 0, sizeof *out);
    *found = false;
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_db_rows *r = NULL;
    /* DELETE ... RETURNING: one use only, even when two callbacks race */
    int rc = yaa_db_query(db,
                          "DELETE FROM oauth_states WHERE state = ? RETURNING state, channel_id, "
                          "sealed_verifier, redirect_uri, created_by, expires_at",
                          YAA_DB_ARGS(yaa_db_text(state)), &r, err);
    if (rc) return rc;
    if (yaa_db_rows_count(r) > 0) {
        if (yaa_db__map_row(r, 0, a, YAA_DB__FIELDS(oauth_state_fields), out))
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        else
            *found = out->expires_at && strcmp(out->expires_at, now) >= 0;
    }
    yaa_db_rows_free(r);
    return rc;
}
