/* media_internal.h - helpers shared by the media sources (not part of the public API). */
#ifndef YAA_MEDIA_INTERNAL_H
#define YAA_MEDIA_INTERNAL_H

#include "core/buf.h"
#include "core/err.h"
#include "media/media.h"

#include <stdint.h>

/* Sample rate of every WAV yaa writes (espeak-ng's native rate; ElevenLabs is resampled). */
#define YAA_MEDIA_RATE 22050

/* audio_mix.c: the values of the summary FFmpeg's ebur128 filter logs (silence: -70 LUFS,
 * -99 dBTP); YAA_EPARSE when there is none. */
struct yaa_loudness;
int yaa_media__r128_summary(const char *log, struct yaa_loudness *out);

/* wav.c: the samples of a 16-bit mono PCM WAV (caller frees *samples). */
int yaa_media__wav_read(const char *path, short **samples, size_t *n, int *rate, yaa_err *err);

/* env with defaults applied (env may be NULL). */
void yaa_media__env_defaults(const yaa_media_env *env, yaa_media_env *out);
/* Reports one usage event through net's hook (kind YAA_USAGE_*; error NULL = ok). */
void yaa_media__usage(const yaa_media_env *env, int kind, const char *provider, const char *model,
                      long units, double latency_ms, const char *error);
bool yaa_media__cancelled(const yaa_media_env *env);
/* A local engine (espeak, flite, cards): reported at cost 0. */
bool yaa_media__local(const char *provider);
void yaa_media__progress(const yaa_media_env *env, const char *what, double fraction);

/* POSTs a JSON body through net (retries on 429/5xx/network errors, cancel honoured).
 * Returns 0 when a final response arrived: check rep->status. Caller frees rep. */
struct yaa_http_reply;
int yaa_media__http_post(const yaa_media_env *env, const char *url, const char *const *headers,
                         size_t nheaders, const char *body, struct yaa_http_reply *rep,
                         yaa_err *err);

/* Runs argv (no shell). With progress_total > 0, parses `-progress pipe:1` lines from
 * stdout and reports fraction out_time/progress_total. stderr's tail goes into err on failure.
 * Checks env->should_cancel while it runs (kills the process group) and the timeout. */
typedef struct yaa_media__proc_opts {
    const yaa_media_env *env;
    double progress_total;
    long timeout_sec;
    long mem_mb;                /* RLIMIT_AS; 0 = none */
    const char *mem_knob;       /* the setting that raises mem_mb, named when it is hit */
    const char *what;           /* "render", "decode", ... for messages */
    const char *cwd;            /* directory the child runs in; NULL = ours */
    yaa_buf *out;               /* optional: captures stdout instead of parsing progress */
    double *cpu_sec;            /* optional: user + system CPU seconds the process used */
    long *max_rss_kb;           /* optional: its peak resident memory */
    bool fail_on_stderr;        /* any stderr output (with -v error) is a failure even on exit 0 */
    yaa_buf *err_out;           /* optional: captures all of stderr (filters' reports: loudnorm) */
    const char *const *env_add; /* optional, NULL-ended "NAME=value": set for the child unless
                                   the environment already has NAME */
} yaa_media__proc_opts;
int yaa_media__run(char *const argv[], const yaa_media__proc_opts *opts, yaa_err *err);

/* Finishing an output file (finalize.c). Each attempt writes its own temporary file,
 * named for the host, the process and a counter (path.part-<host>-<pid>-<n>, core/host.h),
 * so two attempts never share one, even on an OUTPUT_DIR shared by hosts. Returns 0, or
 * YAA_ELIMIT when the name does not fit in n bytes. */
int yaa_media__part_path(const char *final_path, char *out, size_t n);
/* A stage attempt claims final_path: fails with YAA_ECONFLICT when a newer attempt already
 * did (the fence file .yaa-fence-<name> beside it). attempt <= 0 skips fencing. Also removes
 * temporary files of that folder left by processes that are gone. */
int yaa_media__fence_claim(const char *final_path, int attempt, yaa_err *err);
/* Checks that part decodes with no error (ffmpeg -v error -f null), then, under the fence
 * lock, renames it onto final_path unless a newer attempt claimed the file. part is removed
 * on every failure. */
int yaa_media__finalize(const yaa_media_env *env, const char *part, const char *final_path,
                        int attempt, yaa_err *err);

/* Next code point of UTF-8 s at *i (advances *i); invalid bytes give U+FFFD. */
uint32_t yaa_media__utf8_next(const char *s, size_t *i);
bool yaa_media__is_wide(uint32_t cp); /* Hangul, CJK, kana: counted as wide in subtitle lines */

/* srt.c: code points in s[0..len); whether s holds wide characters; sentence-ending
 * punctuation; s broken into two balanced lines when wider than limit (caller frees). */
size_t yaa_media__text_width(const char *s, size_t len);
bool yaa_media__text_has_wide(const char *s);
bool yaa_media__sentence_end(uint32_t cp);
char *yaa_media__wrap_lines(const char *s, size_t limit);

/* A growing NULL-terminated argv for FFmpeg (argv.c); oom is set once an allocation fails
 * and every later add is ignored, so callers check it once before running. */
typedef struct yaa_media__argv {
    char **v;
    size_t n, cap;
    int oom;
} yaa_media__argv;
void yaa_media__argv_add(yaa_media__argv *a, const char *s);
void yaa_media__argv_addf(yaa_media__argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void yaa_media__argv_add_list(yaa_media__argv *a, const char *const *list); /* NULL-terminated */
/* "-threads 1 -i" + absolute path: every input of a render is decoded on one thread */
void yaa_media__argv_input(yaa_media__argv *a, const char *path);
void yaa_media__argv_free(yaa_media__argv *a);
/* Absolute form of p (FFmpeg runs in another directory); malloc'd, NULL on failure. */
char *yaa_media__abs_path(const char *p);

/* card.c: where the card png's layer ("plain" or "text") lies: X.png -> X.<layer>.png. */
void yaa_media__card_layer_path(const char *png, const char *layer, char *out, size_t n);
/* layer.c: a card's text layer saved as the box its text covers with the box's place in the
 * PNG's oFFs chunk (nothing drawn: no file); and that box {x, y, w, h} read back from the
 * file's header for a W x H frame (a layer of the frame's size: the whole frame). -1 when the
 * file is no such layer. */
struct _cairo_surface;
int yaa_media__layer_save(struct _cairo_surface *t, const char *path, yaa_err *err);
int yaa_media__layer_box(const char *png, int W, int H, int box[4]);

/* caption_pages.c: the word-highlighted captions of ass_path for a W x H frame, drawn by
 * libass once at each event edge into their band and written as an animated PNG in dir
 * (.yaa-subs-<host>-<pid>-<n>.png, one frame per change, lasting to past total seconds) for
 * the render to overlay. out->path is "" when no caption ever shows or when out->animated
 * (nothing written). */
typedef struct {
    char path[4096];
    int box[4];      /* x, y, w, h of the band on the frame (even) */
    unsigned frames; /* APNG frames written */
    bool animated;   /* an event moves, fades or sweeps: nothing written, burn with libass */
    double cpu_sec;  /* this thread's CPU spent making it (part of the render's cost) */
} yaa_media__caption_band;
int yaa_media__caption_band_write(const char *ass_path, int W, int H, double total, const char *dir,
                                  yaa_media__caption_band *out, yaa_err *err);

/* probe.c: duration (and whether it has sound) of an intro/outro clip; an error names what. */
int yaa_media__probe_clip(const yaa_media_env *env, const char *what, const char *path, double *dur,
                          bool *has_audio, yaa_err *err);

/* The audio format every filtergraph branch is converted to before mixing. */
#define YAA_MEDIA_AFMT "aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo"

/* compose_video.c: the picture track. Inputs first: each shot (footage trimmed to len[i]
 * seconds), then each overlay, then the layers of each card that has them (yaa_card.layers, at
 * the frame size W x H); in[i]/ovl[i]/lay[i] get their input indices (ovl/lay -1 = none; the
 * text layer is lay[i] + 1), box[4i..4i+3] the text layer's visible box. Returns the next free
 * input index. */
int yaa_media__compose_video_inputs(yaa_media__argv *a, const yaa_shot *shots, size_t n, int fps,
                                    int W, int H, const double *len, int first, int *in, int *ovl,
                                    int *lay, int *box);
typedef struct yaa_media__compose_video {
    const yaa_shot *shots;
    size_t n;
    const int *in, *ovl, *lay, *box; /* from yaa_media__compose_video_inputs */
    double total, fade;              /* seconds: the narration, the transitions */
    int W, H, fps;
    const char *transitions; /* comma-separated xfade names, NULL = a varied default set */
    int banner_in;           /* input of a banner over the whole track, -1 = none */
} yaa_media__compose_video;
/* The graph text for v, output label [vx]: the shots joined, without what goes over them. */
int yaa_media__compose_video_graph(yaa_buf *g, const yaa_media__compose_video *v, yaa_err *err);
/* What goes over the finished track, [in] -> [out]: the banner and each shot's lower third in
 * its time window. A blend into a frame that others still share (a decoder's reference, a
 * looped picture, a frame sync) copies the whole frame first; owned says a blend before this
 * (the burned captions) already made every frame the render's own, so these copy nothing;
 * otherwise only the lower thirds' own frames are blended, and copied. */
int yaa_media__compose_video_overlays(yaa_buf *g, const yaa_media__compose_video *v, const char *in,
                                      const char *out, bool owned, yaa_err *err);

/* compose_audio.c: the sound track. Narration segments at inputs first..first+n-1 back to
 * back, with BGM (input bgm_in, or -1 for none) at bgm_vol ducked under speech, lasting
 * total seconds; output [am]. */
int yaa_media__compose_audio_graph(yaa_buf *g, size_t first, size_t n, int bgm_in, double bgm_vol,
                                   double total, yaa_err *err);
/* The premixed track at input `input`, padded or cut to total seconds, as [am]. */
int yaa_media__compose_audio_track_graph(yaa_buf *g, int input, double total, yaa_err *err);

/* The render semaphore; acquiring returns YAA_ECANCELLED if env is cancelled while queued. */
int yaa_media__render_acquire(const yaa_media_env *env);
void yaa_media__render_release(void);

#endif
