/* youtube.h - the YouTube Data API v3 publisher: OAuth2 refresh-token exchange, resumable
 * upload of the video with its metadata (chunks in multiples of 256 KiB, resumed after a
 * broken connection or a 5xx from the offset the server reports), then thumbnails.set.
 *
 * status.privacyStatus (default private: unaudited API projects can only publish private
 * videos), status.selfDeclaredMadeForKids and status.containsSyntheticMedia=true are always
 * sent. An upload costs 1,600 quota units (thumbnails.set 50) of the default 10,000 a day.
 * yaa_youtube_dry_run() builds the exact requests instead of sending them. */
#ifndef YAA_YOUTUBE_H
#define YAA_YOUTUBE_H

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "net/net.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define YAA_YOUTUBE_TOKEN_URL "https://oauth2.googleapis.com/token"
#define YAA_YOUTUBE_AUTH_URL "https://accounts.google.com/o/oauth2/v2/auth"
#define YAA_YOUTUBE_API_BASE "https://www.googleapis.com"
#define YAA_YOUTUBE_CHUNK_UNIT ((size_t)256 * 1024)
#define YAA_YOUTUBE_INSERT_UNITS 1600
#define YAA_YOUTUBE_THUMBNAIL_UNITS 50
#define YAA_YOUTUBE_CAPTION_UNITS 400
#define YAA_YOUTUBE_PLAYLIST_UNITS 50

typedef struct yaa_youtube_options {
    const char *client_id;     /* YOUTUBE_CLIENT_ID */
    const char *client_secret; /* YOUTUBE_CLIENT_SECRET (secret) */
    const char *refresh_token; /* YOUTUBE_REFRESH_TOKEN (secret) */
    const char *token_url;     /* NULL = YAA_YOUTUBE_TOKEN_URL (tests: a double) */
    const char *auth_url;      /* NULL = YAA_YOUTUBE_AUTH_URL: the consent screen */
    const char *api_base;      /* NULL = YAA_YOUTUBE_API_BASE (tests: a double) */
    size_t chunk_size;         /* 0 = 8 MiB; rounded down to a multiple of 256 KiB (min 256 KiB) */
    long timeout_ms;           /* per request; 0 = 300 s for chunks, 60 s otherwise */
    int max_resumes;           /* broken connections/5xx tolerated during one upload; 0 = 8 */
    yaa_http_retry retry;      /* for token, session start, thumbnails and waits between resumes */
    yaa_net_cancel_fn cancel;  /* optional: checked between and during chunks */
    void *cancel_ud;
    /* Optional: the session URL as soon as it exists, so a caller can persist it and resume
     * a later attempt with resume_url (an upload is not idempotent). */
    void (*on_session)(void *ud, const char *session_url);
    void *session_ud;
    const char *resume_url; /* a session URL from an earlier attempt; NULL = new session */
    void (*on_progress)(void *ud, size_t sent, size_t total); /* optional */
    void *progress_ud;
} yaa_youtube_options;

typedef struct yaa_youtube_metadata {
    const char *title;       /* required, <= 100 characters, no '<' '>' */
    const char *description; /* <= 5000 bytes */
    const char *const *tags; /* total <= 500 characters as YouTube counts them */
    size_t ntags;
    const char *category_id;      /* NULL = "22" (People & Blogs) */
    const char *privacy;          /* private (NULL) | unlisted | public */
    bool made_for_kids;           /* status.selfDeclaredMadeForKids */
    const char *default_language; /* optional, e.g. "ko" */
    /* Scheduling: an RFC 3339 time in the future. The video is uploaded private and YouTube
     * makes it public then (status.publishAt; YouTube requires privacyStatus private). */
    const char *publish_at;
    /* After the upload: captions.insert of this SRT file (the channel's language), and
     * playlistItems.insert into this playlist. Either may be NULL. */
    const char *captions_path;
    const char *captions_language; /* NULL = default_language, else "en" */
    const char *playlist_id;
} yaa_youtube_metadata;

typedef struct yaa_youtube_result {
    char video_id[64];
    char url[128]; /* https://www.youtube.com/watch?v=ID */
    char privacy[16];
    char upload_status[32];
    bool thumbnail_set;
    char thumbnail_error[YAA_ERR_MSG_MAX]; /* why thumbnails.set failed (the video is still
                                              uploaded) */
    int resumes;                           /* how many times the upload was resumed */
    char captions_id[128];                 /* captions.insert's id, "" if none */
    char captions_error[YAA_ERR_MSG_MAX];  /* why captions.insert failed (video uploaded) */
    char playlist_item_id[128];            /* playlistItems.insert's id, "" if none */
    char playlist_error[YAA_ERR_MSG_MAX];  /* why playlistItems.insert failed */
    char publish_at[40];                   /* status.publishAt as YouTube answered, "" if none */
} yaa_youtube_result;

/* Checks the metadata against YouTube's limits; the message names the field. */
int yaa_youtube_validate(const yaa_youtube_metadata *md, yaa_err *err);
/* The videos.insert resource: {"snippet":{...},"status":{...}} (new reference). */
json_t *yaa_youtube_resource(const yaa_youtube_metadata *md);

/* Exchanges the refresh token for an access token (malloc'd into *access_token). Errors:
 * YAA_EAUTH (invalid_grant: token expired or revoked; invalid_client), network codes. */
int yaa_youtube_access_token(const yaa_youtube_options *o, char **access_token, yaa_err *err);

/* Token, upload, thumbnail (thumbnail_path may be NULL). Errors: YAA_EINVAL (metadata or
 * files), YAA_EAUTH (credentials, 401, 403 forbidden), YAA_ELIMIT (quotaExceeded or rate
 * limits), YAA_EPROVIDER, YAA_ENET/YAA_ETIMEOUT (after max_resumes), YAA_ECANCELLED. */
int yaa_youtube_publish(const yaa_youtube_options *o, const char *video_path,
                        const char *thumbnail_path, const yaa_youtube_metadata *md,
                        yaa_youtube_result *res, yaa_err *err);

/* The requests publish would send, as JSON (new reference in *out): token exchange (secrets
 * redacted), session start with headers and body, the chunk plan, thumbnails.set, and the
 * quota units. Validates the metadata and files like publish. */
int yaa_youtube_dry_run(const yaa_youtube_options *o, const char *video_path,
                        const char *thumbnail_path, const yaa_youtube_metadata *md, json_t **out,
                        yaa_err *err);

/* ---- connecting a channel's own account (connect.c, loopback.c) ------------------------ */

typedef struct yaa_youtube_auth {
    char state[64];          /* random, checked on the redirect */
    char code_verifier[100]; /* PKCE secret: kept until the code exchange, never logged */
    char auth_url[4096];     /* the consent screen to open in a browser */
} yaa_youtube_auth;

typedef struct yaa_youtube_tokens {
    char *refresh_token; /* secret; malloc'd */
    char *access_token;  /* secret; malloc'd */
} yaa_youtube_tokens;

typedef struct yaa_youtube_account {
    char channel_id[64]; /* UC... */
    char title[256];
} yaa_youtube_account;

/* Starts the installed-app flow with PKCE (S256): a fresh state and code verifier and the
 * consent URL for client_id (o->auth_url or Google's) redirecting to redirect_uri, asking for
 * offline access (a refresh token) with the youtube.upload and youtube.force-ssl scopes. */
int yaa_youtube_auth_begin(const yaa_youtube_options *o, const char *redirect_uri,
                           yaa_youtube_auth *out, yaa_err *err);
/* Exchanges the code from the redirect (with the same verifier and redirect_uri) for tokens;
 * free them with yaa_youtube_tokens_free (which wipes them). */
int yaa_youtube_auth_finish(const yaa_youtube_options *o, const char *code,
                            const char *code_verifier, const char *redirect_uri,
                            yaa_youtube_tokens *out, yaa_err *err);
void yaa_youtube_tokens_free(yaa_youtube_tokens *t);
/* channels.list?mine=true: the channel of the account that granted access. */
int yaa_youtube_channel_mine(const yaa_youtube_options *o, const char *access_token,
                             yaa_youtube_account *out, yaa_err *err);
/* 0 when acct owns expected (or expected is empty); YAA_EAUTH naming both ids otherwise. */
int yaa_youtube_check_owner(const yaa_youtube_account *acct, const char *expected, yaa_err *err);

/* The loopback redirect target of the CLI flow: 127.0.0.1 on a free port. */
typedef struct yaa_youtube_loopback {
    int fd;
    int port;
    char redirect_uri[64];    /* "http://127.0.0.1:PORT/" */
    bool (*cancel)(void *ud); /* optional: checked about once a second */
    void *cancel_ud;
} yaa_youtube_loopback;
int yaa_youtube_loopback_open(yaa_youtube_loopback *lb, yaa_err *err);
/* Waits (at most timeout_ms; <= 0 = 5 minutes) for the redirect carrying state; copies its
 * code. A refused consent is YAA_EAUTH; other requests are answered and ignored. */
int yaa_youtube_loopback_wait(yaa_youtube_loopback *lb, const char *state, long timeout_ms,
                              char *code, size_t code_n, yaa_err *err);
void yaa_youtube_loopback_close(yaa_youtube_loopback *lb);

/* ---- chapters (chapters.c) ------------------------------------------------------------ */

/* Appends the chapter lines ("0:00 Title\n" ...) for sections starting at starts[i] seconds
 * (the measured timeline of the final video) to out, following YouTube's rules: the first
 * at 0:00, ascending, each at least 10 s (shorter sections merge into the one before, the
 * last must run 10 s before the end), at least three. Returns how many were written; 0
 * (nothing appended) when the rules cannot be met. */
int yaa_youtube_chapters(const double *starts, const char *const *titles, size_t n, double duration,
                         yaa_buf *out);
/* description with its chapter lines (lines starting "m:ss " or "h:mm:ss ") replaced by
 * chapters, in place of the first one or appended after a blank line; chapters "" or NULL
 * removes them. Appends to out. */
int yaa_youtube_description_chapters(const char *description, const char *chapters, yaa_buf *out);

/* ---- glue for the publisher agent (glue.c) ---------------------------------------------- */

/* Fills the credentials (YOUTUBE_CLIENT_ID/SECRET/REFRESH_TOKEN) and the endpoints
 * (YOUTUBE_TOKEN_URL, YOUTUBE_API_BASE_URL, YOUTUBE_AUTH_URL; unset = Google's; tests point
 * them at a double) from cfg where o does not have them yet (a channel's own refresh token
 * stays). Returns true when all three credentials are set (else the publisher does a dry
 * run). */
bool yaa_youtube_options_from_config(const yaa_config *cfg, yaa_youtube_options *o);
/* Metadata from metadata.json ({title, description, tags[], category_id, privacy?,
 * made_for_kids?, language?, publish_at?, playlist_id?, captions_path?}), validated; strings borrow
 * from meta; free md->tags with free() (also after an error). */
int yaa_youtube_metadata_from_json(const json_t *meta, yaa_youtube_metadata *md, yaa_err *err);
/* What publish.json records after an upload: {"dry_run":false,"video_id","url","privacy",
 * "upload_status","thumbnail_set","thumbnail_error","resumes"} (new reference). */
json_t *yaa_youtube_result_json(const yaa_youtube_result *r);

/* The publisher stage in one call. With the three credentials in cfg and !dry_run: uploads
 * video + thumbnail with the metadata of metadata.json and returns the publish.json record
 * (yaa_youtube_result_json). Otherwise returns the dry-run record (yaa_youtube_dry_run plus
 * "reason"). base may carry cancel/on_session/resume_url/progress (NULL = none). */
int yaa_youtube_publish_stage(const yaa_config *cfg, const char *video_path,
                              const char *thumbnail_path, const json_t *meta, bool dry_run,
                              const yaa_youtube_options *base, json_t **record, yaa_err *err);

/* Maps a failed YouTube/OAuth reply to an error code and a clear message (exposed for
 * tests and the publisher agent). */
int yaa_youtube_map_error(const yaa_http_reply *r, const char *what, yaa_err *err);

#endif
