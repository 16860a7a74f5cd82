/* stock_pexels.c - Pexels search: videos from /videos/search, photos from /v1/search, the key
 * in the Authorization header; orientation and size for the frame, locale for the language.
 * Results in the shared yaa_media__stock_item shape (stock_internal.h), with the credit Pexels asks
 * for. */
#include "core/util.h"
#include "media/stock_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void yaa_media__url_escape(const char *in, char *out, size_t n) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
    }
    out[o] = 0;
}

/* Pexels' locale codes for the languages yaa writes in. */
static const char *locale_for(const char *lang) {
    if (lang && !strncmp(lang, "ko", 2)) return "ko-KR";
    if (lang && !strncmp(lang, "ja", 2)) return "ja-JP";
    return "en-US";
}

/* The mp4 rendition to download for a frame whose short side is want, shown at fps frames a
 * second: one that fills the frame (never enlarged), then one with no more frames a second than
 * the video shows (every extra frame is decoded by the render and dropped: a 60 fps file costs
 * it about 2.4 times the decode of a 25 fps one, for the same picture), then the fewest pixels
 * that fill; when nothing fills, the largest. A rendition without fps counts as within. */
static const char *pick_video_file(const json_t *files, int want, int fps, int *w, int *h) {
    const char *best = NULL;
    long best_px = 0;
    bool best_fills = false, best_rate = false;
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
        const char *type = json_string_value(json_object_get(f, "file_type"));
        const char *link = json_string_value(json_object_get(f, "link"));
        int fw = (int)json_integer_value(json_object_get(f, "width"));
        int fh = (int)json_integer_value(json_object_get(f, "height"));
        double ffps = json_number_value(json_object_get(f, "fps"));
        if (!link || (type && !yaa_str_eq(type, "video/mp4"))) continue;
        int side = fw < fh ? fw : fh;
        long px = (long)fw * fh;
        bool fills = side >= want, rate = !(ffps > fps + 0.5);
        bool take = !best || (fills && !best_fills);
        if (!take && fills == best_fills)
            take = fills ? (rate && !best_rate) || (rate == best_rate && px < best_px)
                         : px > best_px || (px == best_px && rate && !best_rate);
        if (take) best = link, best_px = px, best_fills = fills, best_rate = rate, *w = fw, *h = fh;
    }
    return best;
}

int yaa_media__stock_pexels(const yaa_media_env *env, const yaa_media__stock_query *q,
                            yaa_media__stock_item *items, size_t max, size_t *n, yaa_err *err) {
    *n = 0;
    char esc[512], url[2048], auth[512];
    yaa_media__url_escape(q->text, esc, sizeof esc);
    const char *base = env->pexels_base_url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    snprintf(url, sizeof url, "%.*s%s?query=%s&orientation=%s&size=medium&per_page=%zu&locale=%s",
             (int)bl, base, q->video ? "/videos/search" : "/v1/search", esc,
             q->vertical ? "portrait" : "landscape", max < 80 ? max : 80, locale_for(q->language));
    snprintf(auth, sizeof auth, "Authorization: %s", env->pexels_api_key);
    const char *hdrs[] = {auth};
    json_t *j = NULL;
    int rc = yaa_media__stock_search_json(
        env, q->video ? "Pexels video search" : "Pexels photo search", url, hdrs, 1, &j, err);
    if (rc) return rc;
    const json_t *list = json_object_get(j, q->video ? "videos" : "photos");
    size_t i;
    json_t *v;
    int want = 1080;
    json_array_foreach(list, i, v) {
        if (*n >= max) break;
        yaa_media__stock_item *it = &items[*n];
        memset(it, 0, sizeof *it);
        it->video = q->video;
        snprintf(it->source, sizeof it->source, "pexels");
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        snprintf(it->id, sizeof it->id, "%lld", (long long)id);
        yaa_media__json_copy_str(it->page_url, sizeof it->page_url, json_object_get(v, "url"));
        if (q->video) {
            const json_t *user = json_object_get(v, "user");
            yaa_media__json_copy_str(it->author, sizeof it->author, json_object_get(user, "name"));
            yaa_media__json_copy_str(it->author_url, sizeof it->author_url,
                                     json_object_get(user, "url"));
            it->duration = json_number_value(json_object_get(v, "duration"));
            const char *f = pick_video_file(json_object_get(v, "video_files"), want,
                                            env->fps > 0 ? env->fps : 30, &it->width, &it->height);
            if (!f) continue;
            snprintf(it->url, sizeof it->url, "%s", f);
        } else {
            yaa_media__json_copy_str(it->author, sizeof it->author,
                                     json_object_get(v, "photographer"));
            yaa_media__json_copy_str(it->author_url, sizeof it->author_url,
                                     json_object_get(v, "photographer_url"));
            const json_t *src = json_object_get(v, "src");
            const char *f = json_string_value(json_object_get(src, "large2x"));
            if (!f) f = json_string_value(json_object_get(src, "original"));
            if (!f) continue;
            snprintf(it->url, sizeof it->url, "%s", f);
            it->width = (int)json_integer_value(json_object_get(v, "width"));
            it->height = (int)json_integer_value(json_object_get(v, "height"));
        }
        if (!id) continue;
        (*n)++;
    }
    json_decref(j);
    return 0;
}
