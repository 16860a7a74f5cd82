/* publisher.c - stage 6: the upload to YouTube (resumable, then thumbnails.set), or, on a
 * dry run or without credentials, the exact requests it would send, in publish.json. */
#include "agents/agent.h"
#include "core/buf.h"
#include "core/util.h"
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
    yaa_agent_write_text(ctx, SESSION_FILE, url, &ignore);
}

static bool cancelled(void *ud) { return yaa_agent_cancelled(ud); }

static void on_progress(void *ud, size_t sent, size_t total) {
    yaa_agent_ctx *ctx = ud;
    int step = total ? (int)(sent * 10 / total) : 10;
    if (strcmp(ctx->progress_what, "upload") == 0 && step == ctx->progress_step) return;
    snprintf(ctx->progress_what, sizeof ctx->progress_what, "upload");
    ctx->progress_step = step;
    yaa_agent_progress(ctx, "upload %d%% of %.1f MB", step * 10, (double)total / 1e6);
}

int yaa_agent_publisher(yaa_agent_ctx *ctx, json_t **out, yaa_err *err) {
    const json_t *meta = ctx->outputs[YAA_STAGE_SEO_OPTIMIZER];
    const json_t *edit = ctx->outputs[YAA_STAGE_MEDIA_EDITOR];
    const json_t *media = ctx->outputs[YAA_STAGE_MEDIA_GENERATOR];
    if (!meta || !edit || !media)
        return yaa_err_set(err, YAA_EINVAL,
                           "publisher needs the metadata, the video and the thumbnail");
    const char *video = json_string_value(json_object_get(edit, "video"));
    const char *thumb = json_string_value(json_object_get(media, "thumbnail"));
    yaa_youtube_options base = {0};
    base.cancel = cancelled;
    base.cancel_ud = ctx;
    base.on_session = save_session;
    base.session_ud = ctx;
    base.on_progress = on_progress;
    base.progress_ud = ctx;
    char *session = NULL;
    char *path = yaa_agent_path(ctx, SESSION_FILE);
    if (path && yaa_read_file(path, 4096, &session, NULL) == 0 && *session) {
        base.resume_url = session;
        yaa_agent_progress(ctx, "resuming the upload started by an earlier attempt");
    }
    json_t *record = NULL;
    int rc =
        yaa_youtube_publish_stage(ctx->cfg, video, thumb, meta, ctx->dry_run, &base, &record, err);
    free(session);
    if (rc) return rc;
    if (path) unlink(path);
    char now[YAA_TIME_LEN + 1];
    yaa_time_now_str(now);
    json_object_set_new(record, "at", json_string(now));
    if ((rc = yaa_agent_write_json(ctx, "publish.json", record, err))) {
        json_decref(record);
        return rc;
    }
    const char *url = json_string_value(json_object_get(record, "url"));
    yaa_agent_progress(ctx,
                       url ? "uploaded: %s" : "dry run: publish.json holds the upload requests%s",
                       url ? url : "");
    *out = record;
    return 0;
}
