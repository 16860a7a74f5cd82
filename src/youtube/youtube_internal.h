/* youtube_internal.h - shared between publish.c and upload.c. */
#ifndef YAA_YOUTUBE_INTERNAL_H
#define YAA_YOUTUBE_INTERNAL_H

#include "youtube/youtube.h"

#define YAA__YOUTUBE_INSERT_PATH \
    "/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"
#define YAA__YOUTUBE_THUMB_PATH "/upload/youtube/v3/thumbnails/set?videoId="
#define YAA__YOUTUBE_CAPTIONS_PATH "/upload/youtube/v3/captions?uploadType=multipart&part=snippet"
#define YAA__YOUTUBE_PLAYLIST_PATH "/youtube/v3/playlistItems?part=snippet"
#define YAA__YOUTUBE_CHANNELS_MINE_PATH "/youtube/v3/channels?part=id,snippet&mine=true"

/* Chunk size in use: a multiple of 256 KiB. */
size_t yaa_youtube__chunk(const yaa_youtube_options *o);
/* api_base + path */
void yaa_youtube__url(const yaa_youtube_options *o, const char *path, char *out, size_t n);
/* A request to Google with the options' timeout (default_timeout_ms when unset) and
 * cancellation; the caller adds the body. */
yaa_http_request yaa_youtube__request(const yaa_youtube_options *o, const char *method,
                                      const char *url, const char *const *headers, size_t nheaders,
                                      long default_timeout_ms, size_t max_reply);
/* Starts (or resumes) the resumable session and sends the file; fills video_id, privacy,
 * upload_status and resumes. */
int yaa_youtube__upload(const yaa_youtube_options *o, const char *token, const char *path,
                        size_t total, const yaa_youtube_metadata *md, yaa_youtube_result *res,
                        yaa_err *err);

/* Appends "key=value" (with '&' between pairs), percent-encoding value (oauth.c). */
int yaa_youtube__form_put(yaa_buf *b, const char *key, const char *value);

/* POSTs form to the token endpoint (then wipes it) and parses the 200 reply into *reply;
 * other replies are mapped like every YouTube error (oauth.c). */
int yaa_youtube__token_post(const yaa_youtube_options *o, yaa_buf *form, const char *what,
                            json_t **reply, yaa_err *err);

/* One authorised call of the YouTube Data API (api_base + path; body NULL = none); a 200
 * reply's JSON in *reply (may be NULL), other replies mapped like every YouTube error. */
int yaa_youtube__api(const yaa_youtube_options *o, const char *token, const char *method,
                     const char *path, const char *ctype, const char *body, size_t len,
                     const char *what, json_t **reply, yaa_err *err);
/* POSTs body (ctype) to api_base + path with the access token; with id_out, copies the
 * reply's "id" there (a reply without one is an error). Errors are mapped like every other
 * YouTube reply (extras.c). */
int yaa_youtube__post(const yaa_youtube_options *o, const char *token, const char *path,
                      const char *ctype, const char *body, size_t len, const char *what,
                      char *id_out, size_t id_n, yaa_err *err);

/* After the upload (extras.c): captions.insert and playlistItems.insert; id_out gets the new
 * resource's id. */
int yaa_youtube__captions_insert(const yaa_youtube_options *o, const char *token,
                                 const yaa_youtube_metadata *md, const char *video_id, char *id_out,
                                 size_t id_n, yaa_err *err);
int yaa_youtube__playlist_insert(const yaa_youtube_options *o, const char *token,
                                 const yaa_youtube_metadata *md, const char *video_id, char *id_out,
                                 size_t id_n, yaa_err *err);
/* Appends the dry-run records of those two requests (when md asks for them) and their quota. */
void yaa_youtube__dry_extras(const yaa_youtube_options *o, const yaa_youtube_metadata *md,
                             json_t *requests, int *units);

#endif
