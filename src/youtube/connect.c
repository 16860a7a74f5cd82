/* connect.c - connecting a channel to its own YouTube account: Google's OAuth 2.0 flow for
 * installed apps with PKCE (RFC 7636, S256), the code exchange that yields the refresh token,
 * and channels.list?mine=true to learn which channel the account owns. The redirect lands on
 * a loopback listener (the CLI, loopback.c) or on the API's callback (the dashboard). */
#include "youtube/youtube_internal.h"

#include "core/buf.h"
#include "core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* youtube.upload for videos.insert and thumbnails.set; youtube.force-ssl for captions.insert,
 * playlistItems.insert and channels.list. */
#define SCOPES                                        \
    "https://www.googleapis.com/auth/youtube.upload " \
    "https://www.googleapis.com/auth/youtube.force-ssl"

static void b64url(const unsigned char *raw, size_t n, char *out, size_t out_n) {
    sodium_bin2base64(out, out_n, raw, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int yaa_youtube_auth_begin(const yaa_youtube_options *o, const char *redirect_uri,
                           yaa_youtube_auth *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    if (!o->client_id || !*o->client_id || !o->client_secret || !*o->client_secret)
        return yaa_err_set(err, YAA_ECONFIG,
                           "youtube: set YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (an OAuth "
                           "client of type 'Desktop app' in the Google Cloud console) to "
                           "connect a channel");
    if (!redirect_uri || !*redirect_uri)
        return yaa_err_set(err, YAA_EINVAL, "youtube: the OAuth redirect URI is empty");
    unsigned char raw[48], digest[crypto_hash_sha256_BYTES];
    if (yaa_random_bytes(raw, sizeof raw) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot read the system random number generator");
    /* 48 random bytes -> a 64-character verifier (RFC 7636 allows 43..128) */
    b64url(raw, sizeof raw, out->code_verifier, sizeof out->code_verifier);
    if (yaa_random_bytes(raw, 24) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot read the system random number generator");
    b64url(raw, 24, out->state, sizeof out->state);
    crypto_hash_sha256(digest, (const unsigned char *)out->code_verifier,
                       strlen(out->code_verifier));
    char challenge[64];
    b64url(digest, sizeof digest, challenge, sizeof challenge);
    sodium_memzero(raw, sizeof raw);

    yaa_buf q;
    yaa_buf_init(&q, sizeof out->auth_url - 1);
    const char *base = o->auth_url && *o->auth_url ? o->auth_url : YAA_YOUTUBE_AUTH_URL;
    int rc = yaa_buf_puts(&q, base);
    if (!rc) rc = yaa_buf_putc(&q, strchr(base, '?') ? '&' : '?');
    yaa_buf form;
    yaa_buf_init(&form, sizeof out->auth_url - 1);
    if (!rc) rc = yaa_youtube__form_put(&form, "client_id", o->client_id);
    if (!rc) rc = yaa_youtube__form_put(&form, "redirect_uri", redirect_uri);
    if (!rc) rc = yaa_youtube__form_put(&form, "response_type", "code");
    if (!rc) rc = yaa_youtube__form_put(&form, "scope", SCOPES);
    if (!rc) rc = yaa_youtube__form_put(&form, "state", out->state);
    if (!rc) rc = yaa_youtube__form_put(&form, "code_challenge", challenge);
    if (!rc) rc = yaa_youtube__form_put(&form, "code_challenge_method", "S256");
    /* offline + consent: Google returns a refresh token even to an account that granted
     * access before */
    if (!rc) rc = yaa_youtube__form_put(&form, "access_type", "offline");
    if (!rc) rc = yaa_youtube__form_put(&form, "prompt", "consent");
    if (!rc) rc = yaa_buf_append(&q, form.data, form.len);
    if (!rc) snprintf(out->auth_url, sizeof out->auth_url, "%s", q.data);
    yaa_buf_free(&form);
    yaa_buf_free(&q);
    if (rc) return yaa_err_set(err, YAA_EINVAL, "youtube: the consent URL is too long");
    return 0;
}

int yaa_youtube_auth_finish(const yaa_youtube_options *o, const char *code,
                            const char *code_verifier, const char *redirect_uri,
                            yaa_youtube_tokens *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    if (!code || !*code) return yaa_err_set(err, YAA_EINVAL, "youtube: no authorization code");
    yaa_buf form;
    yaa_buf_init(&form, 16 * 1024);
    int rc = yaa_youtube__form_put(&form, "client_id", o->client_id ? o->client_id : "");
    if (!rc)
        rc =
            yaa_youtube__form_put(&form, "client_secret", o->client_secret ? o->client_secret : "");
    if (!rc) rc = yaa_youtube__form_put(&form, "code", code);
    if (!rc) rc = yaa_youtube__form_put(&form, "code_verifier", code_verifier);
    if (!rc) rc = yaa_youtube__form_put(&form, "redirect_uri", redirect_uri);
    if (!rc) rc = yaa_youtube__form_put(&form, "grant_type", "authorization_code");
    json_t *reply = NULL;
    if (rc)
        rc = yaa_err_set(err, YAA_EINVAL, "youtube: authorization code too long");
    else
        rc = yaa_youtube__token_post(o, &form, "the authorization code exchange", &reply, err);
    yaa_buf_free(&form);
    if (rc) return rc;
    const char *rt = json_string_value(json_object_get(reply, "refresh_token"));
    const char *at = json_string_value(json_object_get(reply, "access_token"));
    if (!at || !*at)
        rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: the token reply has no access_token");
    else if (!rt || !*rt)
        rc = yaa_err_set(err, YAA_EPROVIDER,
                         "youtube: Google returned no refresh token; remove yaa's access at "
                         "https://myaccount.google.com/permissions and connect again");
    else if (!(out->refresh_token = strdup(rt)) || !(out->access_token = strdup(at)))
        rc = yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    const char *scope = json_string_value(json_object_get(reply, "scope"));
    if (!rc && scope && !strstr(scope, "youtube"))
        rc = yaa_err_set(err, YAA_EAUTH,
                         "youtube: the account granted '%.200s', not YouTube access; connect "
                         "again and allow managing YouTube videos",
                         scope);
    json_decref(reply);
    if (rc) yaa_youtube_tokens_free(out);
    return rc;
}

void yaa_youtube_tokens_free(yaa_youtube_tokens *t) {
    if (t->refresh_token) {
        sodium_memzero(t->refresh_token, strlen(t->refresh_token));
        free(t->refresh_token);
    }
    if (t->access_token) {
        sodium_memzero(t->access_token, strlen(t->access_token));
        free(t->access_token);
    }
    t->refresh_token = t->access_token = NULL;
}

int yaa_youtube_channel_mine(const yaa_youtube_options *o, const char *access_token,
                             yaa_youtube_account *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    json_t *v = NULL;
    int rc = yaa_youtube__api(o, access_token, "GET", YAA__YOUTUBE_CHANNELS_MINE_PATH, NULL, NULL,
                              0, "channels.list", &v, err);
    if (rc) return rc;
    json_t *item = json_array_get(json_object_get(v, "items"), 0);
    const char *id = json_string_value(json_object_get(item, "id"));
    const char *title =
        json_string_value(json_object_get(json_object_get(item, "snippet"), "title"));
    if (!id || !*id) {
        rc = yaa_err_set(err, YAA_EAUTH,
                         "youtube: the Google account that signed in has no YouTube channel; "
                         "sign in with the account that owns the channel");
    } else {
        snprintf(out->channel_id, sizeof out->channel_id, "%s", id);
        snprintf(out->title, sizeof out->title, "%s", title ? title : "");
    }
    json_decref(v);
    return rc;
}

int yaa_youtube_check_owner(const yaa_youtube_account *acct, const char *expected, yaa_err *err) {
    if (!expected || !*expected) return 0; /* the channel config names no channel: any */
    if (strcmp(acct->channel_id, expected) == 0) return 0;
    return yaa_err_set(err, YAA_EAUTH,
                       "youtube: the account that signed in owns channel %s (%s), not %s "
                       "(youtube_channel_id in config.yaml); sign in with the owner's account "
                       "or a manager of that channel",
                       acct->channel_id, acct->title[0] ? acct->title : "untitled", expected);
}
