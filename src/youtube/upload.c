/* upload.c - the resumable upload protocol: start a session (POST, Location), PUT the file in
 * chunks of a multiple of 256 KiB with Content-Range, and after a broken connection or a 5xx
 * ask the session where it stands (PUT with "Content-Range: bytes *\/TOTAL", answered 308 with
 * Range) and go on from there. */
#include "youtube/youtube_internal.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int start_session(const yaa_youtube_options *o, const char *auth, size_t total,
                         const yaa_youtube_metadata *md, char **session, yaa_err *err) {
    json_t *res = yaa_youtube_resource(md);
    char *body = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    if (!body) return yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    char url[1024], len[64];
    yaa_youtube__url(o, YAA__YOUTUBE_INSERT_PATH, url, sizeof url);
    snprintf(len, sizeof len, "X-Upload-Content-Length: %zu", total);
    const char *h[] = {auth, "Content-Type: application/json; charset=UTF-8", len,
                       "X-Upload-Content-Type: video/mp4"};
    yaa_http_request rq = yaa_youtube__request(o, "POST", url, h, 4, 60000, 256 * 1024);
    rq.body = body;
    rq.body_len = strlen(body);
    yaa_http_reply r;
    yaa_net_http_reply_init(&r);
    int rc = yaa_net_http_send(&rq, &o->retry, &r, err);
    free(body);
    char loc[2048];
    if (rc) {
        yaa_err_prefix(err, "youtube: starting the upload: ");
    } else if (r.status != 200 && r.status != 201) {
        rc = yaa_youtube_map_error(&r, "the upload (videos.insert)", err);
    } else if (!yaa_net_http_reply_header(&r, "Location", loc, sizeof loc) || !*loc) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: the upload session has no Location");
    } else if (!(*session = strdup(loc))) {
        rc = yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    }
    yaa_net_http_reply_free(&r);
    return rc;
}

/* The offset the server holds from its Range header ("bytes=0-1048575"); 0 without one. */
static size_t range_offset(const yaa_http_reply *r) {
    char v[128];
    if (!yaa_net_http_reply_header(r, "Range", v, sizeof v)) return 0;
    const char *dash = strrchr(v, '-');
    if (!dash) return 0;
    char *end;
    unsigned long long last = strtoull(dash + 1, &end, 10);
    return end == dash + 1 ? 0 : (size_t)last + 1;
}

static int read_at(int fd, char *buf, size_t n, size_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return YAA_EIO;
        got += (size_t)k;
    }
    return 0;
}

static int finish(const yaa_http_reply *r, yaa_youtube_result *res, yaa_err *err) {
    json_t *v = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
    const char *id = json_string_value(json_object_get(v, "id"));
    json_t *st = json_object_get(v, "status");
    int rc = 0;
    if (!id || !*id) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: upload finished without a video id");
    } else {
        snprintf(res->video_id, sizeof res->video_id, "%s", id);
        const char *p = json_string_value(json_object_get(st, "privacyStatus"));
        const char *u = json_string_value(json_object_get(st, "uploadStatus"));
        snprintf(res->privacy, sizeof res->privacy, "%s", p ? p : "");
        snprintf(res->upload_status, sizeof res->upload_status, "%s", u ? u : "uploaded");
        const char *at = json_string_value(json_object_get(st, "publishAt"));
        snprintf(res->publish_at, sizeof res->publish_at, "%s", at ? at : "");
    }
    json_decref(v);
    return rc;
}

static bool cancelled(const yaa_youtube_options *o) { return o->cancel && o->cancel(o->cancel_ud); }

int yaa_youtube__upload(const yaa_youtube_options *o, const char *token, const char *path,
                        size_t total, const yaa_youtube_metadata *md, yaa_youtube_result *res,
                        yaa_err *err) {
    char auth[4096];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    char *session = NULL;
    char *buf = NULL;
    int fd = -1;
    int rc = 0;
    bool query = false;
    if (o->resume_url && *o->resume_url) {
        session = strdup(o->resume_url);
        query = true; /* ask the earlier session where it stands */
        if (!session) rc = yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    } else {
        rc = start_session(o, auth, total, md, &session, err);
    }
    if (rc) goto out;
    if (o->on_session) o->on_session(o->session_ud, session);
    size_t chunk = yaa_youtube__chunk(o);
    buf = malloc(chunk);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (!buf || fd < 0) {
        rc = yaa_err_set(err, fd < 0 ? YAA_EIO : YAA_ENOMEM, "youtube: cannot read %s", path);
        goto out;
    }
    int max_resumes = o->max_resumes > 0 ? o->max_resumes : 8;
    size_t offset = 0;
    for (;;) {
        if (cancelled(o)) {
            rc = yaa_err_set(err, YAA_ECANCELLED, "youtube: upload cancelled");
            goto out;
        }
        char range[96];
        size_t n = 0;
        if (query) {
            snprintf(range, sizeof range, "Content-Range: bytes */%zu", total);
        } else {
            n = total - offset < chunk ? total - offset : chunk;
            rc = read_at(fd, buf, n, offset);
            if (rc) {
                rc = yaa_err_set(err, YAA_EIO, "youtube: cannot read %s at %zu", path, offset);
                goto out;
            }
            snprintf(range, sizeof range, "Content-Range: bytes %zu-%zu/%zu", offset,
                     offset + n - 1, total);
        }
        const char *h[] = {auth, range, "Content-Type: video/mp4"};
        yaa_http_request rq = yaa_youtube__request(o, "PUT", session, h, 3, 300000, 1024 * 1024);
        rq.body = query ? NULL : buf;
        rq.body_len = n;
        yaa_http_reply r;
        yaa_net_http_reply_init(&r);
        yaa_err perr;
        int prc = yaa_net_http_perform(&rq, &r, &perr);
        if (prc == YAA_ECANCELLED || prc == YAA_ELIMIT || prc == YAA_ENOMEM) {
            rc = yaa_err_set(err, prc, "youtube: %s", perr.msg);
            yaa_net_http_reply_free(&r);
            goto out;
        }
        if (!prc && (r.status == 200 || r.status == 201)) {
            rc = finish(&r, res, err);
            if (o->on_progress) o->on_progress(o->progress_ud, total, total);
            yaa_net_http_reply_free(&r);
            goto out;
        }
        if (!prc && r.status == 308) {
            offset = range_offset(&r);
            if (offset > total) offset = total;
            query = false;
            if (o->on_progress) o->on_progress(o->progress_ud, offset, total);
            yaa_net_http_reply_free(&r);
            if (offset == total) query = true; /* all bytes there: ask for the video */
            continue;
        }
        if (!prc && (r.status == 404 || r.status == 410)) {
            rc = yaa_err_set(err, YAA_EPROVIDER,
                             "youtube: the upload session expired (HTTP %ld); run again to "
                             "start a new upload",
                             r.status);
            yaa_net_http_reply_free(&r);
            goto out;
        }
        if (!prc && !yaa_net_http_status_retryable(r.status)) {
            rc = yaa_youtube_map_error(&r, "the upload", err);
            yaa_net_http_reply_free(&r);
            goto out;
        }
        /* A broken connection, a timeout or a 5xx: wait, then ask the session. */
        long ra = prc ? -1 : yaa_net_http_retry_after_ms(&r);
        char why[YAA_ERR_MSG_MAX];
        if (prc)
            snprintf(why, sizeof why, "%s", perr.msg);
        else
            yaa_net_http_describe(&r, why, sizeof why);
        yaa_net_http_reply_free(&r);
        if (++res->resumes > max_resumes) {
            rc = yaa_err_set(err, prc ? prc : YAA_EPROVIDER,
                             "youtube: upload failed after %d resumes at byte %zu of %zu (%s)",
                             max_resumes, offset, total, why);
            goto out;
        }
        long delay = yaa_net_http_backoff_ms(&o->retry, res->resumes, ra);
        yaa_log_ev(YAA_LOG_WARN, "youtube", "upload interrupted; resuming",
                   YAA_F_INT("offset", (long long)offset), YAA_F_INT("total", (long long)total),
                   YAA_F_INT("resume", res->resumes), YAA_F_INT("delay_ms", delay),
                   YAA_F_STR("error", why), YAA_F_END);
        for (long w = delay; w > 0; w -= 50) {
            if (cancelled(o)) break;
            yaa_sleep_ms(w < 50 ? w : 50);
        }
        query = true;
    }
out:
    memset(auth, 0, sizeof auth);
    if (fd >= 0) close(fd);
    free(buf);
    free(session);
    return rc;
}
