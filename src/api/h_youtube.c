/* h_youtube.c - connecting a channel to its own YouTube account from the dashboard: start
 * the consent flow (admin), Google's redirect back to the callback (public: the browser
 * carries no API key; the one-use state, stored with the sealed PKCE verifier, is what
 * authorises it), the account in use, and disconnecting. Tokens never appear in a reply. */
#include "api/api_internal.h"

#include "agents/youtube_account.h"
#include "channels/channels.h"
#include "core/secret.h"
#include "db/credentials_repo.h"

#include <stdio.h>
#include <string.h>

#define CALLBACK_PATH "/api/v1/youtube/oauth/callback"

static const char *channels_root(const yaa_http_req *req) {
    const yaa_config *cfg = req->api->cfg;
    return cfg && cfg->channels_dir ? cfg->channels_dir : "./channels";
}

/* YOUTUBE_REDIRECT_URL, else this server as the browser reached it. */
static const char *redirect_uri(const yaa_http_req *req) {
    const yaa_config *cfg = req->api->cfg;
    if (cfg && cfg->youtube_redirect_url && *cfg->youtube_redirect_url)
        return cfg->youtube_redirect_url;
    const char *host = yaa_api_http_header_get(req, "Host");
    const char *proto = yaa_api_http_header_get(req, "X-Forwarded-Proto");
    if (!host || !*host || strpbrk(host, "/\\ \"<>")) return NULL;
    return yaa_arena_sprintf(req->arena, "%s://%s" CALLBACK_PATH,
                             proto && strcmp(proto, "https") == 0 ? "https" : "http", host);
}

/* The channel's youtube_channel_id, or NULL (404 answered) when the channel does not exist. */
static const char *channel_ytid(yaa_http_req *req, yaa_http_resp *resp, const char *id) {
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    int rc = yaa_channels_validate(channels_root(req), id, &ch, &err);
    if (!ch) {
        yaa_api__fail(resp, rc ? rc : YAA_ENOTFOUND, &err);
        return NULL;
    }
    const char *yt = yaa_arena_strdup(req->arena, ch->channel.youtube_channel_id);
    yaa_channels_free(ch);
    return yt ? yt : "";
}

int yaa_api__h_youtube_connect(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (yaa_api__channel_reserved(id, resp)) return 0;
    if (!yaa_api__need_db(req, resp)) return 0;
    if (!channel_ytid(req, resp, id)) return 0;
    const char *ru = redirect_uri(req);
    if (!ru)
        return yaa_api_http_error(resp, 400,
                                  "cannot tell this server's address; set YOUTUBE_REDIRECT_URL to "
                                  "<public URL>" CALLBACK_PATH);
    yaa_youtube_auth auth;
    yaa_err err = {0};
    int rc = yaa_agents_youtube_start(req->api->db, req->api->cfg, id, ru,
                                      req->key_id[0] ? req->key_id : NULL, &auth, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    json_t *o = json_pack("{s:s,s:s,s:s,s:i}", "channel_id", id, "auth_url", auth.auth_url,
                          "redirect_uri", ru, "expires_in", YAA_YOUTUBE_STATE_TTL_SEC);
    memset(&auth, 0, sizeof auth);
    return yaa_api_http_json(resp, 200, o);
}

static int page(yaa_http_resp *resp, int status, const char *title, const char *text,
                const char *channel_id) {
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    yaa_buf_printf(&resp->body,
                   "<!doctype html><meta charset=utf-8><title>yaa: %s</title>"
                   "<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>",
                   title, title);
    for (const char *p = text; *p; p++) { /* the text may quote Google: escape it */
        if (*p == '<')
            yaa_buf_puts(&resp->body, "&lt;");
        else if (*p == '>')
            yaa_buf_puts(&resp->body, "&gt;");
        else if (*p == '&')
            yaa_buf_puts(&resp->body, "&amp;");
        else
            yaa_buf_putc(&resp->body, *p);
    }
    yaa_buf_puts(&resp->body, "</p>");
    if (channel_id && yaa_channels_id_valid(channel_id))
        yaa_buf_printf(&resp->body, "<p><a href=\"/channels/%s\">Back to the channel</a></p>",
                       channel_id);
    return 0;
}

int yaa_api__h_youtube_callback(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    const char *state = yaa_api_http_query_get(req, "state");
    const char *code = yaa_api_http_query_get(req, "code");
    const char *error = yaa_api_http_query_get(req, "error");
    if (!state || !*state)
        return page(resp, 400, "Not connected", "The redirect carries no state.", NULL);
    const char *channel = NULL, *ru = NULL, *by = NULL;
    char *verifier = NULL;
    yaa_err err = {0};
    int rc = yaa_agents_youtube_take(req->api->db, req->api->cfg, state, req->arena, &channel,
                                     &verifier, &ru, &by, &err);
    if (rc) {
        yaa_secret_wipe_free(verifier);
        return page(resp, rc == YAA_ENOTFOUND ? 400 : 500, "Not connected", err.msg, NULL);
    }
    if (yaa_channels_id_reserved(channel)) { /* a flow started for the template */
        yaa_secret_wipe_free(verifier);
        return page(resp, 403, "Not connected",
                    "The template new channels are made from cannot be connected to YouTube.",
                    NULL);
    }
    if (error && *error) {
        yaa_secret_wipe_free(verifier);
        char why[300];
        snprintf(why, sizeof why,
                 "Access was not granted (%.100s); nothing was stored. Start again from the "
                 "channel page.",
                 error);
        return page(resp, 400, "Not connected", why, channel);
    }
    const char *expected = channel_ytid(req, resp, channel);
    if (!expected) {
        yaa_secret_wipe_free(verifier);
        return 0;
    }
    yaa_youtube_account acct;
    rc = yaa_agents_youtube_complete(req->api->db, req->api->cfg, channel, expected, code, verifier,
                                     ru, by, &acct, &err);
    yaa_secret_wipe_free(verifier);
    if (rc) return page(resp, yaa_api_http_status_of(rc), "Not connected", err.msg, channel);
    char done[400];
    snprintf(done, sizeof done, "Channel %s now uploads to YouTube channel %s (%s).", channel,
             acct.channel_id, acct.title[0] ? acct.title : "untitled");
    return page(resp, 200, "Connected", done, channel);
}

int yaa_api__h_youtube_get(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (yaa_api__channel_reserved(id, resp)) return 0;
    if (!yaa_api__need_db(req, resp)) return 0;
    if (!channel_ytid(req, resp, id)) return 0;
    yaa_db_credential c;
    bool found = false;
    yaa_err err = {0};
    int rc = yaa_db_credentials_get(req->api->db, id, req->arena, &c, &found, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    const yaa_config *cfg = req->api->cfg;
    bool global = cfg && cfg->youtube_refresh_token && *cfg->youtube_refresh_token;
    bool client = cfg && cfg->youtube_client_id && *cfg->youtube_client_id &&
                  cfg->youtube_client_secret && *cfg->youtube_client_secret;
    json_t *o = json_pack("{s:s,s:s,s:b}", "channel_id", id, "account",
                          found    ? "channel"
                          : global ? "global"
                                   : "none",
                          "can_connect", client);
    json_object_set_new(o, "youtube_channel_id",
                        found ? json_string(c.account_channel_id) : json_null());
    json_object_set_new(o, "title", found ? json_string(c.account_title) : json_null());
    json_object_set_new(o, "connected_at", found ? json_string(c.updated_at) : json_null());
    return yaa_api_http_json(resp, 200, o);
}

int yaa_api__h_youtube_disconnect(yaa_http_req *req, yaa_http_resp *resp) {
    const char *id = yaa_api_http_param(req, 0);
    if (yaa_api__channel_reserved(id, resp)) return 0;
    if (!yaa_api__need_db(req, resp)) return 0;
    bool deleted = false;
    yaa_err err = {0};
    int rc = yaa_db_credentials_delete(req->api->db, id, &deleted, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    if (!deleted)
        return yaa_api_http_error(resp, 404, "channel %s has no YouTube account of its own", id);
    return yaa_api_http_json(resp, 200,
                             json_pack("{s:s,s:b}", "channel_id", id, "disconnected", 1));
}
