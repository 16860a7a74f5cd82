/* extras.c - what follows a finished upload: captions.insert (the SRT, as a multipart/related
 * request with the caption resource) and playlistItems.insert. YouTube does not show the
 * subtitle track inside an MP4, so captions must be sent this way. Both are best effort: the
 * video is already uploaded, so a failure is recorded in publish.json, never retried by
 * re-running the stage (which would upload a second video). */
#include "youtube/youtube_internal.h"

#include "core/buf.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPTIONS_MAX ((size_t)8 * 1024 * 1024) /* captions.insert accepts up to 100 MB */
#define BOUNDARY "yaa_caption_boundary_5b1f3c"

static const char *caption_language(const yaa_youtube_metadata *md) {
    const char *l = md->captions_language;
    if (!l || !*l) l = md->default_language;
    return l && *l ? l : "en";
}

static json_t *caption_resource(const yaa_youtube_metadata *md, const char *video_id) {
    return json_pack("{s:{s:s,s:s,s:s,s:b}}", "snippet", "videoId", video_id, "language",
                     caption_language(md), "name", "", "isDraft", 0);
}

static json_t *playlist_resource(const yaa_youtube_metadata *md, const char *video_id) {
    return json_pack("{s:{s:s,s:{s:s,s:s}}}", "snippet", "playlistId", md->playlist_id,
                     "resourceId", "kind", "youtube#video", "videoId", video_id);
}

int yaa_youtube__api(const yaa_youtube_options *o, const char *token, const char *method,
                     const char *path, const char *ctype, const char *body, size_t len,
                     const char *what, json_t **reply, yaa_err *err) {
    if (reply) *reply = NULL;
    char url[1024], auth[4096], ct[160];
    yaa_youtube__url(o, path, url, sizeof url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(ct, sizeof ct, "Content-Type: %s", ctype ? ctype : "application/json");
    const char *h[] = {auth, "Accept: application/json", ct};
    yaa_http_request rq = yaa_youtube__request(o, method, url, h, body ? 3 : 2, 60000, 256 * 1024);
    rq.body = body;
    rq.body_len = len;
    yaa_http_reply r;
    yaa_net_http_reply_init(&r);
    int rc = yaa_net_http_send(&rq, &o->retry, &r, err);
    memset(auth, 0, sizeof auth);
    if (rc)
        yaa_err_prefix(err, "youtube: ");
    else if (r.status != 200)
        rc = yaa_youtube_map_error(&r, what, err);
    else if (reply)
        *reply = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
    yaa_net_http_reply_free(&r);
    return rc;
}

int yaa_youtube__post(const yaa_youtube_options *o, const char *token, const char *path,
                      const char *ctype, const char *body, size_t len, const char *what,
                      char *id_out, size_t id_n, yaa_err *err) {
    json_t *v = NULL;
    int rc =
        yaa_youtube__api(o, token, "POST", path, ctype, body, len, what, id_out ? &v : NULL, err);
    if (!rc && id_out) {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!id || !*id)
            rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: %s answered without an id", what);
        else
            snprintf(id_out, id_n, "%s", id);
    }
    json_decref(v);
    return rc;
}

int yaa_youtube__captions_insert(const yaa_youtube_options *o, const char *token,
                                 const yaa_youtube_metadata *md, const char *video_id, char *id_out,
                                 size_t id_n, yaa_err *err) {
    char *srt = NULL;
    size_t srt_len = 0;
    if (yaa_read_file(md->captions_path, CAPTIONS_MAX, &srt, &srt_len) != 0)
        return yaa_err_set(err, YAA_EIO, "youtube: cannot read the captions file %s",
                           md->captions_path);
    json_t *res = caption_resource(md, video_id);
    char *meta = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    yaa_buf body;
    yaa_buf_init(&body, CAPTIONS_MAX + 4096);
    int rc = meta ? 0 : YAA_ENOMEM;
    if (!rc)
        rc = yaa_buf_printf(&body,
                            "--" BOUNDARY "\r\nContent-Type: application/json; charset=UTF-8"
                            "\r\n\r\n%s\r\n--" BOUNDARY
                            "\r\nContent-Type: application/octet-stream\r\n\r\n",
                            meta);
    if (!rc) rc = yaa_buf_append(&body, srt, srt_len);
    if (!rc) rc = yaa_buf_puts(&body, "\r\n--" BOUNDARY "--\r\n");
    free(meta);
    free(srt);
    if (rc) {
        yaa_buf_free(&body);
        return yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory building captions.insert");
    }
    rc = yaa_youtube__post(o, token, YAA__YOUTUBE_CAPTIONS_PATH,
                           "multipart/related; boundary=" BOUNDARY, body.data, body.len,
                           "captions.insert", id_out, id_n, err);
    yaa_buf_free(&body);
    return rc;
}

int yaa_youtube__playlist_insert(const yaa_youtube_options *o, const char *token,
                                 const yaa_youtube_metadata *md, const char *video_id, char *id_out,
                                 size_t id_n, yaa_err *err) {
    json_t *res = playlist_resource(md, video_id);
    char *body = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    if (!body) return yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    int rc =
        yaa_youtube__post(o, token, YAA__YOUTUBE_PLAYLIST_PATH, "application/json; charset=UTF-8",
                          body, strlen(body), "playlistItems.insert", id_out, id_n, err);
    free(body);
    return rc;
}

static json_t *dry_request(const yaa_youtube_options *o, const char *path, const char *ctype,
                           json_t *body) {
    char url[1024];
    yaa_youtube__url(o, path, url, sizeof url);
    return json_pack("{s:s,s:s,s:{s:s,s:s},s:o}", "method", "POST", "url", url, "headers",
                     "Authorization", "Bearer <access token>", "Content-Type", ctype, "body", body);
}

void yaa_youtube__dry_extras(const yaa_youtube_options *o, const yaa_youtube_metadata *md,
                             json_t *requests, int *units) {
    if (md->captions_path && *md->captions_path) {
        json_t *r =
            dry_request(o, YAA__YOUTUBE_CAPTIONS_PATH, "multipart/related; boundary=" BOUNDARY,
                        caption_resource(md, "<video id>"));
        json_object_set_new(r, "file", json_string(md->captions_path));
        json_array_append_new(requests, r);
        *units += YAA_YOUTUBE_CAPTION_UNITS;
    }
    if (md->playlist_id && *md->playlist_id) {
        json_array_append_new(requests, dry_request(o, YAA__YOUTUBE_PLAYLIST_PATH,
                                                    "application/json; charset=UTF-8",
                                                    playlist_resource(md, "<video id>")));
        *units += YAA_YOUTUBE_PLAYLIST_UNITS;
    }
}
