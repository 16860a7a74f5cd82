/* youtube_internal.h - shared between publish.c and upload.c. */
#ifndef YAA_YOUTUBE_INTERNAL_H
#define YAA_YOUTUBE_INTERNAL_H

#include "youtube/youtube.h"

#define YAA__YOUTUBE_INSERT_PATH \
    "/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"
#define YAA__YOUTUBE_THUMB_PATH "/upload/youtube/v3/thumbnails/set?videoId="

/* Chunk size in use: a multiple of 256 KiB. */
size_t yaa__youtube_chunk(const yaa_youtube_options *o);
/* api_base + path */
void yaa__youtube_url(const yaa_youtube_options *o, const char *path, char *out, size_t n);
/* Starts (or resumes) the resumable session and sends the file; fills video_id, privacy,
 * upload_status and resumes. */
int yaa__youtube_upload(const yaa_youtube_options *o, const char *token, const char *path,
                        size_t total, const yaa_youtube_metadata *md, yaa_youtube_result *res,
                        yaa_err *err);

#endif
