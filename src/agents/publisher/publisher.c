/* publisher.c - stage 6: the upload to YouTube (resumable, then thumbnails.set, captions,
 * playlist), or, on a dry run or without credentials, the exact requests it would send, in
 * publish.json. What is uploaded is the reviewed metadata with chapters recomputed from the
 * measured timeline of the final video, the channel's captions and language, its playlist and
 * privacy, and publish_at when the video is scheduled; it goes to the channel's own YouTube
 * account when one is connected (yaa channels connect-youtube), else the global one. */
#include "agents/agent.h"
#include "agents/youtube_account.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "core/secret.h"
#include "core/util.h"
#include "media/audio.h"
#include "youtube/youtube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SESSION_FILE "upload_session.txt"

/* An upload is not idempotent: its session URL is kept beside the artifacts so a retried
 * stage resumes the same upload instead of starting a second video. */
static void save_session(void *ud, const char *url) {
    yaa_agent_ctx *ctx = ud;
    yaa_err ignore = {0};
    yaa_agents_write_text(ctx, SESSION_FILE, url, &ignore);
}

static bool cancelled(void *ud) { return yaa_agents_cancelled(ud); }

static void on_progress(void *ud, size_t sent, size_t total) {
    yaa_agent_ctx *ctx = ud;
    int step = total ? (int)(sent * 10 / total) : 10;
    if (strcmp(ctx->progress_what, "upload") == 0 && step == ctx->progress_step) return;
    snprintf(ctx->progress_what, sizeof ctx->progress_what, "upload");
    ctx->progress_step = step;
    yaa_agents_progress(ctx, "upload %d%% of %.1f MB", step * 10, (double)total / 1e6);
}

/* Where each section starts in the final video, in seconds: the measured narration lengths
 * laid end to end (crossfades are centred on the joins) after the intro, whose length
 * media_editor measured. Returns the number of sections. */
static size_t section_starts(yaa_agent_ctx *ctx, const json_t *edit, const json_t *media,
                             double **starts) {
    const json_t *segs = json_object_get(media, "segments");
    size_t n = json_array_size(segs);
    *starts = n ? yaa_arena_alloc(ctx->arena, n * sizeof **starts) : NULL;
    if (!*starts) return 0;
    double t = json_number_value(json_object_get(edit, "narration_offset_seconds"));
    for (size_t i = 0; i < n; i++) {
        (*starts)[i] = t;
        t += json_number_value(json_object_get(json_array_get(segs, i), "duration_seconds"));
    }
    return n;
}

/* The metadata to upload: the SEO stage's (or the reviewer's edit of it) with the chapters
 * of the measured timeline, the captions file, the channel's language, playlist and privacy. */
static json_t *upload_metadata(yaa_agent_ctx *ctx, const json_t *meta, const json_t *edit,
                               const json_t *media) {
    json_t *m = json_deep_copy(meta);
    if (!m) return NULL;
    const yaa_channel *ch = ctx->channel;
    const json_t *script = ctx->outputs[YAA_STAGE_SCRIPT_WRITER];
    double *starts = NULL;
    size_t n = section_starts(ctx, edit, media, &starts);
    const char **titles = n ? yaa_arena_alloc(ctx->arena, n * sizeof *titles) : NULL;
    for (size_t i = 0; titles && i < n; i++)
        titles[i] = json_string_value(
            json_object_get(json_array_get(json_object_get(script, "sections"), i), "heading"));
    double duration = json_number_value(json_object_get(edit, "duration_seconds"));
    yaa_buf chapters, desc;
    yaa_buf_init(&chapters, 16 * 1024);
    yaa_buf_init(&desc, 64 * 1024);
    int nch = titles ? yaa_youtube_chapters(starts, titles, n, duration, &chapters) : 0;
    json_t *list = json_array();
    for (const char *line = chapters.data; nch > 0 && line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *sp = strchr(line, ' ');
        long h = 0, mm = 0, ss = 0;
        int k = sscanf(line, "%ld:%ld:%ld", &h, &mm, &ss);
        double at = k == 3 ? (double)(h * 3600 + mm * 60 + ss) : (double)(h * 60 + mm);
        json_array_append_new(list, json_pack("{s:f,s:s%}", "start_seconds", at, "title", sp + 1,
                                              (size_t)(nl - sp - 1)));
        line = nl ? nl + 1 : NULL;
    }
    json_object_set_new(m, "chapters", list);
    /* the uploaded description, composed by the function that composed metadata.json's: the
     * reviewed text (its credit block is taken out and put back), the measured chapters, then
     * the credits of the footage media_generator recorded, each line once */
    const json_t *credits = json_object_get(media, "credits");
    if (yaa_agents_description_compose(json_string_value(json_object_get(m, "description")),
                                       nch > 0 ? chapters.data : "", credits, ctx->brief.language,
                                       &desc) == 0)
        json_object_set_new(m, "description", json_string(desc.data ? desc.data : ""));
    if (json_array_size(credits)) json_object_set(m, "credits", (json_t *)credits);
    yaa_buf_free(&chapters);
    yaa_buf_free(&desc);
    const char *srt = json_string_value(json_object_get(edit, "subtitles"));
    if (!srt || !*srt) srt = json_string_value(json_object_get(media, "subtitles"));
    if (srt && *srt && access(srt, R_OK) == 0)
        json_object_set_new(m, "captions_path", json_string(srt));
    if (!json_object_get(m, "language") && ctx->brief.language)
        json_object_set_new(m, "language", json_string(ctx->brief.language));
    if (ch && ch->publishing.playlist_id && *ch->publishing.playlist_id &&
        !json_object_get(m, "playlist_id"))
        json_object_set_new(m, "playlist_id", json_string(ch->publishing.playlist_id));
    /* The scheduled publication time: a reviewer's edit of the metadata, else the run's
     * option (POST /pipeline/run, a batch item). */
    if (!json_string_value(json_object_get(m, "publish_at")) && ctx->publish_at)
        json_object_set_new(m, "publish_at", json_string(ctx->publish_at));
    if (ch && ch->publishing.privacy && !json_string_value(json_object_get(m, "privacy")))
        json_object_set_new(m, "privacy", json_string(ch->publishing.privacy));
    return m;
}

int yaa_agents_publisher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const json_t *meta = ctx->outputs[YAA_STAGE_SEO_OPTIMIZER];
    const json_t *edit = ctx->outputs[YAA_STAGE_MEDIA_EDITOR];
    const json_t *media = ctx->outputs[YAA_STAGE_MEDIA_GENERATOR];
    if (!meta || !edit || !media)
        return yaa_err_set(err, YAA_EINVAL,
                           "publisher needs the metadata, the video and the thumbnail");
    const char *video = json_string_value(json_object_get(edit, "video"));
    const char *thumb = json_string_value(json_object_get(media, "thumbnail"));
    /* A reviewer may pick another of the run's images as the thumbnail (review.c checked
     * that it exists). */
    const char *chosen = json_string_value(json_object_get(meta, "thumbnail"));
    if (chosen && *chosen) thumb = yaa_agents_path(ctx, chosen);
    yaa_youtube_options base = {0};
    base.cancel = cancelled;
    base.cancel_ud = ctx;
    base.on_session = save_session;
    base.session_ud = ctx;
    base.on_progress = on_progress;
    base.progress_ud = ctx;
    char *session = NULL;
    char *path = yaa_agents_path(ctx, SESSION_FILE);
    if (path && yaa_read_file(path, 4096, &session, NULL) == 0 && *session) {
        base.resume_url = session;
        yaa_agents_progress(ctx, "resuming the upload started by an earlier attempt");
    }
    json_t *plan = upload_metadata(ctx, meta, edit, media);
    char *token = NULL;
    bool own = false;
    int rc = plan ? 0 : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (!rc)
        rc = yaa_agents_youtube_token(ctx->db, ctx->cfg, ctx->channel ? ctx->channel->id : NULL,
                                      &token, &own, err);
    base.refresh_token = token;
    json_t *record = NULL;
    if (!rc)
        rc = yaa_youtube_publish_stage(ctx->cfg, video, thumb, plan, ctx->dry_run, &base, &record,
                                       err);
    const char *account = own ? "channel" : token ? "global" : "none";
    yaa_secret_wipe_free(token);
    free(session);
    if (rc == YAA_EAUTH && own && ctx->channel) {
        char why[YAA_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        yaa_err_set(err, rc,
                    "%.700s; connect the channel again with: yaa channels "
                    "connect-youtube %.100s",
                    why, ctx->channel->id);
    }
    if (rc) {
        json_decref(plan);
        return rc;
    }
    json_object_set_new(record, "account", json_string(account));
    json_object_set(record, "chapters", json_object_get(plan, "chapters"));
    if (json_object_get(plan, "credits")) /* what the description credits, for the record */
        json_object_set(record, "credits", json_object_get(plan, "credits"));
    /* what viewers get: the quality report measures this once the run is published */
    json_object_set_new(
        record, "metadata",
        json_pack("{s:O?, s:O?, s:O?, s:O?}", "title", json_object_get(plan, "title"),
                  "description", json_object_get(plan, "description"), "tags",
                  json_object_get(plan, "tags"), "chapters", json_object_get(plan, "chapters")));
    if (!json_string_value(json_object_get(record, "publish_at")))
        json_object_set(record, "publish_at", json_object_get(plan, "publish_at"));
    json_decref(plan);
    if (path) unlink(path);
    char now[YAA_TIME_LEN + 1];
    yaa_time_now_str(now);
    json_object_set_new(record, "at", json_string(now));
    if ((rc = yaa_agents_write_json(ctx, "publish.json", record, err)) ||
        (rc = yaa_media_quality_metadata_refresh(ctx->out_dir, err))) {
        json_decref(record);
        return rc;
    }
    const char *url = json_string_value(json_object_get(record, "url"));
    yaa_agents_progress(ctx,
                        url ? "uploaded: %s" : "dry run: publish.json holds the upload requests%s",
                        url ? url : "");
    *out = record;
    return 0;
}
