/* audio.h - the sound and timing side of a video: word timings (words.json), captions built
 * from them (SRT, and ASS with the current word highlighted), the one premixed track
 * normalised to YouTube's loudness, and the quality report (quality.json).
 *
 *   media_generator:  yaa_media_generate() speaks each section and fills res->words (every
 *                     word with its time on the narration timeline), then writes
 *                     words.json, subtitles.srt and captions.ass (yaa_media_captions_write_all).
 *   media_editor:     yaa_media_audio_mix() -> audio/mix.wav (narration + ducked music + effects,
 *                     two-pass loudnorm to -14 LUFS / -1 dBTP), passed to compose as
 *                     yaa_compose_request.audio_track; compose burns captions_ass for Shorts.
 *   after the video:  yaa_media_quality_check() -> quality.json (also `yaa check <run dir>`).
 *
 * Times are seconds. The narration timeline starts at the first sample of section 1; the
 * final video adds the intro clip's length (words.json records it as narration_offset_sec). */
#ifndef YAA_MEDIA_AUDIO_H
#define YAA_MEDIA_AUDIO_H

#include "core/err.h"
#include "media/media.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- words ------------------------------------------------------------------------------ */

typedef struct yaa_word {
    char *text;   /* as written in the narration, punctuation kept */
    double start; /* seconds on the narration timeline */
    double end;
    int section; /* 0-based section */
} yaa_word;

typedef struct yaa_words {
    yaa_word *w;
    size_t n, cap;
    double offset_sec; /* narration start in the final video (intro length) */
    double total_sec;  /* the narration's length: no cue outlasts it (0 = unknown) */
} yaa_words;

/* Where an engine says a word starts: the byte offset in the spoken text and its time.
 * end < 0 = unknown (taken from the next mark or the measured end of speech). */
typedef struct yaa_word_mark {
    size_t offset;
    double start, end;
} yaa_word_mark;

/* Splits text into words (whitespace-separated; Hangul eojeol alike) and times each one:
 * a word gets the marks whose offsets fall inside it; words without marks are spread over
 * the gap around them by syllable count. With no marks at all the words are spread over
 * [speech_start, speech_end] by syllable count. shift is added to every time (the section's
 * start on the narration timeline). Appends to out. */
int yaa_media_words_align(const char *text, const yaa_word_mark *marks, size_t nmarks,
                          double speech_start, double speech_end, int section, double shift,
                          yaa_words *out, yaa_err *err);
/* Syllables in one word: vowel groups for Latin script, one per Hangul/CJK character. */
int yaa_media_words_syllables(const char *word);
int yaa_media_words_write_json(const yaa_words *w, const char *provider, const char *path,
                               yaa_err *err);
int yaa_media_words_read_json(const char *path, yaa_words *out, yaa_err *err);
void yaa_media_words_free(yaa_words *w);

/* ---- speech with timings -------------------------------------------------------------- */

typedef struct yaa_tts_result {
    double duration;                 /* of the WAV written (samples), pause included */
    double speech_start, speech_end; /* first and last sound in it */
    yaa_word_mark *marks;            /* the engine's word timings (NULL: it gives none) */
    size_t nmarks;
    const char *provider; /* who spoke: "flite", "espeak", "elevenlabs", "openai", ... */
    double trimmed_sec;   /* silence cut from the start (engine times minus this) */
} yaa_tts_result;

/* Speaks text into wav_path with env's TTS provider like yaa_media_tts_synthesize, trimming the
 * silence around the speech to 50 ms before and the voice's pause after, and returns what is
 * known about the timing. Free with yaa_media_tts_result_free. */
int yaa_media_tts_speak(const yaa_media_env *env, const yaa_voice *voice, const char *text,
                        const char *wav_path, yaa_tts_result *out, yaa_err *err);
/* The local voice whatever the provider: Flite for English (cmu_us_rms, or the voice named
 * "slt" / "awb"; "espeak-ng" asks for espeak-ng), espeak-ng for the rest. What a failed hosted
 * voice falls back to. */
int yaa_media_tts_speak_local(const yaa_media_env *env, const yaa_voice *voice, const char *text,
                              const char *wav_path, yaa_tts_result *out, yaa_err *err);
void yaa_media_tts_result_free(yaa_tts_result *r);

/* ---- captions --------------------------------------------------------------------------- */

typedef struct yaa_caption_style {
    bool vertical;      /* 1080x1920: centred, large, clear of the Shorts UI */
    const char *font;   /* family; NULL = picked to hold every glyph of the words */
    const char *text;   /* "#rrggbb" words; NULL = white */
    const char *accent; /* "#rrggbb" the current word; NULL = yellow */
} yaa_caption_style;

/* Groups words into cues (a sentence or clause, at most two lines of ~42 Latin / ~20 Hangul
 * characters): a cue starts with its first word and ends with its last (held up to 0.6 s
 * longer when the next cue starts later, never overlapping it). style->vertical: the shorter
 * lines of a Short (~18 Latin / ~9 Hangul characters). */
int yaa_media_captions_build(const yaa_words *words, const yaa_caption_style *style, yaa_srt *out,
                             yaa_err *err);

/* An ASS file (PlayRes = the video size) with one event per word: the cue's text with the
 * word being spoken in the accent colour. Times are on the narration timeline. */
int yaa_media_captions_write_ass(const yaa_words *words, const yaa_srt *cues,
                                 const yaa_caption_style *style, const char *path, yaa_err *err);

/* words.json, subtitles.srt and captions.ass under dir from words (the generator's step). */
int yaa_media_captions_write_all(const yaa_words *words, const char *provider,
                                 const yaa_caption_style *style, const char *dir, yaa_err *err);

/* ---- the mix ------------------------------------------------------------------------------ */

typedef struct yaa_mix_effect {
    const char *path;
    double at_sec; /* on the narration timeline */
    double volume; /* 0..1 (0 = 0.5) */
} yaa_mix_effect;

typedef struct yaa_mix_request {
    const char *out_path;         /* WAV, 48 kHz stereo 16-bit */
    const char *const *narration; /* one WAV per section, played back to back */
    const double *durations;      /* their measured lengths */
    size_t n;
    const char *const *music; /* played one after another, looped to length */
    size_t nmusic;
    double music_volume; /* under speech, 0..1 (0 = 0.15) */
    const yaa_mix_effect *effects;
    size_t neffects;
    double target_lufs; /* 0 = -14 */
    double target_tp;   /* 0 = -2 (the AAC encode adds up to a few tenths; YouTube: -1) */
} yaa_mix_request;

typedef struct yaa_mix_result {
    double duration_sec;
    double input_lufs;  /* before normalisation */
    double output_lufs; /* measured on the written file */
    double output_tp;
} yaa_mix_result;

/* Narration + music (ducked under speech with a sidechain compressor) + effects, then
 * measured and normalised (loudnorm, two passes: measure, then apply with the measured
 * values, linear when the true-peak headroom allows). */
int yaa_media_audio_mix(const yaa_media_env *env, const yaa_mix_request *req, yaa_mix_result *res,
                        yaa_err *err);

typedef struct yaa_loudness {
    double integrated_lufs; /* -70 for silence */
    double true_peak_dbtp;
    double lra;
} yaa_loudness;

/* EBU R128 measurement (ffmpeg's ebur128 filter, true peak on) of a file's first audio
 * stream. */
int yaa_media_audio_loudness(const yaa_media_env *env, const char *path, yaa_loudness *out,
                             yaa_err *err);

/* ---- quality report ----------------------------------------------------------------------- */

typedef struct yaa_quality {
    bool ok;    /* every check passed */
    int failed; /* checks that failed */
    double lufs, true_peak;
    double longest_still_sec;
    double caption_coverage; /* 0..1 of spoken word time covered by a cue */
    int caption_overlaps;
} yaa_quality;

/* Computes quality.json for a run folder (video.mp4, words.json, subtitles.srt,
 * media.json, metadata.json - whichever exist) and writes it to run_dir/quality.json.
 * Missing files make their checks "skipped", never an error; a missing video is an error. */
int yaa_media_quality_check(const yaa_media_env *env, const char *run_dir, yaa_quality *out,
                            yaa_err *err);

/* Recomputes only the metadata part of run_dir/quality.json and its verdict ("failed", "ok"),
 * without touching the video: the run's metadata as a viewer gets it (publish.json's uploaded
 * "metadata" once published, else metadata.json) against YouTube's limits. Every writer of a
 * run's metadata calls it after writing (the SEO stage, media_generator's credits, a
 * reviewer's PATCH, the publisher). No quality.json yet (before the video) is not an error:
 * nothing is written. */
int yaa_media_quality_metadata_refresh(const char *run_dir, yaa_err *err);

#endif
