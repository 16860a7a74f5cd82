/* youtube_account.c - connecting channels to their own YouTube accounts and picking the
 * token an upload uses (see youtube_account.h). */
#include "agents/youtube_account.h"

#include "core/log.h"
#include <sodium.h>
#include "core/secret.h"
#include "core/util.h"
#include "db/credentials_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_key(const yaa_config *cfg, yaa_secret_key *k, yaa_err *err) {
    return yaa_secret_key_load(cfg->secret_key, cfg->secret_key_file, k, err);
}

void yaa_agents_youtube_options(const yaa_config *cfg, yaa_youtube_options *o) {
    memset(o, 0, sizeof *o);
    yaa_youtube_options_from_config(cfg, o);
    o->refresh_token = NULL; /* chosen per channel by yaa_agents_youtube_token */
    o->timeout_ms = 30000;
    o->retry = (yaa_http_retry){.max_attempts = 3};
}

int yaa_agents_youtube_token(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                             char **token, bool *own, yaa_err *err) {
    *token = NULL;
    *own = false;
    if (db && channel_id) {
        yaa_arena a;
        yaa_arena_init(&a, 4096);
        yaa_db_credential c;
        bool found = false;
        int rc = yaa_db_credentials_get(db, channel_id, &a, &c, &found, err);
        if (!rc && found) {
            yaa_secret_key k;
            rc = load_key(cfg, &k, err);
            if (!rc) rc = yaa_secret_open(&k, c.sealed_token, token, err);
            sodium_memzero(&k, sizeof k);
            if (rc)
                yaa_err_prefix(err, "the YouTube account of this channel cannot be used: ");
            else
                *own = true;
        }
        yaa_arena_free(&a);
        if (rc || found) return rc;
    }
    if (cfg->youtube_refresh_token && *cfg->youtube_refresh_token &&
        !(*token = strdup(cfg->youtube_refresh_token)))
        return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    return 0;
}

int yaa_agents_youtube_complete(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                                const char *expected_channel, const char *code,
                                const char *code_verifier, const char *redirect_uri,
                                const char *connected_by, yaa_youtube_account *acct_out,
                                yaa_err *err) {
    yaa_youtube_options o;
    yaa_agents_youtube_options(cfg, &o);
    yaa_youtube_tokens t = {0};
    yaa_youtube_account acct;
    int rc = yaa_youtube_auth_finish(&o, code, code_verifier, redirect_uri, &t, err);
    if (!rc) rc = yaa_youtube_channel_mine(&o, t.access_token, &acct, err);
    if (!rc) rc = yaa_youtube_check_owner(&acct, expected_channel, err);
    yaa_secret_key k;
    char *sealed = NULL;
    if (!rc) rc = load_key(cfg, &k, err);
    if (!rc) rc = yaa_secret_seal(&k, t.refresh_token, &sealed, err);
    if (!rc) {
        yaa_db_credential c = {.channel_id = channel_id,
                               .provider = "youtube",
                               .account_channel_id = acct.channel_id,
                               .account_title = acct.title,
                               .sealed_token = sealed,
                               .key_id = k.id,
                               .connected_by = connected_by};
        rc = yaa_db_credentials_put(db, &c, err);
    }
    sodium_memzero(&k, sizeof k);
    free(sealed);
    yaa_youtube_tokens_free(&t);
    if (!rc) {
        yaa_log_ev(YAA_LOG_INFO, "youtube", "channel connected to its YouTube account",
                   YAA_F_STR("channel_id", channel_id),
                   YAA_F_STR("youtube_channel_id", acct.channel_id),
                   YAA_F_STR("connected_by", connected_by ? connected_by : ""), YAA_F_END);
        if (acct_out) *acct_out = acct;
    }
    return rc;
}

int yaa_agents_youtube_start(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                             const char *redirect_uri, const char *created_by,
                             yaa_youtube_auth *out, yaa_err *err) {
    yaa_youtube_options o;
    yaa_agents_youtube_options(cfg, &o);
    int rc = yaa_youtube_auth_begin(&o, redirect_uri, out, err);
    yaa_secret_key k;
    char *sealed = NULL;
    if (!rc) rc = load_key(cfg, &k, err);
    if (!rc) rc = yaa_secret_seal(&k, out->code_verifier, &sealed, err);
    if (!rc) {
        char expires[YAA_DB_TIME_LEN + 1];
        yaa_db_time(yaa_now() + YAA_YOUTUBE_STATE_TTL_SEC, expires);
        yaa_db_oauth_state s = {.state = out->state,
                                .channel_id = channel_id,
                                .sealed_verifier = sealed,
                                .redirect_uri = redirect_uri,
                                .created_by = created_by,
                                .expires_at = expires};
        rc = yaa_db_oauth_state_put(db, &s, err);
    }
    sodium_memzero(&k, sizeof k);
    free(sealed);
    return rc;
}

int yaa_agents_youtube_take(yaa_db *db, const yaa_config *cfg, const char *state, yaa_arena *a,
                            const char **channel_id, char **code_verifier,
                            const char **redirect_uri, const char **created_by, yaa_err *err) {
    *code_verifier = NULL;
    yaa_db_oauth_state s;
    bool found = false;
    int rc = yaa_db_oauth_state_take(db, state, a, &s, &found, err);
    if (rc) return rc;
    if (!found)
        return yaa_err_set(err, YAA_ENOTFOUND,
                           "this sign-in is unknown or expired (it is valid for %d minutes and "
                           "once); start connecting the channel again",
                           YAA_YOUTUBE_STATE_TTL_SEC / 60);
    yaa_secret_key k;
    rc = load_key(cfg, &k, err);
    if (!rc) rc = yaa_secret_open(&k, s.sealed_verifier, code_verifier, err);
    sodium_memzero(&k, sizeof k);
    *channel_id = s.channel_id;
    *redirect_uri = s.redirect_uri;
    *created_by = s.created_by;
    return rc;
}
