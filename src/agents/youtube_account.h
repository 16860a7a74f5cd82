/* youtube_account.h - each channel's own YouTube account: connecting it (the OAuth flow's
 * two ends, from the CLI's loopback listener or the API's callback), storing its refresh
 * token sealed in the database, and choosing the token an upload uses (the channel's own,
 * else the global YOUTUBE_REFRESH_TOKEN). Tokens never leave this file unsealed except to
 * the upload itself. */
#ifndef YAA_AGENTS_YOUTUBE_ACCOUNT_H
#define YAA_AGENTS_YOUTUBE_ACCOUNT_H

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"
#include "youtube/youtube.h"

#include <stdbool.h>

#define YAA_YOUTUBE_STATE_TTL_SEC 900 /* a consent flow started by the API expires after */

/* The refresh token for uploads to channel_id: its connected account's (*own true) or
 * YOUTUBE_REFRESH_TOKEN (*own false; *token NULL when that is unset too). Free *token with
 * yaa_secret_wipe_free. */
int yaa_agents_youtube_token(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                             char **token, bool *own, yaa_err *err);

/* The second half of a consent flow: exchanges code (PKCE verifier, same redirect_uri),
 * asks channels.list?mine=true, refuses an account that does not own expected_channel
 * (youtube_channel_id; "" accepts any), seals and stores the refresh token for channel_id.
 * connected_by: an API key id or "cli". acct (may be NULL) gets the account. */
int yaa_agents_youtube_complete(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                                const char *expected_channel, const char *code,
                                const char *code_verifier, const char *redirect_uri,
                                const char *connected_by, yaa_youtube_account *acct, yaa_err *err);

/* The API's first half: a consent URL for channel_id redirecting to redirect_uri; the state
 * and the sealed verifier are stored so any API instance can take the callback. */
int yaa_agents_youtube_start(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                             const char *redirect_uri, const char *created_by,
                             yaa_youtube_auth *out, yaa_err *err);

/* The API callback's lookup: removes the stored flow for state (one use) and returns its
 * channel, opened verifier (malloc'd; wipe) and redirect URI (in a). YAA_ENOTFOUND when
 * unknown or expired. */
int yaa_agents_youtube_take(yaa_db *db, const yaa_config *cfg, const char *state, yaa_arena *a,
                            const char **channel_id, char **code_verifier,
                            const char **redirect_uri, const char **created_by, yaa_err *err);

/* The youtube options for this configuration (client, endpoints) with retry defaults. */
void yaa_agents_youtube_options(const yaa_config *cfg, yaa_youtube_options *o);

#endif
