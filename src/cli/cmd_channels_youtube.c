/* cmd_channels_youtube.c - `yaa channels connect-youtube ID` and `disconnect-youtube ID`:
 * each channel uploads with its own YouTube account. Connecting runs Google's installed-app
 * OAuth flow (PKCE) with a loopback redirect on 127.0.0.1, checks that the account owns the
 * channel's youtube_channel_id, and stores the refresh token sealed in the database. */
#include "cli/cli.h"

#include "agents/youtube_account.h"
#include "channels/channels.h"
#include "db/credentials_repo.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: yaa channels connect-youtube ID [--timeout SEC]\n"
    "       yaa channels disconnect-youtube ID\n"
    "       yaa channels youtube-status ID [--json]\n"
    "\n"
    "  connect-youtube     prints a Google sign-in link; open it in a browser on this machine\n"
    "                      and sign in with the account that owns the channel (or manages it).\n"
    "                      Google sends the browser back to 127.0.0.1 on a free port; yaa\n"
    "                      checks that the account owns youtube_channel_id from config.yaml and\n"
    "                      stores the refresh token, sealed with SECRET_KEY or SECRET_KEY_FILE.\n"
    "    --timeout SEC     how long to wait for the browser (default 300)\n"
    "  disconnect-youtube  forgets the channel's account (uploads fall back to\n"
    "                      YOUTUBE_REFRESH_TOKEN, or a dry run)\n"
    "  youtube-status      which account the channel uploads with\n"
    "\n"
    "Needs YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (an OAuth client of type Desktop app).\n"
    "On a machine without a browser, forward the port first (ssh -L) or connect from the\n"
    "dashboard's channel page instead (docs/WORKFLOW.md).\n";

static int connect_channel(yaa_cli *cli, const char *id, long timeout_sec) {
    yaa_err err = {0};
    yaa_channel *ch = NULL;
    if (yaa_channels_load(cli->cfg->channels_dir, id, &ch, &err) != 0 && !ch)
        return yaa_cli_fail("channels connect-youtube: %s", err.msg);
    char expected[64];
    snprintf(expected, sizeof expected, "%s", ch->channel.youtube_channel_id);
    yaa_channels_free(ch);
    yaa_db *db = NULL;
    int code = yaa_cli_open_db(cli, "channels connect-youtube", true, &db);
    if (code) return code;
    yaa_youtube_options o;
    yaa_agents_youtube_options(cli->cfg, &o);
    yaa_youtube_loopback lb;
    yaa_youtube_auth auth;
    char authcode[2048] = "";
    yaa_youtube_account acct;
    int rc = yaa_youtube_loopback_open(&lb, &err);
    if (!rc) rc = yaa_youtube_auth_begin(&o, lb.redirect_uri, &auth, &err);
    if (!rc) {
        printf("Open this link in a browser and sign in with the Google account that owns the "
               "channel%s%s:\n\n  %s\n\n",
               *expected ? " " : "", expected, auth.auth_url);
        printf("Waiting for Google's answer on %s (up to %ld s)...\n", lb.redirect_uri,
               timeout_sec);
        fflush(stdout);
        rc = yaa_youtube_loopback_wait(&lb, auth.state, timeout_sec * 1000, authcode,
                                       sizeof authcode, &err);
    }
    if (lb.fd >= 0) yaa_youtube_loopback_close(&lb);
    if (!rc)
        rc = yaa_agents_youtube_complete(db, cli->cfg, id, expected, authcode, auth.code_verifier,
                                         lb.redirect_uri, "cli", &acct, &err);
    memset(&auth, 0, sizeof auth);
    memset(authcode, 0, sizeof authcode);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("channels connect-youtube %s: %s", id, err.msg);
    printf("Connected: channel %s uploads to YouTube channel %s (%s).\n", id, acct.channel_id,
           acct.title[0] ? acct.title : "untitled");
    return YAA_EXIT_OK;
}

static int disconnect_channel(yaa_cli *cli, const char *id) {
    yaa_db *db = NULL;
    int code = yaa_cli_open_db(cli, "channels disconnect-youtube", true, &db);
    if (code) return code;
    yaa_err err = {0};
    bool deleted = false;
    int rc = yaa_db_credentials_delete(db, id, &deleted, &err);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("channels disconnect-youtube %s: %s", id, err.msg);
    printf(deleted ? "Disconnected: channel %s no longer has its own YouTube account.\n"
                   : "Channel %s had no YouTube account of its own.\n",
           id);
    return YAA_EXIT_OK;
}

static int status_channel(yaa_cli *cli, const char *id, bool as_json) {
    yaa_db *db = NULL;
    int code = yaa_cli_open_db(cli, "channels youtube-status", true, &db);
    if (code) return code;
    yaa_err err = {0};
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_credential c;
    bool found = false;
    int rc = yaa_db_credentials_get(db, id, &a, &c, &found, &err);
    yaa_db_close(db);
    if (rc) {
        yaa_arena_free(&a);
        return yaa_cli_fail("channels youtube-status %s: %s", id, err.msg);
    }
    bool global = cli->cfg->youtube_refresh_token && *cli->cfg->youtube_refresh_token;
    const char *uses = found ? "channel" : global ? "global" : "none";
    if (as_json)
        printf("{\"channel_id\": \"%s\", \"account\": \"%s\", \"youtube_channel_id\": %s%s%s, "
               "\"connected_at\": %s%s%s}\n",
               id, uses, found ? "\"" : "", found ? c.account_channel_id : "null",
               found ? "\"" : "", found ? "\"" : "", found ? c.updated_at : "null",
               found ? "\"" : "");
    else if (found)
        printf("%s uploads to YouTube channel %s (%s), connected %s by %s.\n", id,
               c.account_channel_id, c.account_title, c.updated_at,
               c.connected_by ? c.connected_by : "?");
    else
        printf("%s has no YouTube account of its own; uploads use %s.\n", id,
               global ? "YOUTUBE_REFRESH_TOKEN" : "nothing (dry runs only)");
    yaa_arena_free(&a);
    return YAA_EXIT_OK;
}

int yaa_cli_channels_youtube(yaa_cli *cli) {
    const char *sub = cli->argv[1];
    const char *id = NULL;
    long timeout_sec = 300;
    bool as_json = false;
    if (yaa_cli_wants_help(cli->argc, cli->argv)) {
        fputs(usage, stdout);
        return YAA_EXIT_OK;
    }
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--timeout") == 0 && strcmp(sub, "connect-youtube") == 0) {
            if (i + 1 >= cli->argc)
                return yaa_cli_usage_error("channels %s: --timeout needs a number of seconds", sub);
            int rc = yaa_cli_long_option("channels connect-youtube", "--timeout", cli->argv[++i], 5,
                                         3600, &timeout_sec);
            if (rc) return rc;
        } else if (strcmp(a, "--json") == 0 && strcmp(sub, "youtube-status") == 0) {
            as_json = true;
        } else if (a[0] == '-' && a[1]) {
            return yaa_cli_usage_error("channels %s: unknown option '%s' (see yaa channels %s "
                                       "--help)",
                                       sub, a, sub);
        } else if (!id) {
            id = a;
        } else {
            return yaa_cli_usage_error("channels %s: one channel id, got '%s' too", sub, a);
        }
    }
    if (!id) return yaa_cli_usage_error("usage: yaa channels %s ID", sub);
    if (!yaa_channels_id_valid(id))
        return yaa_cli_usage_error("channels %s: '%s' is not a channel id (letters, digits, _ "
                                   "and -)",
                                   sub, id);
    if (yaa_channels_id_reserved(id))
        return yaa_cli_usage_error("channels %s: '%s' is reserved (folders starting with '_' "
                                   "are templates, not channels)",
                                   sub, id);
    if (strcmp(sub, "connect-youtube") == 0) return connect_channel(cli, id, timeout_sec);
    if (strcmp(sub, "disconnect-youtube") == 0) return disconnect_channel(cli, id);
    return status_channel(cli, id, as_json);
}
