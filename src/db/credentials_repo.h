/* credentials_repo.h - channel_credentials (each channel's own YouTube account, its refresh
 * token sealed by the caller) and oauth_states (consent flows started by the API). Values
 * are stored as given: sealing and opening is the caller's business (core/secret.h). */
#ifndef YAA_DB_CREDENTIALS_REPO_H
#define YAA_DB_CREDENTIALS_REPO_H

#include "core/arena.h"
#include "db/db.h"

#include <stdbool.h>

typedef struct yaa_db_credential {
    const char *channel_id;
    const char *provider; /* "youtube" */
    const char *account_channel_id;
    const char *account_title;
    const char *sealed_token; /* secret (sealed) */
    const char *key_id;
    const char *connected_by; /* API key id, "cli", or NULL */
    const char *created_at;
    const char *updated_at;
} yaa_db_credential;

/* Inserts or replaces the channel's credential (created_at kept on replace). */
int yaa_db_credentials_put(yaa_db *db, const yaa_db_credential *c, yaa_err *err);
/* *found false (and out zeroed) when the channel has none. Strings live in a. */
int yaa_db_credentials_get(yaa_db *db, const char *channel_id, yaa_arena *a, yaa_db_credential *out,
                           bool *found, yaa_err *err);
/* *deleted false when there was none. */
int yaa_db_credentials_delete(yaa_db *db, const char *channel_id, bool *deleted, yaa_err *err);

typedef struct yaa_db_oauth_state {
    const char *state;
    const char *channel_id;
    const char *sealed_verifier;
    const char *redirect_uri;
    const char *created_by;
    const char *expires_at;
} yaa_db_oauth_state;

/* Stores a new flow; expired ones are removed first. */
int yaa_db_oauth_state_put(yaa_db *db, const yaa_db_oauth_state *s, yaa_err *err);
/* Removes and returns the flow (one use only); *found false when unknown or expired. */
int yaa_db_oauth_state_take(yaa_db *db, const char *state, yaa_arena *a, yaa_db_oauth_state *out,
                            bool *found, yaa_err *err);

#endif
