/* artifact.c - GET /pipeline/runs/{id}/artifacts/{name} from the artifact store.
 *
 * File store: the run folder under OUTPUT_DIR, sent with Range support (as always).
 * S3 store: run_artifacts names the current object; with ARTIFACT_REDIRECT=presigned the
 * client gets a 302 to a presigned URL valid for YAA_ARTIFACT_URL_SEC seconds (a CDN or the
 * browser fetches from S3 directly); otherwise the object is fetched once into a local cache
 * named by its SHA-256 (so a newer attempt never serves stale bytes, and concurrent requests
 * share one copy and one download), checked, and sent from there with Range support - the
 * dashboard's video player seeks without a new download. The cache is bounded by ARTIFACT_CACHE_MB,
 * least recently used first. */
#include "api/api_internal.h"

#include "core/log.h"
#include "core/util.h"
#include "db/artifacts_repo.h"
#include "store/store.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#define YAA_ARTIFACT_URL_SEC 300

/* Downloads being made by this process, by SHA-256: concurrent first requests for one
 * object (a video player asks twice) wait for one download instead of each making its own.
 * A waiter whose leader failed tries itself, so a failure never leaves anyone waiting. */
static pthread_mutex_t fetch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fetch_cv = PTHREAD_COND_INITIALIZER;
static char (*inflight)[YAA_SHA256_HEX];
static size_t ninflight, inflight_cap;

static bool is_inflight(const char *sha) {
    for (size_t i = 0; i < ninflight; i++)
        if (strcmp(inflight[i], sha) == 0) return true;
    return false;
}

static bool cached_whole(const char *path, int64_t size) {
    struct stat s;
    return stat(path, &s) == 0 && (uint64_t)s.st_size == (uint64_t)size;
}

/* Makes path (the cache file of art) present: already there (*fetched = false), or
 * downloaded by this call (*fetched = true). */
static int fetch_once(yaa_store *st, const yaa_db_artifact *art, const char *path, bool *fetched,
                      yaa_err *err) {
    *fetched = false;
    pthread_mutex_lock(&fetch_mu);
    while (is_inflight(art->sha256)) pthread_cond_wait(&fetch_cv, &fetch_mu);
    if (cached_whole(path, art->size)) {
        pthread_mutex_unlock(&fetch_mu);
        return 0;
    }
    bool listed = false;
    if (ninflight == inflight_cap) {
        size_t cap = inflight_cap ? inflight_cap * 2 : 8;
        char(*nv)[YAA_SHA256_HEX] = realloc(inflight, cap * sizeof *nv);
        if (nv) {
            inflight = nv;
            inflight_cap = cap;
        }
    }
    if (ninflight < inflight_cap) { /* else: download unshared, still correct */
        snprintf(inflight[ninflight++], YAA_SHA256_HEX, "%s", art->sha256);
        listed = true;
    }
    pthread_mutex_unlock(&fetch_mu);
    int rc = yaa_store_get_file(st, art->object_key, path, art->sha256, err);
    *fetched = true;
    if (listed) {
        pthread_mutex_lock(&fetch_mu);
        for (size_t i = 0; i < ninflight; i++)
            if (strcmp(inflight[i], art->sha256) == 0) {
                memcpy(inflight[i], inflight[--ninflight], YAA_SHA256_HEX);
                break;
            }
        pthread_cond_broadcast(&fetch_cv);
        pthread_mutex_unlock(&fetch_mu);
    }
    return rc;
}

int yaa_api__send_artifact(yaa_http_req *req, yaa_http_resp *resp, const char *run_id,
                           const char *name) {
    yaa_api *api = req->api;
    const yaa_config *cfg = api->cfg;
    const char *out = cfg && cfg->output_dir ? cfg->output_dir : "./output";
    char path[PATH_MAX + 80];
    if (!cfg || !cfg->artifact_store || strncmp(cfg->artifact_store, "s3://", 5) != 0) {
        snprintf(path, sizeof path, "%s/%s/%s", out, run_id, name);
        /* a symlinked folder inside OUTPUT_DIR must not lead out of it */
        if (!yaa_path_inside(out, path))
            return yaa_api_http_error(resp, 404, "Artifact '%s' not found", name);
        yaa_api__send_file(req, resp, path, "private, max-age=60");
        if (resp->status == 404) yaa_api_http_error(resp, 404, "Artifact '%s' not found", name);
        return 0;
    }
    yaa_db_artifact art;
    yaa_err err = {0};
    int rc = yaa_db_artifacts_get(api->db, run_id, name, req->arena, &art, &err);
    if (rc == YAA_ENOTFOUND) return yaa_api_http_error(resp, 404, "Artifact '%s' not found", name);
    if (rc) return yaa_api__fail(resp, rc, &err);
    yaa_store *st = NULL;
    if ((rc = yaa_store_open(cfg, &st, &err))) return yaa_api__fail(resp, rc, &err);
    if (strcmp(cfg->artifact_redirect, "presigned") == 0) {
        char url[4096];
        rc = yaa_store_presign(st, art.object_key, YAA_ARTIFACT_URL_SEC, 0, url, sizeof url, &err);
        yaa_store_close(st);
        if (rc) return yaa_api__fail(resp, rc, &err);
        resp->status = 302;
        yaa_api_http_resp_header(resp, req->arena, "Location", url);
        yaa_api_http_resp_header(resp, req->arena, "Cache-Control", "no-store");
        return 0;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/.api-cache", out);
    snprintf(path, sizeof path, "%s/%s", dir, art.sha256);
    bool fetched = false;
    rc = fetch_once(st, &art, path, &fetched, &err);
    if (!fetched && !rc) {
        utime(path, NULL); /* recently used: trimmed last */
    } else {
        if (rc) {
            yaa_store_close(st);
            yaa_log_ev(YAA_LOG_ERROR, "api", "cannot fetch an artifact from the store",
                       YAA_F_STR("error", err.msg), YAA_F_END);
            if (rc == YAA_ENOTFOUND)
                return yaa_api_http_error(resp, 404, "Artifact '%s' is gone from the store", name);
            return yaa_api_http_error(resp, 502, "Artifact '%s': the store failed: %s", name,
                                      err.msg);
        }
        uint64_t cap = (uint64_t)cfg->artifact_cache_mb * 1024 * 1024;
        yaa_store_cache_trim(dir, cap > (uint64_t)art.size ? cap - (uint64_t)art.size : 0,
                             art.sha256);
    }
    yaa_store_close(st);
    yaa_api__send_file(req, resp, path, "private, max-age=60");
    if (resp->status == 404) return yaa_api_http_error(resp, 404, "Artifact '%s' not found", name);
    if (resp->status == 200 || resp->status == 206) resp->content_type = yaa_api__mime(name);
    return 0;
}
