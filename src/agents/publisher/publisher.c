/* publisher.c - stage 6: the upload to YouTube, or, on a dry run or without credentials,
 * the exact request it would send, written to publish.json. */
#include "agents/agent.h"
#include "core/util.h"

#include <string.h>
#include <sys/stat.h>

static bool has_credentials(const yaa_config *cfg) {
    return cfg->youtube_client_id && cfg->youtube_client_secret && cfg->youtube_refresh_token;
}

/* videos.insert's body: the same object the real upload sends. */
static json_t *video_resource(const json_t *meta, const char *language) {
    json_t *snippet = json_object();
    json_object_set(snippet, "title", json_object_get(meta, "title"));
    json_object_set(snippet, "description", json_object_get(meta, "description"));
    json_object_set(snippet, "tags", json_object_get(meta, "tags"));
    json_object_set(snippet, "categoryId", json_object_get(meta, "category_id"));
    json_object_set_new(snippet, "defaultLanguage", json_string(language));
    json_object_set_new(snippet, "defaultAudioLanguage", json_string(language));
    json_t *status = json_object();
    /* Unaudited API projects may only publish private videos; AI-made media must be
     * disclosed; an unanswered made-for-kids question stalls the upload. */
    json_object_set_new(status, "privacyStatus", json_string("private"));
    json_object_set_new(status, "selfDeclaredMadeForKids", json_false());
    json_object_set_new(status, "containsSyntheticMedia", json_true());
    json_t *body = json_object();
    json_object_set_new(body, "snippet", snippet);
    json_object_set_new(body, "status", status);
    return body;
}

int yaa_agent_publisher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const json_t *meta = ctx->outputs[YAA_AGENT_SEO_OPTIMIZER];
    const json_t *edit = ctx->outputs[YAA_AGENT_MEDIA_EDITOR];
    const json_t *media = ctx->outputs[YAA_AGENT_MEDIA_GENERATOR];
    if (!meta || !edit || !media)
        return yaa_err_set(err, YAA_EINVAL,
                           "publisher needs the metadata, the video and the thumbnail");
    const char *video = json_string_value(json_object_get(edit, "video"));
    const char *thumb = json_string_value(json_object_get(media, "thumbnail"));
    struct stat sv;
    if (!video || stat(video, &sv) != 0)
        return yaa_err_set(err, YAA_ENOTFOUND, "publisher: video %s is missing",
                           video ? video : "(none)");
    if (!ctx->dry_run && has_credentials(ctx->cfg))
        return yaa_err_set(err, YAA_EUNAVAILABLE, "publisher: uploads need the youtube library");
    json_t *req = json_object();
    json_object_set_new(req, "method", json_string("POST"));
    json_object_set_new(req, "url",
                        json_string("https://www.googleapis.com/upload/youtube/v3/videos"
                                    "?uploadType=resumable&part=snippet,status"));
    json_t *headers = json_object();
    json_object_set_new(headers, "X-Upload-Content-Type", json_string("video/mp4"));
    json_object_set_new(headers, "X-Upload-Content-Length", json_integer((json_int_t)sv.st_size));
    json_object_set_new(headers, "Content-Type", json_string("application/json; charset=UTF-8"));
    json_object_set_new(req, "headers", headers);
    json_object_set_new(req, "body", video_resource(meta, ctx->brief.language));
    json_object_set_new(req, "video_file", json_string(video));
    json_object_set_new(req, "thumbnail_file", json_string(thumb ? thumb : ""));
    json_t *o = json_object();
    char now[YAA_TIME_LEN + 1];
    yaa_time_now_str(now);
    json_object_set_new(o, "dry_run", json_true());
    json_object_set_new(
        o, "reason",
        json_string(ctx->dry_run ? "dry_run requested" : "no YouTube credentials configured"));
    json_object_set_new(o, "request", req);
    json_object_set_new(o, "video_id", json_null());
    json_object_set_new(o, "url", json_null());
    json_object_set_new(o, "at", json_string(now));
    int rc = yaa_agent_write_json(ctx, "publish.json", o, err);
    if (rc) {
        json_decref(o);
        return rc;
    }
    yaa_agent_progress(ctx, "dry run: publish.json holds the upload request");
    *out = o;
    return 0;
}
