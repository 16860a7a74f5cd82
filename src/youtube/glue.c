/* glue.c - what the publisher agent needs around the upload: options from the configuration,
 * metadata from metadata.json, and the publish.json record of a finished upload. */
#include "youtube/youtube.h"

#include <stdlib.h>
#include <string.h>

bool yaa_youtube_options_from_config(const yaa_config *cfg, yaa_youtube_options *o) {
    /* a caller's own values (a channel's connected account) win over the global ones */
    if (!o->client_id) o->client_id = cfg->youtube_client_id;
    if (!o->client_secret) o->client_secret = cfg->youtube_client_secret;
    if (!o->refresh_token) o->refresh_token = cfg->youtube_refresh_token;
    if (!o->token_url) o->token_url = cfg->youtube_token_url;
    if (!o->api_base) o->api_base = cfg->youtube_api_base_url;
    if (!o->auth_url) o->auth_url = cfg->youtube_auth_url;
    return o->client_id && *o->client_id && o->client_secret && *o->client_secret &&
           o->refresh_token && *o->refresh_token;
}

int yaa_youtube_metadata_from_json(const json_t *meta, yaa_youtube_metadata *md, yaa_err *err) {
    memset(md, 0, sizeof *md);
    if (!json_is_object(meta))
        return yaa_err_set(err, YAA_EINVAL, "youtube: metadata.json is not an object");
    md->title = json_string_value(json_object_get(meta, "title"));
    md->description = json_string_value(json_object_get(meta, "description"));
    md->category_id = json_string_value(json_object_get(meta, "category_id"));
    md->privacy = json_string_value(json_object_get(meta, "privacy"));
    md->made_for_kids = json_is_true(json_object_get(meta, "made_for_kids"));
    md->default_language = json_string_value(json_object_get(meta, "language"));
    md->publish_at = json_string_value(json_object_get(meta, "publish_at"));
    md->playlist_id = json_string_value(json_object_get(meta, "playlist_id"));
    md->captions_path = json_string_value(json_object_get(meta, "captions_path"));
    json_t *tags = json_object_get(meta, "tags");
    size_t n = json_array_size(tags);
    if (n) {
        const char **t = calloc(n, sizeof *t);
        if (!t) return yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
        size_t i;
        json_t *v;
        json_array_foreach(tags, i, v) {
            if (json_is_string(v) && *json_string_value(v)) t[md->ntags++] = json_string_value(v);
        }
        md->tags = t;
    }
    return yaa_youtube_validate(md, err);
}

json_t *yaa_youtube_result_json(const yaa_youtube_result *r) {
    json_t *o = json_object();
    json_object_set_new(o, "dry_run", json_false());
    json_object_set_new(o, "video_id", json_string(r->video_id));
    json_object_set_new(o, "url", json_string(r->url));
    json_object_set_new(o, "privacy", json_string(r->privacy));
    json_object_set_new(o, "upload_status", json_string(r->upload_status));
    json_object_set_new(o, "thumbnail_set", json_boolean(r->thumbnail_set));
    json_object_set_new(o, "thumbnail_error",
                        r->thumbnail_error[0] ? json_string(r->thumbnail_error) : json_null());
    json_object_set_new(o, "resumes", json_integer(r->resumes));
    json_object_set_new(o, "publish_at",
                        r->publish_at[0] ? json_string(r->publish_at) : json_null());
    json_object_set_new(o, "captions_id",
                        r->captions_id[0] ? json_string(r->captions_id) : json_null());
    json_object_set_new(o, "captions_error",
                        r->captions_error[0] ? json_string(r->captions_error) : json_null());
    json_object_set_new(o, "playlist_item_id",
                        r->playlist_item_id[0] ? json_string(r->playlist_item_id) : json_null());
    json_object_set_new(o, "playlist_error",
                        r->playlist_error[0] ? json_string(r->playlist_error) : json_null());
    return o;
}

int yaa_youtube_publish_stage(const yaa_config *cfg, const char *video_path,
                              const char *thumbnail_path, const json_t *meta, bool dry_run,
                              const yaa_youtube_options *base, json_t **record, yaa_err *err) {
    *record = NULL;
    yaa_youtube_options o = {0};
    if (base) o = *base;
    bool creds = yaa_youtube_options_from_config(cfg, &o);
    yaa_youtube_metadata md;
    int rc = yaa_youtube_metadata_from_json(meta, &md, err);
    if (!rc && (dry_run || !creds)) {
        rc = yaa_youtube_dry_run(&o, video_path, thumbnail_path, &md, record, err);
        if (!rc)
            json_object_set_new(
                *record, "reason",
                json_string(dry_run ? "dry_run requested" : "no YouTube credentials configured"));
    } else if (!rc) {
        yaa_youtube_result res;
        rc = yaa_youtube_publish(&o, video_path, thumbnail_path, &md, &res, err);
        if (!rc) *record = yaa_youtube_result_json(&res);
    }
    free((void *)md.tags);
    return rc;
}
