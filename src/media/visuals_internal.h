/* visuals_internal.h - the picture of each section, chosen in a fixed order: the channel's media
 * library, Pexels, Pixabay, a generated image, the section's card (internal to media). */
#ifndef YAA_MEDIA_VISUALS_INTERNAL_H
#define YAA_MEDIA_VISUALS_INTERNAL_H

#include "media/stock_internal.h"

#define YAA_LIBRARY_MAX 512

typedef struct yaa_media__library_file {
    char path[1024];
    char name[256];
    char words[1024]; /* lower-cased words of the file name and its media.yaml entry */
    bool video, used;
} yaa_media__library_file;

typedef struct yaa_media__library {
    yaa_media__library_file files[YAA_LIBRARY_MAX];
    size_t n;
} yaa_media__library;

/* Lists dir's clips and photos (none when dir is NULL or missing). */
int yaa_media__library_load(const char *dir, yaa_media__library *lib);
/* Words of query found in words (a particle or plural ending allowed). */
double yaa_media__library_score(const char *query, const char *words);
/* The best unused file for the queries (earlier ones weigh more), marked used; -1 when none
 * shares a word with them. */
int yaa_media__library_pick(yaa_media__library *lib, const char *const *queries, size_t nq,
                            bool want_video);

/* Picks and fetches every section's visual into res->visuals (after the cards exist), renders
 * lower thirds for footage and photos, and adds a note to res->notes for every source that
 * failed and was skipped. Never fails for a missing picture: the card stays. */
int yaa_media__visuals_pick(const yaa_media_env *env, const yaa_media_gen_request *req,
                            yaa_media_gen_result *res, yaa_err *err);

#endif
