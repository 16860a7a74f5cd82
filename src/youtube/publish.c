/* publish.c - metadata checks and resource, error mapping, thumbnails.set, the publish flow
 * and its dry run. The resumable upload itself is in upload.c. */
#include "youtube/youtube.h"
#include "youtube/youtube_internal.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define THUMB_MAX ((size_t)2 * 1024 * 1024)

static bool scheduled(const yaa_youtube_metadata *md) { return md->publish_at && *md->publish_at; }

/* A scheduled video is private until publishAt: YouTube refuses publishAt otherwise. */
static const char *privacy_of(const yaa_youtube_metadata *md) {
    if (scheduled(md)) return "private";
    return md->privacy && *md->privacy ? md->privacy : "private";
}

static int check_publish_at(const char *s, yaa_err *err) {
    time_t t;
    if (strlen(s) < 20 || !strchr(s, 'T') || yaa_time_parse(s, &t) != 0)
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: publish_at '%.40s' is not an RFC 3339 time such as "
                           "2026-12-24T09:00:00+09:00",
                           s);
    if (t <= yaa_now())
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: publish_at %.40s is in the past; YouTube only schedules "
                           "videos for a later time",
                           s);
    return 0;
}

int yaa_youtube_validate(const yaa_youtube_metadata *md, yaa_err *err) {
    if (!md || !md->title || !*md->title)
        return yaa_err_set(err, YAA_EINVAL, "youtube: metadata title is empty");
    if (!yaa_utf8_valid(md->title, strlen(md->title)) || yaa_utf8_len(md->title) > 100)
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: title has %zu characters; YouTube allows at most 100",
                           yaa_utf8_len(md->title));
    if (strpbrk(md->title, "<>"))
        return yaa_err_set(err, YAA_EINVAL, "youtube: title must not contain '<' or '>'");
    if (md->description && strlen(md->description) > 5000)
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: description is %zu bytes; YouTube allows at most 5000",
                           strlen(md->description));
    if (md->description && strpbrk(md->description, "<>"))
        return yaa_err_set(err, YAA_EINVAL, "youtube: description must not contain '<' or '>'");
    size_t total = 0;
    for (size_t i = 0; i < md->ntags; i++) {
        const char *t = md->tags[i];
        if (!t || !*t) return yaa_err_set(err, YAA_EINVAL, "youtube: tag %zu is empty", i + 1);
        /* YouTube counts a tag with a space as quoted, and the commas between tags. */
        total += yaa_utf8_len(t) + (strchr(t, ' ') ? 2 : 0) + (i ? 1 : 0);
    }
    if (total > 500)
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: tags total %zu characters (quotes and commas counted); "
                           "YouTube allows 500",
                           total);
    const char *p = privacy_of(md);
    if (strcmp(p, "private") != 0 && strcmp(p, "unlisted") != 0 && strcmp(p, "public") != 0)
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: privacy '%.20s' is not private, unlisted or public", p);
    if (scheduled(md)) {
        int rc = check_publish_at(md->publish_at, err);
        if (rc) return rc;
    }
    if (md->playlist_id && *md->playlist_id &&
        (strlen(md->playlist_id) > 64 ||
         strspn(md->playlist_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                                 "xyz0123456789_-") != strlen(md->playlist_id)))
        return yaa_err_set(err, YAA_EINVAL,
                           "youtube: playlist_id '%.64s' is not a YouTube playlist id (PL...)",
                           md->playlist_id);
    if (md->category_id) {
        long c;
        if (yaa_parse_long(md->category_id, 1, 99, &c) != 0)
            return yaa_err_set(err, YAA_EINVAL,
                               "youtube: category_id '%.20s' is not a YouTube category number",
                               md->category_id);
    }
    return 0;
}

json_t *yaa_youtube_resource(const yaa_youtube_metadata *md) {
    json_t *snippet = json_object();
    json_object_set_new(snippet, "title", json_string(md->title));
    json_object_set_new(snippet, "description",
                        json_string(md->description ? md->description : ""));
    json_t *tags = json_array();
    for (size_t i = 0; i < md->ntags; i++) json_array_append_new(tags, json_string(md->tags[i]));
    json_object_set_new(snippet, "tags", tags);
    json_object_set_new(snippet, "categoryId",
                        json_string(md->category_id ? md->category_id : "22"));
    if (md->default_language && *md->default_language) {
        json_object_set_new(snippet, "defaultLanguage", json_string(md->default_language));
        json_object_set_new(snippet, "defaultAudioLanguage", json_string(md->default_language));
    }
    json_t *status = json_object();
    json_object_set_new(status, "privacyStatus", json_string(privacy_of(md)));
    if (scheduled(md)) {
        time_t t = 0;
        char utc[YAA_TIME_LEN + 1];
        yaa_time_parse(md->publish_at, &t);
        yaa_time_format(t, utc);
        json_object_set_new(status, "publishAt", json_string(utc));
    }
    json_object_set_new(status, "selfDeclaredMadeForKids", json_boolean(md->made_for_kids));
    json_object_set_new(status, "containsSyntheticMedia", json_true());
    json_t *res = json_object();
    json_object_set_new(res, "snippet", snippet);
    json_object_set_new(res, "status", status);
    return res;
}

int yaa_youtube_map_error(const yaa_http_reply *r, const char *what, yaa_err *err) {
    json_t *root = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
    json_t *e = json_object_get(root, "error");
    const char *reason = NULL, *message = NULL;
    if (json_is_string(e)) { /* OAuth: {"error":"invalid_grant","error_description":...} */
        reason = json_string_value(e);
        message = json_string_value(json_object_get(root, "error_description"));
    } else if (json_is_object(e)) {
        message = json_string_value(json_object_get(e, "message"));
        reason = json_string_value(
            json_object_get(json_array_get(json_object_get(e, "errors"), 0), "reason"));
        if (!reason) reason = json_string_value(json_object_get(e, "status"));
    }
    char m[220];
    snprintf(m, sizeof m, "%.200s", message ? message : "no details");
    for (char *c = m; *c; c++)
        if (*c == '\n') *c = ' ';
    const char *rs = reason ? reason : "";
    int rc;
    if (strcmp(rs, "invalid_grant") == 0) {
        rc = yaa_err_set(err, YAA_EAUTH,
                         "youtube: the refresh token was refused (invalid_grant: %s); create a "
                         "new YOUTUBE_REFRESH_TOKEN (tokens of OAuth apps in testing mode "
                         "expire after 7 days)",
                         m);
    } else if (strcmp(rs, "invalid_client") == 0 || strcmp(rs, "unauthorized_client") == 0) {
        rc = yaa_err_set(err, YAA_EAUTH,
                         "youtube: the OAuth client was refused (%s: %s); check "
                         "YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET",
                         rs, m);
    } else if (strcmp(rs, "quotaExceeded") == 0 || strcmp(rs, "dailyLimitExceeded") == 0) {
        rc = yaa_err_set(err, YAA_ELIMIT,
                         "youtube: daily API quota exceeded during %s (an upload costs 1,600 "
                         "units of the default 10,000 a day, about 6 uploads; the quota resets "
                         "at midnight Pacific Time, or request more in the Google Cloud console)",
                         what);
    } else if (strcmp(rs, "uploadLimitExceeded") == 0) {
        rc = yaa_err_set(err, YAA_ELIMIT,
                         "youtube: the channel reached its upload limit (uploadLimitExceeded); "
                         "try again tomorrow");
    } else if (strcmp(rs, "rateLimitExceeded") == 0 || strcmp(rs, "userRateLimitExceeded") == 0 ||
               r->status == 429) {
        rc = yaa_err_set(err, YAA_ELIMIT, "youtube: rate limited during %s (%s)", what, m);
    } else if (r->status == 401) {
        rc = yaa_err_set(err, YAA_EAUTH,
                         "youtube: invalid credentials during %s (401: %s); check the OAuth "
                         "client and that the refresh token has the youtube.upload scope",
                         what, m);
    } else if (r->status == 403) {
        rc = yaa_err_set(err, YAA_EAUTH, "youtube: forbidden during %s (403 %s: %s)", what,
                         reason ? reason : "forbidden", m);
    } else if (r->status == 400) {
        rc = yaa_err_set(err, YAA_EINVAL, "youtube: %s was rejected (400 %s: %s)", what,
                         reason ? reason : "badRequest", m);
    } else {
        rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: %s failed (HTTP %ld %s: %s)", what,
                         r->status, rs, m);
    }
    json_decref(root);
    return rc;
}

static int file_size(const char *path, const char *what, size_t *size, yaa_err *err) {
    struct stat st;
    if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return yaa_err_set(err, YAA_EINVAL, "youtube: %s file %s does not exist", what,
                           path ? path : "(none)");
    if (st.st_size == 0)
        return yaa_err_set(err, YAA_EINVAL, "youtube: %s file %s is empty", what, path);
    *size = (size_t)st.st_size;
    return 0;
}

static const char *image_type(const char *path) {
    return yaa_str_endswith(path, ".jpg") || yaa_str_endswith(path, ".jpeg") ? "image/jpeg"
                                                                             : "image/png";
}

static int check_inputs(const char *video, const char *thumb, const yaa_youtube_metadata *md,
                        size_t *vsize, size_t *tsize, yaa_err *err) {
    int rc = yaa_youtube_validate(md, err);
    if (!rc) rc = file_size(video, "video", vsize, err);
    *tsize = 0;
    if (!rc && thumb) {
        rc = file_size(thumb, "thumbnail", tsize, err);
        if (!rc && *tsize > THUMB_MAX)
            rc = yaa_err_set(err, YAA_EINVAL,
                             "youtube: thumbnail %s is %zu bytes; YouTube accepts at most 2 MB",
                             thumb, *tsize);
    }
    return rc;
}

size_t yaa_youtube__chunk(const yaa_youtube_options *o) {
    size_t c = o->chunk_size ? o->chunk_size : (size_t)8 * 1024 * 1024;
    c -= c % YAA_YOUTUBE_CHUNK_UNIT;
    return c ? c : YAA_YOUTUBE_CHUNK_UNIT;
}

void yaa_youtube__url(const yaa_youtube_options *o, const char *path, char *out, size_t n) {
    yaa_net_url_join(o->api_base && *o->api_base ? o->api_base : YAA_YOUTUBE_API_BASE, path, out,
                     n);
}

yaa_http_request yaa_youtube__request(const yaa_youtube_options *o, const char *method,
                                      const char *url, const char *const *headers, size_t nheaders,
                                      long default_timeout_ms, size_t max_reply) {
    return (yaa_http_request){.url = url,
                              .method = method,
                              .headers = headers,
                              .nheaders = nheaders,
                              .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : default_timeout_ms,
                              .max_reply = max_reply,
                              .cancel = o->cancel,
                              .cancel_ud = o->cancel_ud};
}

static json_t *header_obj(const char *const *kv) {
    json_t *h = json_object();
    for (; kv[0]; kv += 2) json_object_set_new(h, kv[0], json_string(kv[1]));
    return h;
}

int yaa_youtube_dry_run(const yaa_youtube_options *o, const char *video_path,
                        const char *thumbnail_path, const yaa_youtube_metadata *md, json_t **out,
                        yaa_err *err) {
    *out = NULL;
    size_t vsize = 0, tsize = 0;
    int rc = check_inputs(video_path, thumbnail_path, md, &vsize, &tsize, err);
    if (rc) return rc;
    size_t chunk = yaa_youtube__chunk(o);
    json_t *reqs = json_array();

    json_t *tok = json_object();
    json_object_set_new(tok, "method", json_string("POST"));
    json_object_set_new(tok, "url",
                        json_string(o->token_url ? o->token_url : YAA_YOUTUBE_TOKEN_URL));
    const char *th[] = {"Content-Type", "application/x-www-form-urlencoded", NULL};
    json_object_set_new(tok, "headers", header_obj(th));
    json_t *form = json_object();
    json_object_set_new(form, "client_id",
                        json_string(o->client_id && *o->client_id ? o->client_id : "<unset>"));
    json_object_set_new(form, "client_secret", json_string("<redacted>"));
    json_object_set_new(form, "refresh_token", json_string("<redacted>"));
    json_object_set_new(form, "grant_type", json_string("refresh_token"));
    json_object_set_new(tok, "form", form);
    json_array_append_new(reqs, tok);

    char url[1024], len[32];
    yaa_youtube__url(o, YAA__YOUTUBE_INSERT_PATH, url, sizeof url);
    snprintf(len, sizeof len, "%zu", vsize);
    json_t *start = json_object();
    json_object_set_new(start, "method", json_string("POST"));
    json_object_set_new(start, "url", json_string(url));
    const char *sh[] = {"Authorization",
                        "Bearer <access token>",
                        "Content-Type",
                        "application/json; charset=UTF-8",
                        "X-Upload-Content-Length",
                        len,
                        "X-Upload-Content-Type",
                        "video/mp4",
                        NULL};
    json_object_set_new(start, "headers", header_obj(sh));
    json_object_set_new(start, "body", yaa_youtube_resource(md));
    json_array_append_new(reqs, start);

    json_t *put = json_object();
    json_object_set_new(put, "method", json_string("PUT"));
    json_object_set_new(put, "url", json_string("<session URL from the Location header>"));
    json_object_set_new(put, "file", json_string(video_path));
    json_object_set_new(put, "bytes", json_integer((json_int_t)vsize));
    json_object_set_new(put, "chunk_size", json_integer((json_int_t)chunk));
    json_object_set_new(put, "chunks", json_integer((json_int_t)((vsize + chunk - 1) / chunk)));
    char cr[96];
    snprintf(cr, sizeof cr, "bytes 0-%zu/%zu", (vsize < chunk ? vsize : chunk) - 1, vsize);
    const char *ph[] = {"Authorization", "Bearer <access token>", "Content-Range", cr, NULL};
    json_object_set_new(put, "headers", header_obj(ph));
    json_array_append_new(reqs, put);

    int units = YAA_YOUTUBE_INSERT_UNITS;
    if (thumbnail_path) {
        json_t *t = json_object();
        json_object_set_new(t, "method", json_string("POST"));
        yaa_youtube__url(o, YAA__YOUTUBE_THUMB_PATH "<video id>", url, sizeof url);
        json_object_set_new(t, "url", json_string(url));
        const char *tth[] = {"Authorization", "Bearer <access token>", "Content-Type",
                             image_type(thumbnail_path), NULL};
        json_object_set_new(t, "headers", header_obj(tth));
        json_object_set_new(t, "file", json_string(thumbnail_path));
        json_object_set_new(t, "bytes", json_integer((json_int_t)tsize));
        json_array_append_new(reqs, t);
        units += YAA_YOUTUBE_THUMBNAIL_UNITS;
    }
    yaa_youtube__dry_extras(o, md, reqs, &units);
    json_t *root = json_object();
    json_object_set_new(root, "dry_run", json_true());
    json_object_set_new(root, "requests", reqs);
    json_object_set_new(root, "quota_units", json_integer(units));
    *out = root;
    return 0;
}

static void set_thumbnail(const yaa_youtube_options *o, const char *token, const char *path,
                          yaa_youtube_result *res) {
    char *data = NULL;
    size_t len = 0;
    if (yaa_read_file(path, THUMB_MAX, &data, &len) != 0) {
        snprintf(res->thumbnail_error, sizeof res->thumbnail_error, "cannot read %s", path);
        return;
    }
    char path_q[160];
    snprintf(path_q, sizeof path_q, YAA__YOUTUBE_THUMB_PATH "%s", res->video_id);
    yaa_err err;
    if (yaa_youtube__post(o, token, path_q, image_type(path), data, len, "thumbnails.set", NULL, 0,
                          &err) == 0) {
        res->thumbnail_set = true;
    } else {
        snprintf(res->thumbnail_error, sizeof res->thumbnail_error, "%s", err.msg);
        yaa_log_ev(YAA_LOG_WARN, "youtube", "thumbnail not set; the video is uploaded",
                   YAA_F_STR("error", err.msg), YAA_F_END);
    }
    free(data);
}

/* captions.insert and playlistItems.insert: failures are recorded, the upload stands. */
static void after_upload(const yaa_youtube_options *o, const char *token,
                         const yaa_youtube_metadata *md, yaa_youtube_result *res) {
    yaa_err err = {0};
    if (md->captions_path && *md->captions_path &&
        yaa_youtube__captions_insert(o, token, md, res->video_id, res->captions_id,
                                     sizeof res->captions_id, &err) != 0) {
        snprintf(res->captions_error, sizeof res->captions_error, "%s", err.msg);
        yaa_log_ev(YAA_LOG_WARN, "youtube", "captions not uploaded; the video is uploaded",
                   YAA_F_STR("error", err.msg), YAA_F_END);
    }
    if (md->playlist_id && *md->playlist_id &&
        yaa_youtube__playlist_insert(o, token, md, res->video_id, res->playlist_item_id,
                                     sizeof res->playlist_item_id, &err) != 0) {
        snprintf(res->playlist_error, sizeof res->playlist_error, "%s", err.msg);
        yaa_log_ev(YAA_LOG_WARN, "youtube", "video not added to the playlist",
                   YAA_F_STR("playlist_id", md->playlist_id), YAA_F_STR("error", err.msg),
                   YAA_F_END);
    }
}

int yaa_youtube_publish(const yaa_youtube_options *o, const char *video_path,
                        const char *thumbnail_path, const yaa_youtube_metadata *md,
                        yaa_youtube_result *res, yaa_err *err) {
    memset(res, 0, sizeof *res);
    size_t vsize = 0, tsize = 0;
    int rc = check_inputs(video_path, thumbnail_path, md, &vsize, &tsize, err);
    if (rc) return rc;
    char *token = NULL;
    rc = yaa_youtube_access_token(o, &token, err);
    if (rc) return rc;
    rc = yaa_youtube__upload(o, token, video_path, vsize, md, res, err);
    if (!rc) {
        snprintf(res->url, sizeof res->url, "https://www.youtube.com/watch?v=%s", res->video_id);
        if (thumbnail_path) set_thumbnail(o, token, thumbnail_path, res);
        after_upload(o, token, md, res);
        yaa_log_ev(YAA_LOG_INFO, "youtube", "video uploaded", YAA_F_STR("video_id", res->video_id),
                   YAA_F_STR("privacy", res->privacy), YAA_F_INT("resumes", res->resumes),
                   YAA_F_BOOL("thumbnail_set", res->thumbnail_set), YAA_F_END);
    }
    memset(token, 0, strlen(token));
    free(token);
    return rc;
}
