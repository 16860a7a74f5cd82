/* test_accounts.c - a channel's own YouTube account against the double of Google's consent
 * screen, token endpoint and YouTube: the PKCE flow end to end (consent -> code -> refresh
 * token -> channels.list ownership check -> sealed in channel_credentials), a refused
 * consent, an account that does not own the channel, uploads with the channel's token and the
 * global fallback, an expired (revoked) token, and what follows an upload: publishAt,
 * captions.insert, playlistItems.insert, all also in the dry run. */
#include "test_util.h"

#include "agents/youtube_account.h"
#include "core/secret.h"
#include "core/util.h"
#include "db/credentials_repo.h"
#include "db/migrate.h"
#include "doubles/double.h"
#include "youtube/youtube.h"

#include <sys/stat.h>
#include <sys/wait.h>

#define OWNED "UCabcdefghijklmnopqrstuv"

static yaa_double g_d;
static char g_dir[PATH_MAX];
static char g_keyfile[PATH_MAX + 32], g_video[PATH_MAX + 32], g_srt[PATH_MAX + 32];
static char g_token_url[128], g_auth_url[128];
static yaa_db *g_db;
static yaa_config g_cfg;

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(g_dir, sizeof g_dir);
    snprintf(g_keyfile, sizeof g_keyfile, "%s/data/secret.key", g_dir);
    snprintf(g_video, sizeof g_video, "%s/video.mp4", g_dir);
    snprintf(g_srt, sizeof g_srt, "%s/subtitles.srt", g_dir);
    char *data = calloc(1, 300 * 1024);
    if (yaa_write_file(g_video, data, 300 * 1024)) return -1;
    free(data);
    const char *srt = "1\n00:00:00,000 --> 00:00:02,000\n안녕하세요\n";
    if (yaa_write_file(g_srt, srt, strlen(srt))) return -1;
    if (yaa_double_start(&g_d, "youtube_double")) return -1;
    snprintf(g_token_url, sizeof g_token_url, "%s/token", g_d.base);
    snprintf(g_auth_url, sizeof g_auth_url, "%s/o/oauth2/v2/auth", g_d.base);
    char url[PATH_MAX + 64];
    snprintf(url, sizeof url, "sqlite:///%s/yaa.db", g_dir);
    yaa_err err;
    char mig[PATH_MAX];
    if (yaa_db_open(url, &g_db, &err) || yaa_db_migrations_dir(NULL, mig, sizeof mig, &err) ||
        yaa_db_upgrade(g_db, mig, -1, NULL, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    g_cfg = (yaa_config){.youtube_client_id = "cid.apps.googleusercontent.com",
                         .youtube_client_secret = "cs-test",
                         .youtube_token_url = g_token_url,
                         .youtube_auth_url = g_auth_url,
                         .youtube_api_base_url = g_d.base,
                         .secret_key_file = g_keyfile};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    yaa_db_close(g_db);
    yaa_double_stop(&g_d);
    yaa_test_rmrf(g_dir);
    yaa_net_thread_cleanup();
    return 0;
}

static int reset(void **state) {
    (void)state;
    yaa_err err;
    yaa_db_exec(g_db, "DELETE FROM channel_credentials", NULL, 0, NULL, &err);
    yaa_db_exec(g_db, "DELETE FROM oauth_states", NULL, 0, NULL, &err);
    return yaa_double_reset(&g_d) == 200 ? 0 : -1;
}

/* The browser's part: GET the consent URL and read where Google sends it back. */
static void consent(const char *auth_url, char *location, size_t n) {
    yaa_http_request rq = {.url = auth_url, .method = "GET", .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    assert_int_equal(yaa_net_http_perform(&rq, &rp, NULL), 0);
    assert_int_equal(rp.status, 302);
    assert_true(yaa_net_http_reply_header(&rp, "Location", location, n));
    yaa_net_http_reply_free(&rp);
}

static const char *query_value(const char *url, const char *key, char *out, size_t n) {
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    const char *p = strstr(url, pat);
    if (!p) return NULL;
    p += strlen(pat);
    size_t o = 0;
    while (*p && *p != '&' && o + 1 < n) {
        if (*p == '%' && p[1] && p[2]) {
            char h[3] = {p[1], p[2], 0};
            out[o++] = (char)strtol(h, NULL, 16);
            p += 3;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

/* Starts the API flow for channel "cooking" and lets the double consent; returns the code. */
static void api_flow(const char *redirect, char *state, char *code) {
    yaa_youtube_auth auth;
    yaa_err err;
    assert_int_equal(
        yaa_agents_youtube_start(g_db, &g_cfg, "cooking", redirect, "key1", &auth, &err), 0);
    assert_non_null(strstr(auth.auth_url, "code_challenge_method=S256"));
    assert_non_null(strstr(auth.auth_url, "access_type=offline"));
    assert_null(strstr(auth.auth_url, auth.code_verifier)); /* only the challenge goes out */
    char loc[2048];
    consent(auth.auth_url, loc, sizeof loc);
    assert_true(strncmp(loc, redirect, strlen(redirect)) == 0);
    assert_non_null(query_value(loc, "state", state, 128));
    assert_string_equal(state, auth.state);
    if (!query_value(loc, "code", code, 256)) code[0] = '\0';
}

static void test_connect_seals_the_token(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"owned_channel\":\"" OWNED "\"}");
    const char *redirect = "https://yaa.example/api/v1/youtube/oauth/callback";
    char st[128], code[256];
    api_flow(redirect, st, code);
    assert_true(code[0]);
    /* the callback: take the flow (once), finish it */
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    const char *channel = NULL, *ru = NULL, *by = NULL;
    char *verifier = NULL;
    yaa_err err;
    assert_int_equal(
        yaa_agents_youtube_take(g_db, &g_cfg, st, &a, &channel, &verifier, &ru, &by, &err), 0);
    assert_string_equal(channel, "cooking");
    assert_string_equal(ru, redirect);
    assert_string_equal(by, "key1");
    char *v2 = NULL;
    const char *c2, *r2, *b2;
    assert_int_equal(yaa_agents_youtube_take(g_db, &g_cfg, st, &a, &c2, &v2, &r2, &b2, &err),
                     YAA_ENOTFOUND); /* one use only */
    yaa_youtube_account acct;
    assert_int_equal(yaa_agents_youtube_complete(g_db, &g_cfg, channel, OWNED, code, verifier, ru,
                                                 by, &acct, &err),
                     0);
    yaa_secret_wipe_free(verifier);
    assert_string_equal(acct.channel_id, OWNED);

    /* at rest: sealed, not the token; the key file is private */
    yaa_db_rows *r = NULL;
    assert_int_equal(yaa_db_query(g_db,
                                  "SELECT sealed_token, account_channel_id FROM "
                                  "channel_credentials WHERE channel_id = 'cooking'",
                                  NULL, 0, &r, &err),
                     0);
    assert_int_equal(yaa_db_rows_count(r), 1);
    const char *sealed = yaa_db_get_text(r, 0, 0);
    assert_true(strncmp(sealed, "v1:", 3) == 0);
    assert_null(strstr(sealed, "rt-issued"));
    assert_string_equal(yaa_db_get_text(r, 0, 1), OWNED);
    yaa_db_rows_free(r);
    struct stat sb;
    assert_int_equal(stat(g_keyfile, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* uploads use the channel's own token */
    char *token = NULL;
    bool own = false;
    assert_int_equal(yaa_agents_youtube_token(g_db, &g_cfg, "cooking", &token, &own, &err), 0);
    assert_true(own);
    assert_string_equal(token, "1//rt-issued-1");
    yaa_secret_wipe_free(token);
    /* another channel falls back to the global token (unset here: none) */
    assert_int_equal(yaa_agents_youtube_token(g_db, &g_cfg, "other", &token, &own, &err), 0);
    assert_false(own);
    assert_null(token);
    /* another key cannot open it, and says so */
    yaa_config other = g_cfg;
    other.secret_key = "a completely different passphrase of 40 chars";
    assert_int_equal(yaa_agents_youtube_token(g_db, &other, "cooking", &token, &own, &err),
                     YAA_EAUTH);
    assert_non_null(strstr(err.msg, "another key"));
    yaa_arena_free(&a);
    assert_int_equal(yaa_double_violations(&g_d), 0);
}

static void test_refused_consent(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"consent\":\"deny\"}");
    char st[128], code[256];
    api_flow("http://127.0.0.1:9/", st, code);
    assert_false(code[0]); /* error=access_denied instead */
    /* the CLI's listener turns it into a clear error: simulate with the loopback */
    yaa_youtube_loopback lb;
    yaa_err err;
    assert_int_equal(yaa_youtube_loopback_open(&lb, &err), 0);
    yaa_youtube_options o;
    yaa_agents_youtube_options(&g_cfg, &o);
    yaa_youtube_auth auth;
    assert_int_equal(yaa_youtube_auth_begin(&o, lb.redirect_uri, &auth, &err), 0);
    char loc[2048];
    consent(auth.auth_url, loc, sizeof loc);
    pid_t pid = fork();
    if (pid == 0) { /* the browser following the redirect */
        yaa_http_request rq = {.url = loc, .method = "GET", .timeout_ms = 5000};
        yaa_http_reply rp;
        yaa_net_http_reply_init(&rp);
        _exit(yaa_net_http_perform(&rq, &rp, NULL) == 0 && rp.status == 200 ? 0 : 1);
    }
    char got[256];
    assert_int_equal(yaa_youtube_loopback_wait(&lb, auth.state, 10000, got, sizeof got, &err),
                     YAA_EAUTH);
    assert_non_null(strstr(err.msg, "consent was refused"));
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    yaa_youtube_loopback_close(&lb);
    yaa_db_rows *r = NULL;
    assert_int_equal(
        yaa_db_query(g_db, "SELECT COUNT(*) FROM channel_credentials", NULL, 0, &r, &err), 0);
    assert_int_equal(yaa_db_get_int(r, 0, 0), 0);
    yaa_db_rows_free(r);
}

static void test_account_not_owner(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"owned_channel\":\"UCzzzzzzzzzzzzzzzzzzzzzz\"}");
    const char *redirect = "http://127.0.0.1:9/";
    char st[128], code[256];
    api_flow(redirect, st, code);
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    const char *channel, *ru, *by;
    char *verifier = NULL;
    yaa_err err;
    assert_int_equal(
        yaa_agents_youtube_take(g_db, &g_cfg, st, &a, &channel, &verifier, &ru, &by, &err), 0);
    assert_int_equal(yaa_agents_youtube_complete(g_db, &g_cfg, channel, OWNED, code, verifier, ru,
                                                 by, NULL, &err),
                     YAA_EAUTH);
    assert_non_null(strstr(err.msg, "UCzzzzzzzzzzzzzzzzzzzzzz"));
    assert_non_null(strstr(err.msg, OWNED));
    yaa_secret_wipe_free(verifier);
    yaa_arena_free(&a);
    char *token = NULL;
    bool own = true;
    assert_int_equal(yaa_agents_youtube_token(g_db, &g_cfg, "cooking", &token, &own, &err), 0);
    assert_false(own); /* nothing was stored */
}

static yaa_youtube_metadata scheduled_metadata(char *when, size_t n) {
    yaa_time_format(yaa_now() + 3 * 86400, when);
    (void)n;
    yaa_youtube_metadata md = {.title = "김치찌개 10분 완성",
                               .description = "0:00 Intro\n1:00 Old chapter",
                               .category_id = "26",
                               .privacy = "public",
                               .default_language = "ko",
                               .publish_at = when,
                               .captions_path = g_srt,
                               .playlist_id = "PLtestplaylist"};
    return md;
}

static void test_upload_extras_and_expired_token(void **state) {
    (void)state;
    yaa_youtube_options o;
    yaa_agents_youtube_options(&g_cfg, &o);
    o.refresh_token = "rt-test";
    char when[YAA_TIME_LEN + 1];
    yaa_youtube_metadata md = scheduled_metadata(when, sizeof when);
    yaa_youtube_result res;
    yaa_err err;
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), 0);
    assert_string_equal(res.privacy, "private"); /* publishAt requires private */
    assert_string_equal(res.publish_at, when);
    assert_string_equal(res.captions_id, "cap1");
    assert_string_equal(res.playlist_item_id, "pli1");
    assert_int_equal(yaa_double_violations(&g_d), 0);
    json_t *st = yaa_double_get_json(&g_d, "/_state");
    assert_non_null(st);
    json_t *cap = json_object_get(json_object_get(st, "captions"), res.video_id);
    assert_string_equal(json_string_value(json_object_get(cap, "language")), "ko");
    assert_non_null(strstr(json_string_value(json_object_get(cap, "text")), "안녕하세요"));
    json_t *item = json_array_get(json_object_get(st, "playlist_items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "playlistId")), "PLtestplaylist");
    json_decref(st);

    /* a failing captions.insert leaves the upload standing and says why */
    yaa_double_post(&g_d, "/_control", "{\"caption_error\":\"forbidden\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), 0);
    assert_string_equal(res.captions_id, "");
    assert_non_null(strstr(res.captions_error, "forbidden"));

    /* an expired or revoked refresh token */
    yaa_double_post(&g_d, "/_control", "{\"revoked\":[\"rt-test\"]}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "invalid_grant"));

    /* a time in the past is refused before anything is sent */
    md.publish_at = "2020-01-01T00:00:00Z";
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "publish_at"));
    md.publish_at = "tomorrow";
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
}

static void test_dry_run_plan(void **state) {
    (void)state;
    yaa_youtube_options o;
    yaa_agents_youtube_options(&g_cfg, &o);
    char when[YAA_TIME_LEN + 1];
    yaa_youtube_metadata md = scheduled_metadata(when, sizeof when);
    json_t *plan = NULL;
    yaa_err err;
    assert_int_equal(yaa_youtube_dry_run(&o, g_video, NULL, &md, &plan, &err), 0);
    json_t *reqs = json_object_get(plan, "requests");
    json_t *start = json_array_get(reqs, 1);
    json_t *status = json_object_get(json_object_get(start, "body"), "status");
    assert_string_equal(json_string_value(json_object_get(status, "publishAt")), when);
    assert_string_equal(json_string_value(json_object_get(status, "privacyStatus")), "private");
    bool captions = false, playlist = false;
    size_t i;
    json_t *r;
    json_array_foreach(reqs, i, r) {
        const char *u = json_string_value(json_object_get(r, "url"));
        if (strstr(u, "/captions?uploadType=multipart")) captions = true;
        if (strstr(u, "/playlistItems?part=snippet")) playlist = true;
    }
    assert_true(captions && playlist);
    assert_int_equal(json_integer_value(json_object_get(plan, "quota_units")),
                     YAA_YOUTUBE_INSERT_UNITS + YAA_YOUTUBE_CAPTION_UNITS +
                         YAA_YOUTUBE_PLAYLIST_UNITS);
    json_decref(plan);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_connect_seals_the_token, reset),
        cmocka_unit_test_setup(test_refused_consent, reset),
        cmocka_unit_test_setup(test_account_not_owner, reset),
        cmocka_unit_test_setup(test_upload_extras_and_expired_token, reset),
        cmocka_unit_test_setup(test_dry_run_plan, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
