/* media.h - yaa's local media: speech (espeak-ng / ElevenLabs), cards and thumbnails
 * (cairo + pango / OpenAI images), subtitles (SRT from measured audio) and the video
 * (one FFmpeg filtergraph). The agents media_generator and media_editor call:
 *
 *   yaa_media_env env;  yaa_media_env_from_config(&env, cfg);   // providers, knobs, hooks
 *   yaa_media_generate(&env, &gen_request, &gen_result, &err);  // audio/, images/, thumbnail,
 *                                                               // subtitles.srt (parallel)
 *   yaa_media_compose(&env, &compose_request, &compose_result, &err);  // video.mp4
 *
 * The lower-level calls (one TTS segment, one card, the SRT writer, ffprobe) are public too.
 * Every call returns 0 or a negative YAA_E* code with err filled. Nothing here keeps state
 * between calls except the espeak-ng engine (serialised by a mutex) and the process-wide
 * render semaphore. */
#ifndef YAA_MEDIA_H
#define YAA_MEDIA_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- hooks ---------------------------------------------------------------------------- */

/* Usage: every TTS segment (units = characters, provider "espeak" or "elevenlabs") and every
 * hosted picture (units = images, provider "openai") is reported once. With env->on_usage set,
 * to that callback (the agents wire it to usage_events); otherwise through net's process-wide
 * hook (net/usage.h: yaa_net_usage_report) with env->usage_ctx as the call context, kind
 * YAA_USAGE_TTS / YAA_USAGE_IMAGE and cost_usd -1 (espeak: 0). Failed hosted calls are
 * reported too, with units 0 and error set. Cards are free and not reported. */
typedef struct yaa_media_usage {
    const char *kind;     /* "tts" | "image" */
    const char *provider; /* "espeak" | "flite" | "elevenlabs" | "openai" | "openai-compatible" */
    const char *model;    /* "espeak-ng", "eleven_multilingual_v2", "dall-e-3" */
    long units;           /* characters (tts) or images */
    double latency_ms;    /* hosted calls */
    const char *error;    /* NULL = ok; else a secret-free message (units 0) */
    bool local;           /* a local engine: costs nothing */
} yaa_media_usage;
typedef void (*yaa_media_usage_fn)(void *ud, const yaa_media_usage *u);

/* Return true to stop: checked between jobs and several times a second while FFmpeg runs
 * (the ffmpeg process is killed). The call then returns YAA_ECANCELLED. */
typedef bool (*yaa_media_cancel_fn)(void *ud);

/* Progress: what ("tts", "card", "thumbnail", "render") and a fraction 0..1 of this call.
 * During yaa_media_generate the cancel and progress hooks run on worker threads, one call at
 * a time (serialised by a mutex). */
typedef void (*yaa_media_progress_fn)(void *ud, const char *what, double fraction);

/* ---- environment: providers, knobs, hooks ------------------------------------------------ */

typedef struct yaa_media_env {
    /* "espeak" (default: the local voices - Flite for English, cmu_us_rms unless the voice
     * names slt or awb; espeak-ng for other languages) | "elevenlabs" | "openai" |
     * "openai-compatible" */
    const char *tts_provider;
    const char *image_provider; /* "cards" (default) | "openai" | "openai-compatible" */
    const char *elevenlabs_api_key;
    const char *elevenlabs_base_url; /* default https://api.elevenlabs.io */
    const char *elevenlabs_model;    /* default eleven_multilingual_v2 */
    const char *tts_base_url;        /* openai-compatible: the server (".../v1" accepted) */
    const char *tts_model;           /* openai / openai-compatible; default gpt-4o-mini-tts */
    const char *tts_voice;           /* openai voice (default alloy), or the local English voice:
                                      * "rms" (Flite, default), "slt", "awb" | "espeak-ng" */
    const char *openai_api_key;
    const char *openai_base_url; /* default https://api.openai.com (a "/v1" suffix is accepted) */
    const char *openai_image_model; /* default dall-e-3 */
    long http_timeout_ms;           /* default 120000 */
    const char *image_base_url;     /* IMAGE_PROVIDER=openai-compatible: the server */
    /* Stock footage and photos (visuals.c); a source without a key is skipped. */
    const char *pexels_api_key, *pexels_base_url;   /* default https://api.pexels.com */
    const char *pixabay_api_key, *pixabay_base_url; /* default https://pixabay.com */
    const char *stock_cache_dir;                    /* default ./data/stock */
    long stock_cache_mb;                            /* default 2048 */
    long stock_timeout_ms;                          /* one search or download; default 60000 */

    int workers;             /* TTS + card threads in yaa_media_generate; default 2, max 16 */
    const char *ffmpeg;      /* default "ffmpeg" (PATH) */
    const char *ffprobe;     /* default "ffprobe" */
    const char *x264_preset; /* default "veryfast"; tests use "ultrafast" */
    int crf;                 /* default 23 */
    int fps;                 /* 0 = the footage's own rate (24-30), 25 without footage */
    int ffmpeg_threads;      /* -threads for the encoder; default 2 */
    long render_timeout_sec; /* kill FFmpeg past this; default 1800 */
    long render_mem_mb; /* RLIMIT_AS of ffmpeg in MiB; 0 = max(4096, 1024 + 64/section), <0 none */

    yaa_media_usage_fn on_usage; /* may be called from worker threads, one call at a time */
    void *usage_ud;
    void *usage_ctx; /* without on_usage: passed to yaa_net_usage_report (run id, agent...) */
    yaa_media_cancel_fn should_cancel;
    void *cancel_ud;
    yaa_media_progress_fn on_progress;
    void *progress_ud;
    /* Something the run's events should say (a hosted voice failed and the local voice spoke
     * instead); may be NULL. Called one at a time. */
    void (*on_notice)(void *ud, const char *msg);
    void *notice_ud;
} yaa_media_env;

/* Zeroes env and fills providers, keys and knobs from cfg (TTS_PROVIDER, IMAGE_PROVIDER,
 * ELEVENLABS_API_KEY, ELEVENLABS_BASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_IMAGE_MODEL,
 * YAA_MEDIA_PRESET, YAA_MEDIA_FPS, YAA_MEDIA_THREADS, YAA_MEDIA_WORKERS, and
 * YAA_MEDIA_MAX_RENDERS, applied process-wide). cfg may be NULL (every default). The strings
 * stay owned by cfg. */
void yaa_media_env_from_config(yaa_media_env *env, const yaa_config *cfg);

/* Caps concurrent FFmpeg renders in this process (default: max(1, ncpu / 2)). */
void yaa_media_set_max_renders(int n);

/* ---- speech ------------------------------------------------------------------------------- */

typedef struct yaa_voice {
    const char *language; /* "ko", "en", "en-us", ...; NULL = "en" */
    double rate;  /* voice_design.speech_rate_factor (the channel schema maps the words): 1.0
                   * normal, 0.5..2.0 (0 = 1.0) */
    double pitch; /* pitch offset in steps, -10..+10, 0 = voice default */
    const char *elevenlabs_voice_id;
    const char *name; /* the channel's voice (voice_design.voice): overrides env->tts_voice */
    double trailing_pause_sec; /* silence appended to each segment; default 0.3, <0 = none */
} yaa_voice;

/* Synthesizes text to a 16-bit mono WAV at wav_path with the env's TTS provider; *duration
 * gets the exact length from the samples written. Reports usage (characters).
 * Hosted calls are retried on 429/5xx/network errors (Retry-After honoured). */
int yaa_media_tts_synthesize(const yaa_media_env *env, const yaa_voice *voice, const char *text,
                             const char *wav_path, double *duration, yaa_err *err);

/* WAV helpers: duration of a PCM WAV (from its data chunk), and a mono 16-bit writer. */
int yaa_media_wav_duration(const char *path, double *duration, yaa_err *err);
int yaa_media_wav_write(const char *path, const short *samples, size_t n, int sample_rate,
                        yaa_err *err);

/* ---- cards and thumbnails ---------------------------------------------------------------- */

typedef struct yaa_brand_look {
    const char *const *palette; /* "#rrggbb" list; [0] background, [1] accent, [2] text */
    size_t npalette;
    const char *font_preference; /* family name(s), comma-separated; may be NULL */
    const char *brand_name;
    /* visual_identity.thumbnail_style, free text; the words the thumbnail follows are listed in
     * docs/MEDIA.md ("dark", "light", "bold", "minimal", "left", "centre", colours...). NULL or
     * no known word = the default layout. */
    const char *thumbnail_style;
} yaa_brand_look;

typedef struct yaa_card {
    int number;                 /* section number shown on the card; 0 = none */
    int total;                  /* sections in the video, shown as "n / total" when > 0 */
    const char *heading;        /* big line */
    const char *key_line;       /* on-screen text */
    const char *background_png; /* optional picture drawn under the text (e.g. OpenAI image) */
    bool *overflow; /* optional out: set true when heading or key line did not fit its box at the
                       smallest size (pango ellipsized it or its extents pass the box) */
    /* also write the card's two layers beside it (X.png -> X.plain.png without the heading and
     * key line, X.text.png with only them, transparent around): the video fades and slides
     * that text in over the card's first half second (compose_video.c) */
    bool layers;
} yaa_card;

/* Draws one card as PNG, 1920x1080 (or 1080x1920 when vertical). */
int yaa_media_card_render(const yaa_brand_look *look, const yaa_card *card, bool vertical,
                          const char *png_path, yaa_err *err);
/* Draws the 1280x720 thumbnail: title big, brand name, optional background picture.
 * *overflow (optional) is set true when the title did not fit (ellipsized by pango). */
int yaa_media_thumbnail_render(const yaa_brand_look *look, const char *title,
                               const char *background_png, const char *png_path, bool *overflow,
                               yaa_err *err);

/* The contrast ratio (WCAG, 1..21) of the text colour cards and lower thirds use against the
 * box/background they draw it on, for the quality report (>= 4.5 by construction). */
double yaa_media_brand_contrast(const yaa_brand_look *look);

/* A lower third: an RGBA strip (transparent around it) holding heading and line in the brand
 * palette, text contrast >= 4.5:1 against its box; at most width x (height/4). The width of a
 * Short's topic banner is the frame's less margins. *overflow (optional) is set true when a
 * line was shortened to fit (60/90 characters) or pango ellipsized it. */
int yaa_media_lower_third_render(const yaa_brand_look *look, const char *heading, const char *line,
                                 int width, const char *png_path, bool *overflow, yaa_err *err);

/* A Short's topic banner: the topic as a lower third width wide, shortened at phrase
 * boundaries (never inside a word) until it fits two lines without pango ellipsizing it.
 * *shown (optional, malloc'd) gets the text drawn; *overflow (optional) is set true when that
 * is not the whole topic (its " | tail" aside) or still did not fit. */
int yaa_media_banner_render(const yaa_brand_look *look, const char *topic, int width,
                            const char *png_path, char **shown, bool *overflow, yaa_err *err);

/* Shortens text to at most max_chars characters (code points) at a phrase boundary - after
 * punctuation, else between words - never inside a word; a " | tail" is dropped first.
 * Returns a malloc'd string (the text itself when it fits). */
char *yaa_media_text_shorten(const char *text, size_t max_chars);
/* True when shown (from yaa_media_text_shorten or yaa_media_text_hook) lost content of text beyond
 * its " | tail" and surrounding spaces: the on-screen text was shortened to fit. */
bool yaa_media_text_was_cut(const char *text, const char *shown);
/* At most max_words words of text (after the " | tail" is dropped), for thumbnail hooks. */
char *yaa_media_text_hook(const char *text, size_t max_words);

/* The font family that will draw every character of text: the first of the chain
 * (font_preference..., "Noto Sans CJK KR", "Noto Sans", "DejaVu Sans") installed and holding
 * all its glyphs per fontconfig. Writes the family to out. Returns 0, or YAA_ENOTFOUND when
 * no font holds them all (out then holds the best fallback). */
int yaa_media_font_pick(const char *font_preference, const char *text, char *out, size_t n);

/* Lays text out with pango in family and returns the unknown-glyph count (boxes). */
int yaa_media_font_unknown_glyphs(const char *family, const char *text);

/* Generates one picture with the env's image provider "openai" (PNG at png_path). With the
 * "cards" provider it returns YAA_ENOTFOUND (cards need no picture). */
int yaa_media_image_generate(const yaa_media_env *env, const char *prompt, bool vertical,
                             const char *png_path, yaa_err *err);

/* ---- subtitles ---------------------------------------------------------------------------- */

typedef struct yaa_srt_cue {
    long start_ms;
    long end_ms;
    char *text; /* one or two lines joined by '\n' */
} yaa_srt_cue;

typedef struct yaa_srt {
    yaa_srt_cue *cues;
    size_t n;
} yaa_srt;

/* Splits each segment's narration into readable cues (sentences, then clauses, at most two
 * lines of ~42 Latin / ~20 Hangul characters) timed in proportion to characters inside the
 * segment's measured duration. Cues are monotonic, contiguous and cover [0, sum(durations)].
 * Empty narrations get no cue; the cue before them stays up through their time. */
int yaa_media_srt_build(const char *const *narrations, const double *durations, size_t n,
                        yaa_srt *out, yaa_err *err);
int yaa_media_srt_write(const yaa_srt *srt, const char *path, yaa_err *err);
void yaa_media_srt_free(yaa_srt *srt);

/* ---- the media_generator stage ------------------------------------------------------------ */

/* One shot of the picture track. Every shot moves: footage plays (trimmed, cropped and scaled
 * to fill the frame, looped when shorter than its shot), stills and cards pan slowly across a
 * slightly enlarged copy (Ken Burns, direction varying shot to shot), and an optional overlay
 * (a lower third) slides in over the first 0.6 s. */
typedef enum yaa_shot_kind {
    YAA_SHOT_CARD = 0, /* a card drawn at the output size */
    YAA_SHOT_PHOTO,    /* any still picture: fitted to fill (cropped, never letterboxed) */
    YAA_SHOT_FOOTAGE,  /* a video clip (its sound is not used) */
} yaa_shot_kind;

typedef struct yaa_shot {
    yaa_shot_kind kind;
    const char *path;
    double duration;         /* seconds on screen (scaled so the shots fill the narration) */
    double clip_start;       /* footage: seconds into the clip to start from */
    const char *overlay_png; /* RGBA picture drawn over the shot (yaa_media_lower_third_render) */
    double fps;              /* footage: its frame rate (yaa_visual.fps); 0 = probe it if needed */
} yaa_shot;

/* One section's picture, as the shot plan takes it. */
typedef struct yaa_shot_section {
    yaa_shot_kind kind;      /* what path shows; a missing or unreadable file falls back to card */
    const char *path;        /* the footage, photo or card shown */
    const char *card;        /* the section's card (the fallback, and the closing shot) */
    double duration;         /* the section's narration, seconds */
    const char *lower_third; /* drawn over footage and photos; NULL = none */
    double fps;              /* footage: its frame rate; 0 = unknown */
} yaa_shot_section;

/* The picture track a run renders (shot_plan.c): title_card (when readable) over the first
 * min(3 s, 40 %) of the first section, each section's picture for the rest of its narration,
 * and the last section's card over its last min(4 s, 40 %) when that section shows footage or
 * a photo. shots must hold n + 2; returns how many were written. */
size_t yaa_media_shot_plan(const yaa_shot_section *sec, size_t n, const char *title_card,
                           yaa_shot *shots);

typedef struct yaa_media_section {
    const char *heading;
    const char *narration;           /* spoken */
    const char *on_screen_text;      /* key line on the card */
    const char *visual_notes;        /* prompt for the image provider, and a stock query */
    const char *const *search_terms; /* short stock-footage queries, best first */
    size_t nsearch_terms;
} yaa_media_section;

/* Where a section's picture came from (visuals.c), credited in the description. */
typedef struct yaa_visual {
    yaa_shot_kind kind; /* FOOTAGE or PHOTO; CARD when nothing else was found */
    char *path;         /* the file shown (the card's PNG for a card) */
    char *poster;       /* a decoded frame as PNG (thumbnail background), or NULL */
    char *lower_third;  /* RGBA PNG drawn over footage/photos (heading + key line), or NULL */
    bool text_overflow; /* the shown text (card or lower third) was shortened or did not fit */
    char *source;       /* "library" | "pexels" | "pixabay" | "openai" | "openai-compatible" |
                           "card" */
    char *id, *author, *author_url, *page_url, *query; /* stock: the credit; NULL otherwise */
    double fps; /* footage: frames a second of the clip (0 if unknown) */
} yaa_visual;

typedef struct yaa_media_gen_request {
    const char *out_dir; /* writes audio/NN.wav, images/NN.png, thumbnail.png, subtitles.srt,
                          * words.json, captions.ass */
    const yaa_media_section *sections;
    size_t nsections;
    const char *title; /* thumbnail */
    yaa_voice voice;
    yaa_brand_look look;
    bool short_video;           /* 1080x1920 cards */
    const char *media_dir;      /* the channel's own clips and photos (+ media.yaml); NULL none */
    const char *thumbnail_hook; /* <= 5 words over the thumbnail; NULL = shortened title */
} yaa_media_gen_request;

typedef struct yaa_media_gen_result {
    size_t n;
    char **audio_paths; /* n entries, absolute or as given under out_dir */
    char **image_paths;
    double *durations; /* seconds, measured from the samples */
    double total_sec;
    char *thumbnail_path;
    char *srt_path;
    char *words_path;    /* words.json: every spoken word with its start and end */
    char *ass_path;      /* captions.ass: the current word highlighted (audio.h) */
    yaa_visual *visuals; /* n entries: each section's picture and its source */
    char *title_card;    /* the opening title card (PNG) */
    bool *card_overflow; /* n entries: section card text shortened or did not fit its box */
    bool title_overflow, thumbnail_overflow; /* same for the title card and thumbnail hook */
    char **notes; /* sources that failed and were skipped, for the run's events */
    size_t nnotes;
} yaa_media_gen_result;

/* Segments are numbered from 01. TTS runs on one thread (espeak-ng is not thread-safe) while
 * cards render on the others; bounded by env->workers. */
int yaa_media_generate(const yaa_media_env *env, const yaa_media_gen_request *req,
                       yaa_media_gen_result *res, yaa_err *err);
void yaa_media_gen_result_free(yaa_media_gen_result *res);

/* ---- the media_editor stage --------------------------------------------------------------- */

typedef struct yaa_compose_request {
    const char *out_path; /* the MP4 */
    const char *const *images;
    const char *const *audio;
    const double *durations; /* per segment, from yaa_media_generate */
    size_t n;
    const char *srt_path;       /* NULL = no subtitles */
    const char *subtitle_style; /* "default" | "bold" | "minimal" (burned) | "soft" | "none" */
    const char *subtitle_font;  /* burned-in font family; NULL = picked from the SRT text */
    const char *bgm_path;       /* NULL = none */
    double bgm_volume;          /* 0..1 (0 = 0.15) */
    /* The premixed, loudness-normalised track for the whole narration timeline (audio.h:
     * yaa_media_audio_mix). When set, audio[] and bgm_* are not mixed again: this is the sound. */
    const char *audio_track;
    /* Word-highlighted captions (audio.h: yaa_media_captions_write_ass), PlayRes = the video size:
     * burned as they are (no force_style) when set and subtitle_style is not soft/none. */
    const char *captions_ass;
    const char *intro_path; /* clips played before/after; NULL or "" = none */
    const char *outro_path;
    bool short_video;     /* 1080x1920 */
    double crossfade_sec; /* between shots; 0 = 0.5, <0 = cut */
    /* The stage attempt rendering (run_stages.attempt): a stale attempt never replaces the
     * file of a newer one. 0 = no fencing (one-off renders, tests). */
    int attempt;
    /* The picture track. NULL: one card shot per segment (images[i] for durations[i]). */
    const yaa_shot *shots;
    size_t nshots;
    const char *transitions; /* comma-separated xfade names used in turn; NULL = a varied set */
    const char *banner_png;  /* RGBA banner over the whole video (a Short's topic), or NULL */
} yaa_compose_request;

typedef struct yaa_compose_result {
    double duration_sec; /* of the output, from ffprobe */
    double render_sec;   /* wall time of the FFmpeg run */
    double cpu_sec;      /* CPU time (user + system) of the FFmpeg run */
    long max_rss_mb;     /* peak resident memory of the FFmpeg process */
    int fps;             /* the output's frame rate (env.fps, or the footage's when that is 0) */
} yaa_compose_result;

int yaa_media_compose(const yaa_media_env *env, const yaa_compose_request *req,
                      yaa_compose_result *res, yaa_err *err);

/* Kills the process group of every child (ffmpeg) this process is running now; safe to call
 * from a signal handler. Returns how many groups were signalled. */
int yaa_media_kill_children(void);
/* Removes temporary files (partial renders, subtitle copies, *.tmp.PID) that processes which
 * are gone left in the run folders under output_dir; returns how many. */
int yaa_media_sweep_temp(const char *output_dir);

/* ---- probing ---------------------------------------------------------------------------- */

typedef struct yaa_media_probe_info {
    double duration;
    int video_streams, audio_streams, subtitle_streams;
    char video_codec[32], audio_codec[32];
    int width, height;
    double fps; /* the first video stream's average frame rate (0 if unknown) */
} yaa_media_probe_info;

int yaa_media_probe(const yaa_media_env *env, const char *path, yaa_media_probe_info *out,
                    yaa_err *err);

#endif
