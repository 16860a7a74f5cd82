/* stock_internal.h - stock footage and photos (Pexels, Pixabay) for the media library's own use:
 * search results in one shape, the download cache, and the check that a file decodes. */
#ifndef YAA_MEDIA_STOCK_INTERNAL_H
#define YAA_MEDIA_STOCK_INTERNAL_H

#include "media/media_internal.h"
#include "net/net.h"

#include <jansson.h>

typedef struct yaa_media__stock_item {
    bool video;
    char source[16];    /* "pexels" | "pixabay" */
    char id[48];        /* the service's id */
    char url[1024];     /* the file to download */
    char page_url[512]; /* the item's page (credited) */
    char author[128];
    char author_url[512];
    double duration; /* videos */
    int width, height;
} yaa_media__stock_item;

typedef struct yaa_media__stock_query {
    const char *text;
    const char *language; /* "ko", "en", ... */
    bool vertical;
    bool video;
} yaa_media__stock_query;

/* One search. Fills up to max items and sets *n. Returns 0 (possibly with *n == 0), or an error
 * naming the service and the HTTP status (401: YAA_EAUTH, 429: YAA_ELIMIT with the
 * Retry-After in the message, 5xx/bad JSON: YAA_EPROVIDER, network: YAA_ENET/YAA_ETIMEOUT). */
int yaa_media__stock_pexels(const yaa_media_env *env, const yaa_media__stock_query *q,
                            yaa_media__stock_item *items, size_t max, size_t *n, yaa_err *err);
int yaa_media__stock_pixabay(const yaa_media_env *env, const yaa_media__stock_query *q,
                             yaa_media__stock_item *items, size_t max, size_t *n, yaa_err *err);

/* Percent-encodes a query parameter (UTF-8 kept as bytes). */
void yaa_media__url_escape(const char *in, char *out, size_t n);

/* GET through net with the stock timeout and a short retry (a long Retry-After is not waited
 * for: the caller falls back to the next source). */
int yaa_media__stock_get(const yaa_media_env *env, const char *what, const char *url,
                         const char *const *headers, size_t nheaders, size_t max_reply,
                         yaa_http_reply *rep, yaa_err *err);

/* A search GET whose reply must be a JSON object (*out, caller decrefs). */
int yaa_media__stock_search_json(const yaa_media_env *env, const char *what, const char *url,
                                 const char *const *headers, size_t nheaders, json_t **out,
                                 yaa_err *err);
/* Copies a JSON string (or "" when absent) into dst. */
void yaa_media__json_copy_str(char *dst, size_t n, const json_t *v);

/* The item's file in the cache (downloaded when missing, then the cache trimmed to its cap),
 * checked to decode: a poster frame is written to poster_png. path gets the cached file. */
int yaa_media__stock_fetch(const yaa_media_env *env, const yaa_media__stock_item *it, char *path,
                           size_t n, const char *poster_png, yaa_err *err);

/* Writes one decoded frame of a picture or clip (at `at` seconds) as PNG: proves it decodes. */
int yaa_media__poster(const yaa_media_env *env, const char *media, double at, const char *png,
                      yaa_err *err);

#endif
