/* test_publisher.c - the YouTube publisher against a double of the OAuth token endpoint and
 * the resumable upload protocol: a full upload checked byte for byte, a connection broken
 * mid-upload and resumed from the server's Range (308), a 5xx mid-upload, resuming an earlier
 * session, thumbnails.set, quota/credential/forbidden errors, the dry run, metadata limits. */
#include "test_util.h"

#include "core/util.h"
#include "doubles/double.h"
#include "youtube/youtube.h"

static yaa_double g_d;
static char g_dir[PATH_MAX];
static char g_video[PATH_MAX + 32], g_thumb[PATH_MAX + 32];
static char g_sha[65];
#define VIDEO_SIZE ((size_t)1300 * 1024) /* 3 chunks of 512 KiB, the last one short */

static const char *TAGS[] = {"coffee", "brewing at home", "카페"};

static yaa_youtube_metadata metadata(void) {
    yaa_youtube_metadata md = {.title = "Pour-over coffee in 5 minutes",
                               .description = "How to brew.\n0:00 Intro",
                               .tags = TAGS,
                               .ntags = 3,
                               .category_id = "26",
                               .default_language = "en"};
    return md;
}

static yaa_youtube_options options(void) {
    static char token_url[128];
    snprintf(token_url, sizeof token_url, "%s/token", g_d.base);
    yaa_youtube_options o = {.client_id = "cid.apps.googleusercontent.com",
                             .client_secret = "cs-test",
                             .refresh_token = "rt-test",
                             .token_url = token_url,
                             .api_base = g_d.base,
                             .chunk_size = 512 * 1024 + 1000, /* rounded down to 512 KiB */
                             .timeout_ms = 5000,
                             .retry = {.max_attempts = 2, .base_delay_ms = 5}};
    return o;
}

static int setup(void **state) {
    (void)state;
    yaa_test_tmpdir(g_dir, sizeof g_dir);
    snprintf(g_video, sizeof g_video, "%s/video.mp4", g_dir);
    snprintf(g_thumb, sizeof g_thumb, "%s/thumbnail.png", g_dir);
    char *data = malloc(VIDEO_SIZE);
    for (size_t i = 0; i < VIDEO_SIZE; i++) data[i] = (char)((i * 7919u) >> 3);
    yaa_sha256_hex(data, VIDEO_SIZE, g_sha);
    if (yaa_write_file(g_video, data, VIDEO_SIZE)) return -1;
    free(data);
    if (yaa_write_file(g_thumb, "\x89PNG\r\n\x1a\nfake", 12)) return -1;
    return yaa_double_start(&g_d, "youtube_double");
}

static int teardown(void **state) {
    (void)state;
    yaa_double_stop(&g_d);
    yaa_test_rmrf(g_dir);
    yaa_net_thread_cleanup();
    return 0;
}

static int reset(void **state) {
    (void)state;
    return yaa_double_reset(&g_d) == 200 ? 0 : -1;
}

static json_t *upload_state(const char *id) {
    json_t *root = yaa_double_get_json(&g_d, "/_state");
    assert_non_null(root);
    json_t *up = json_incref(json_object_get(json_object_get(root, "uploads"), id));
    json_decref(root);
    return up;
}

static void test_publish(void **state) {
    (void)state;
    yaa_youtube_options o = options();
    yaa_youtube_metadata md = metadata();
    yaa_youtube_result res;
    yaa_err err;
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), 0);
    assert_string_equal(res.video_id, "vid1");
    assert_string_equal(res.url, "https://www.youtube.com/watch?v=vid1");
    assert_string_equal(res.privacy, "private");
    assert_string_equal(res.upload_status, "uploaded");
    assert_true(res.thumbnail_set);
    assert_int_equal(res.resumes, 0);
    json_t *up = upload_state("up1");
    assert_string_equal(json_string_value(json_object_get(up, "sha256")), g_sha);
    assert_int_equal(json_integer_value(json_object_get(up, "puts")), 3);
    json_t *st = json_object_get(json_object_get(up, "metadata"), "status");
    assert_string_equal(json_string_value(json_object_get(st, "privacyStatus")), "private");
    assert_true(json_is_false(json_object_get(st, "selfDeclaredMadeForKids")));
    assert_true(json_is_true(json_object_get(st, "containsSyntheticMedia")));
    json_t *sn = json_object_get(json_object_get(up, "metadata"), "snippet");
    assert_string_equal(json_string_value(json_object_get(sn, "categoryId")), "26");
    assert_int_equal(json_array_size(json_object_get(sn, "tags")), 3);
    json_decref(up);
    assert_int_equal(yaa_double_violations(&g_d), 0);
    /* the refresh token and secret went only in the token form body */
    json_t *reqs = yaa_double_requests(&g_d);
    size_t i;
    json_t *r;
    json_array_foreach(reqs, i, r) {
        const char *path = json_string_value(json_object_get(r, "path"));
        if (strcmp(path, "/token") == 0) continue;
        char *dump = json_dumps(r, 0);
        assert_null(strstr(dump, "rt-test"));
        assert_null(strstr(dump, "cs-test"));
        free(dump);
    }
    json_decref(reqs);
}

static void test_broken_connection_resumes(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"break_chunks\":[2]}");
    yaa_youtube_options o = options();
    yaa_youtube_metadata md = metadata();
    md.privacy = "unlisted";
    md.made_for_kids = true;
    yaa_youtube_result res;
    yaa_err err;
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), 0);
    assert_int_equal(res.resumes, 1);
    assert_string_equal(res.privacy, "unlisted");
    assert_false(res.thumbnail_set);
    json_t *up = upload_state("up1");
    assert_string_equal(json_string_value(json_object_get(up, "sha256")), g_sha);
    assert_int_equal(json_integer_value(json_object_get(up, "breaks")), 1);
    assert_int_equal(json_integer_value(json_object_get(up, "queries")), 1);
    /* chunk 2 kept 256 KiB, so the upload went on from 768 KiB: 4 data PUTs in all */
    assert_int_equal(json_integer_value(json_object_get(up, "puts")), 4);
    json_decref(up);
    assert_int_equal(yaa_double_violations(&g_d), 0);
}

static void test_5xx_resumes(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"fail_chunks\":[1,3]}");
    yaa_youtube_options o = options();
    yaa_youtube_metadata md = metadata();
    yaa_youtube_result res;
    yaa_err err;
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), 0);
    assert_int_equal(res.resumes, 2);
    json_t *up = upload_state("up1");
    assert_string_equal(json_string_value(json_object_get(up, "sha256")), g_sha);
    json_decref(up);
    assert_int_equal(yaa_double_violations(&g_d), 0);
}

static char g_session[1024];
static void on_session(void *ud, const char *url) {
    (void)ud;
    snprintf(g_session, sizeof g_session, "%s", url);
}

static void test_resume_earlier_session(void **state) {
    (void)state;
    yaa_double_post(&g_d, "/_control", "{\"fail_chunks\":[2,3,4]}");
    yaa_youtube_options o = options();
    o.max_resumes = 2;
    o.on_session = on_session;
    yaa_youtube_metadata md = metadata();
    yaa_youtube_result res;
    yaa_err err;
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "after 2 resumes at byte 524288 of 1331200"));
    assert_non_null(strstr(g_session, "upload_id=up1"));
    /* a later attempt continues the same session from where the server stands */
    o.resume_url = g_session;
    assert_int_equal(yaa_youtube_publish(&o, g_video, NULL, &md, &res, &err), 0);
    json_t *up = upload_state("up1");
    assert_string_equal(json_string_value(json_object_get(up, "sha256")), g_sha);
    json_decref(up);
    assert_null(upload_state("up2")); /* no second session */
}

static void test_errors(void **state) {
    (void)state;
    yaa_youtube_options o = options();
    yaa_youtube_metadata md = metadata();
    yaa_youtube_result res;
    yaa_err err;

    yaa_double_post(&g_d, "/_control", "{\"start_error\":\"quotaExceeded\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_ELIMIT);
    assert_non_null(strstr(err.msg, "quota exceeded"));
    assert_non_null(strstr(err.msg, "1,600 units of the default 10,000"));

    yaa_double_post(&g_d, "/_control", "{\"start_error\":\"forbidden\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "forbidden"));

    yaa_double_post(&g_d, "/_control", "{\"start_error\":\"authError\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "invalid credentials"));

    yaa_double_post(&g_d, "/_control", "{\"start_error\":null,\"refresh_token\":\"other\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "invalid_grant"));
    assert_non_null(strstr(err.msg, "YOUTUBE_REFRESH_TOKEN"));
    assert_null(strstr(err.msg, "rt-test"));

    yaa_double_post(&g_d, "/_control", "{\"refresh_token\":\"rt-test\",\"client_secret\":\"x\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "YOUTUBE_CLIENT_SECRET"));
    assert_null(strstr(err.msg, "cs-test"));

    /* a refused thumbnail does not undo the upload */
    yaa_double_post(&g_d, "/_control",
                    "{\"client_secret\":\"cs-test\",\"thumb_error\":\"forbidden\"}");
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), 0);
    assert_false(res.thumbnail_set);
    assert_non_null(strstr(res.thumbnail_error, "forbidden"));
    assert_int_equal(yaa_double_violations(&g_d), 0);

    o.refresh_token = NULL;
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "--dry-run"));
}

static void test_dry_run(void **state) {
    (void)state;
    yaa_youtube_options o = options();
    o.api_base = NULL;
    o.token_url = NULL;
    o.chunk_size = 0;
    yaa_youtube_metadata md = metadata();
    json_t *out = NULL;
    yaa_err err;
    assert_int_equal(yaa_youtube_dry_run(&o, g_video, g_thumb, &md, &out, &err), 0);
    char *dump = json_dumps(out, JSON_INDENT(2));
    assert_null(strstr(dump, "cs-test"));
    assert_null(strstr(dump, "rt-test"));
    free(dump);
    assert_true(json_is_true(json_object_get(out, "dry_run")));
    assert_int_equal(json_integer_value(json_object_get(out, "quota_units")), 1650);
    json_t *reqs = json_object_get(out, "requests");
    assert_int_equal(json_array_size(reqs), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "url")),
                        "https://oauth2.googleapis.com/token");
    json_t *start = json_array_get(reqs, 1);
    assert_string_equal(json_string_value(json_object_get(start, "url")),
                        "https://www.googleapis.com/upload/youtube/v3/videos?uploadType="
                        "resumable&part=snippet,status");
    json_t *h = json_object_get(start, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "X-Upload-Content-Length")),
                        "1331200");
    json_t *st = json_object_get(json_object_get(start, "body"), "status");
    assert_string_equal(json_string_value(json_object_get(st, "privacyStatus")), "private");
    assert_true(json_is_boolean(json_object_get(st, "selfDeclaredMadeForKids")));
    assert_true(json_is_true(json_object_get(st, "containsSyntheticMedia")));
    json_t *put = json_array_get(reqs, 2);
    assert_int_equal(json_integer_value(json_object_get(put, "chunks")), 1);
    assert_int_equal(json_integer_value(json_object_get(put, "chunk_size")) % (256 * 1024), 0);
    json_decref(out);
    /* no credentials needed for a dry run */
    o.client_id = o.client_secret = o.refresh_token = NULL;
    assert_int_equal(yaa_youtube_dry_run(&o, g_video, NULL, &md, &out, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "quota_units")), 1600);
    json_decref(out);
}

static void test_validation(void **state) {
    (void)state;
    yaa_youtube_metadata md = metadata();
    yaa_err err;
    assert_int_equal(yaa_youtube_validate(&md, &err), 0);
    char title[128];
    memset(title, 'x', 101);
    title[101] = '\0';
    md.title = title;
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "at most 100"));
    md.title = "한국어 제목은 글자 수로 셉니다";
    assert_int_equal(yaa_youtube_validate(&md, &err), 0);
    md.title = "a <b> title";
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    md = metadata();
    md.privacy = "friends";
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "friends"));
    md = metadata();
    md.category_id = "music";
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    const char *many[60];
    for (int i = 0; i < 60; i++) many[i] = "tag with space"; /* 16 + comma each */
    md = metadata();
    md.tags = many;
    md.ntags = 60;
    assert_int_equal(yaa_youtube_validate(&md, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "500"));
    md = metadata();
    yaa_youtube_options o = options();
    yaa_youtube_result res;
    assert_int_equal(yaa_youtube_publish(&o, "/nonexistent.mp4", NULL, &md, &res, &err),
                     YAA_EINVAL);
    assert_non_null(strstr(err.msg, "does not exist"));
}

/* The publisher agent's path: options from the configuration, metadata.json, publish.json. */
static void test_glue(void **state) {
    (void)state;
    char token_url[128];
    snprintf(token_url, sizeof token_url, "%s/token", g_d.base);
    yaa_config cfg = {.youtube_token_url = token_url, .youtube_api_base_url = g_d.base};
    yaa_youtube_options o = {.chunk_size = 512 * 1024, .timeout_ms = 5000};
    assert_false(yaa_youtube_options_from_config(&cfg, &o));
    cfg.youtube_client_id = "cid";
    cfg.youtube_client_secret = "cs-test";
    cfg.youtube_refresh_token = "rt-test";
    assert_true(yaa_youtube_options_from_config(&cfg, &o));
    assert_string_equal(o.api_base, g_d.base);
    json_t *meta = json_pack("{s:s, s:s, s:[s,s,s], s:s, s:s}", "title", "제목", "description",
                             "설명", "tags", "a", "", "b c", "category_id", "27", "language", "ko");
    yaa_youtube_metadata md;
    yaa_err err;
    assert_int_equal(yaa_youtube_metadata_from_json(meta, &md, &err), 0);
    assert_int_equal(md.ntags, 2); /* the empty tag is dropped */
    yaa_youtube_result res;
    assert_int_equal(yaa_youtube_publish(&o, g_video, g_thumb, &md, &res, &err), 0);
    json_t *pub = yaa_youtube_result_json(&res);
    assert_string_equal(json_string_value(json_object_get(pub, "video_id")), "vid1");
    assert_true(json_is_false(json_object_get(pub, "dry_run")));
    assert_true(json_is_true(json_object_get(pub, "thumbnail_set")));
    assert_true(json_is_null(json_object_get(pub, "thumbnail_error")));
    json_decref(pub);
    free((void *)md.tags);
    json_object_set_new(meta, "title", json_integer(3));
    assert_int_equal(yaa_youtube_metadata_from_json(meta, &md, &err), YAA_EINVAL);
    free((void *)md.tags);
    json_t *up = upload_state("up1");
    json_t *sn = json_object_get(json_object_get(up, "metadata"), "snippet");
    assert_string_equal(json_string_value(json_object_get(sn, "defaultLanguage")), "ko");
    json_decref(up);
    /* the whole stage: a dry run when asked or without credentials, else the upload */
    json_object_set_new(meta, "title", json_string("제목"));
    json_t *rec = NULL;
    assert_int_equal(
        yaa_youtube_publish_stage(&cfg, g_video, g_thumb, meta, true, NULL, &rec, &err), 0);
    assert_true(json_is_true(json_object_get(rec, "dry_run")));
    assert_string_equal(json_string_value(json_object_get(rec, "reason")), "dry_run requested");
    json_decref(rec);
    assert_int_equal(yaa_youtube_publish_stage(&cfg, g_video, g_thumb, meta, false, &o, &rec, &err),
                     0);
    assert_string_equal(json_string_value(json_object_get(rec, "video_id")), "vid2");
    json_decref(rec);
    cfg.youtube_refresh_token = NULL;
    assert_int_equal(yaa_youtube_publish_stage(&cfg, g_video, NULL, meta, false, NULL, &rec, &err),
                     0);
    assert_string_equal(json_string_value(json_object_get(rec, "reason")),
                        "no YouTube credentials configured");
    json_decref(rec);
    json_decref(meta);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_publish, reset),
        cmocka_unit_test_setup(test_broken_connection_resumes, reset),
        cmocka_unit_test_setup(test_5xx_resumes, reset),
        cmocka_unit_test_setup(test_resume_earlier_session, reset),
        cmocka_unit_test_setup(test_errors, reset),
        cmocka_unit_test_setup(test_dry_run, reset),
        cmocka_unit_test_setup(test_validation, reset),
        cmocka_unit_test_setup(test_glue, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
