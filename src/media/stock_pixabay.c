/* stock_pixabay.c - Pixabay search: videos from /api/videos/, photos from /api/, the key as
 * the `key` parameter (so URLs with it are never logged: net logs no query strings);
 * orientation for photos, `lang` for the language. Results in the yaa_media__stock_item shape. */
#include "core/util.h"
#include "media/stock_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Pixabay's languages include ko, ja, en and most others under their two-letter code. */
static void lang_for(const char *lang, char out[3]) {
    out[0] = lang && lang[0] >= 'a' && lang[0] <= 'z' ? lang[0] : 'e';
    out[1] = lang && lang[1] >= 'a' && lang[1] <= 'z' ? lang[1] : 'n';
    out[2] = 0;
}

/* The rendition that fills the frame at the least size: medium is 1920 wide, large 3840. */
static const json_t *pick_rendition(const json_t *videos, int want) {
    static const char *const order[] = {"medium", "large", "small", "tiny"};
    const json_t *fallback = NULL;
    for (size_t k = 0; k < 4; k++) {
        const json_t *r = json_object_get(videos, order[k]);
        const char *url = json_string_value(json_object_get(r, "url"));
        if (!url || !*url) continue;
        int w = (int)json_integer_value(json_object_get(r, "width"));
        int h = (int)json_integer_value(json_object_get(r, "height"));
        if ((w < h ? w : h) >= want) return r;
        if (!fallback) fallback = r;
    }
    return fallback;
}

int yaa_media__stock_pixabay(const yaa_media_env *env, const yaa_media__stock_query *q,
                             yaa_media__stock_item *items, size_t max, size_t *n, yaa_err *err) {
    *n = 0;
    char esc[512], url[2048], lang[3];
    yaa_media__url_escape(q->text, esc, sizeof esc);
    lang_for(q->language, lang);
    const char *base = env->pixabay_base_url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    size_t per = max < 3 ? 3 : max > 200 ? 200 : max; /* Pixabay's per_page is 3..200 */
    if (q->video)
        snprintf(url, sizeof url,
                 "%.*s/api/videos/?key=%s&q=%s&lang=%s&safesearch=true&per_page=%zu", (int)bl, base,
                 env->pixabay_api_key, esc, lang, per);
    else
        snprintf(url, sizeof url,
                 "%.*s/api/?key=%s&q=%s&lang=%s&image_type=photo&orientation=%s&safesearch=true&"
                 "per_page=%zu",
                 (int)bl, base, env->pixabay_api_key, esc, lang,
                 q->vertical ? "vertical" : "horizontal", per);
    json_t *j = NULL;
    int rc = yaa_media__stock_search_json(
        env, q->video ? "Pixabay video search" : "Pixabay photo search", url, NULL, 0, &j, err);
    if (rc) return rc;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "hits"), i, v) {
        if (*n >= max) break;
        yaa_media__stock_item *it = &items[*n];
        memset(it, 0, sizeof *it);
        it->video = q->video;
        snprintf(it->source, sizeof it->source, "pixabay");
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        if (!id) continue;
        snprintf(it->id, sizeof it->id, "%lld", (long long)id);
        yaa_media__json_copy_str(it->page_url, sizeof it->page_url, json_object_get(v, "pageURL"));
        yaa_media__json_copy_str(it->author, sizeof it->author, json_object_get(v, "user"));
        json_int_t uid = json_integer_value(json_object_get(v, "user_id"));
        if (it->author[0])
            snprintf(it->author_url, sizeof it->author_url, "https://pixabay.com/users/%s-%lld/",
                     it->author, (long long)uid);
        const char *f = NULL;
        if (q->video) {
            const json_t *r = pick_rendition(json_object_get(v, "videos"), 1080);
            f = json_string_value(json_object_get(r, "url"));
            it->width = (int)json_integer_value(json_object_get(r, "width"));
            it->height = (int)json_integer_value(json_object_get(r, "height"));
            it->duration = json_number_value(json_object_get(v, "duration"));
        } else {
            f = json_string_value(json_object_get(v, "largeImageURL"));
            if (!f) f = json_string_value(json_object_get(v, "webformatURL"));
            it->width = (int)json_integer_value(json_object_get(v, "imageWidth"));
            it->height = (int)json_integer_value(json_object_get(v, "imageHeight"));
        }
        if (!f || !*f) continue;
        snprintf(it->url, sizeof it->url, "%s", f);
        (*n)++;
    }
    json_decref(j);
    return 0;
}
