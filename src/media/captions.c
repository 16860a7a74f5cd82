/* captions.c - captions from word timings: words are grouped into cues (a sentence or a
 * clause, at most two lines), written as SRT and as an ASS track in which the word being
 * spoken is drawn in the accent colour (burned into Shorts). */
#include "media/audio.h"
#include "media/media_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Line lengths in code points: a 16:9 subtitle line, and the large Shorts line. */
#define LINE_LATIN 42
#define LINE_WIDE 20
#define SHORT_LATIN 18
#define SHORT_WIDE 9
#define HOLD_SEC 0.6 /* a cue stays up this much past its last word when nothing follows */
#define GAP_SEC 1.0  /* a pause this long starts a new cue */

typedef struct unit { /* a word, or a piece of a word too long for one line */
    char *text;
    double start, end;
    int section;
} unit;

static size_t line_limit(const char *s, bool vertical) {
    bool wide = yaa_media__text_has_wide(s);
    return vertical ? (wide ? SHORT_WIDE : SHORT_LATIN) : (wide ? LINE_WIDE : LINE_LATIN);
}

/* The words as units: one longer than a line is cut into line-sized pieces whose times are
 * shared out by width. */
static unit *make_units(const yaa_words *w, bool vertical, size_t *nout) {
    size_t cap = w->n + 8, n = 0;
    unit *u = malloc(cap * sizeof *u);
    if (!u) return NULL;
    for (size_t i = 0; i < w->n; i++) {
        const yaa_word *x = &w->w[i];
        size_t len = strlen(x->text), width = yaa_media__text_width(x->text, len);
        size_t limit = line_limit(x->text, vertical);
        size_t pieces = width > limit ? (width + limit - 1) / limit : 1;
        size_t per = (width + pieces - 1) / pieces, b = 0;
        for (size_t p = 0; p < pieces; p++) {
            size_t b0 = b, cps = 0;
            while (b < len && (cps < per || p + 1 == pieces))
                yaa_media__utf8_next(x->text, &b), cps++;
            if (n == cap) {
                cap *= 2;
                unit *t = realloc(u, cap * sizeof *u);
                if (!t) goto oom;
                u = t;
            }
            double d = x->end - x->start;
            u[n].text = strndup(x->text + b0, b - b0);
            if (!u[n].text) goto oom;
            u[n].start = x->start + d * (double)b0 / (double)len;
            u[n].end = x->start + d * (double)b / (double)len;
            u[n].section = x->section;
            n++;
        }
    }
    *nout = n;
    return u;
oom:
    for (size_t k = 0; k < n; k++) free(u[k].text);
    free(u);
    return NULL;
}

static uint32_t last_cp(const char *s) {
    uint32_t c = 0;
    for (size_t i = 0; s[i];) {
        uint32_t k = yaa_media__utf8_next(s, &i);
        if (k != '"' && k != '\'' && k != ')' && k != ']' && k != 0x201D && k != 0x2019) c = k;
    }
    return c;
}

static bool clause_end(uint32_t c) {
    return c == ',' || c == ';' || c == ':' || c == 0xFF0C || c == 0x3001 || c == 0x2014;
}

static int cue_push(yaa_srt *o, size_t *cap, long a, long z, char *text) {
    if (o->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        yaa_srt_cue *t = realloc(o->cues, nc * sizeof *t);
        if (!t) return -1;
        o->cues = t;
        *cap = nc;
    }
    o->cues[o->n++] = (yaa_srt_cue){a, z, text};
    return 0;
}

static int build(const yaa_words *w, bool vertical, yaa_srt *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    size_t nu = 0, cap = 0;
    unit *u = make_units(w, vertical, &nu);
    if (!u) return yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
    int rc = 0;
    yaa_buf text;
    yaa_buf_init(&text, 0);
    for (size_t a = 0; a < nu && !rc;) {
        /* grow the cue word by word until a sentence ends, a line pair is full, the section
         * changes, or the speaker pauses */
        size_t limit = 2 * line_limit(u[a].text, vertical), width = 0, b = a;
        for (; b < nu; b++) {
            size_t uw = yaa_media__text_width(u[b].text, strlen(u[b].text));
            if (b > a) {
                uint32_t prev = last_cp(u[b - 1].text);
                if (u[b].section != u[a].section || yaa_media__sentence_end(prev) ||
                    u[b].start - u[b - 1].end >= GAP_SEC || width + 1 + uw > limit ||
                    (clause_end(prev) && width * 2 >= limit))
                    break;
                width++;
            }
            width += uw;
            if (b == a && uw > limit / 2) limit = 2 * line_limit(u[b].text, vertical);
        }
        text.len = 0;
        for (size_t k = a; k < b; k++) {
            if (k > a) yaa_buf_puts(&text, " ");
            yaa_buf_puts(&text, u[k].text);
        }
        char *wrapped = text.data ? yaa_media__wrap_lines(text.data, limit / 2) : NULL;
        /* held a little past the last word, never into the next cue or past the narration */
        double next = b < nu ? u[b].start : INFINITY;
        double last = w->total_sec > 0 ? fmax(w->total_sec, u[b - 1].end) : INFINITY;
        long st = lround(u[a].start * 1000);
        long en =
            lround(fmax(fmin(fmin(u[b - 1].end + HOLD_SEC, next), last), u[b - 1].end) * 1000);
        if (!wrapped || cue_push(out, &cap, st, en, wrapped)) {
            free(wrapped);
            rc = yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
        }
        a = b;
    }
    yaa_buf_free(&text);
    for (size_t k = 0; k < nu; k++) free(u[k].text);
    free(u);
    if (rc) yaa_media_srt_free(out);
    return rc;
}

int yaa_media_captions_build(const yaa_words *words, const yaa_caption_style *style, yaa_srt *out,
                             yaa_err *err) {
    return build(words, style && style->vertical, out, err);
}

/* Cues that span [0, total] without gaps (a cue stays up through pauses and silent
 * sections), each at least one millisecond long. */
static void make_contiguous(yaa_srt *s, double total) {
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k && s->cues[i].end_ms <= s->cues[k - 1].end_ms) { /* swallowed: join the text */
            char *j = NULL;
            if (asprintf(&j, "%s %s", s->cues[k - 1].text, s->cues[i].text) >= 0) {
                free(s->cues[k - 1].text);
                s->cues[k - 1].text = j;
            }
            free(s->cues[i].text);
            continue;
        }
        s->cues[k++] = s->cues[i];
    }
    s->n = k;
    for (size_t i = 1; i < s->n; i++) s->cues[i - 1].end_ms = s->cues[i].start_ms;
    if (s->n) {
        s->cues[0].start_ms = 0;
        s->cues[s->n - 1].end_ms = lround(total * 1000);
    }
}

int yaa_media_srt_build(const char *const *narrations, const double *durations, size_t n,
                        yaa_srt *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    yaa_words w = {0};
    double t0 = 0;
    int rc = 0;
    for (size_t s = 0; s < n && !rc; s++) {
        double d = durations[s] > 0 ? durations[s] : 0;
        rc = yaa_media_words_align(narrations[s] ? narrations[s] : "", NULL, 0, 0, d, (int)s, t0,
                                   &w, err);
        t0 += d;
    }
    if (!rc) rc = build(&w, false, out, err);
    yaa_media_words_free(&w);
    if (!rc) make_contiguous(out, t0);
    return rc;
}

/* ---- ASS ---- */

/* "#rrggbb" as ASS's &HAABBGGRR (alpha 00 = opaque); def when unreadable. */
static void ass_colour(const char *hex, const char *def, char out[16]) {
    unsigned r, g, b;
    if (hex && hex[0] == '#' && strlen(hex) == 7 && sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b) == 3)
        snprintf(out, 16, "&H00%02X%02X%02X", b, g, r);
    else
        snprintf(out, 16, "%s", def);
}

/* Text safe inside an ASS event: braces and backslashes would start override tags. */
static int ass_text(yaa_buf *b, const char *s, size_t len) {
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        char c = s[i];
        rc = c == '{'    ? yaa_buf_putc(b, '(')
             : c == '}'  ? yaa_buf_putc(b, ')')
             : c == '\\' ? yaa_buf_putc(b, '/')
             : c == '\n' ? yaa_buf_puts(b, "\\N")
                         : yaa_buf_putc(b, c);
    }
    return rc;
}

static void ass_time(char out[32], double sec) {
    long cs = lround(fmax(sec, 0) * 100);
    snprintf(out, 32, "%ld:%02ld:%02ld.%02ld", cs / 360000, (cs / 6000) % 60, (cs / 100) % 60,
             cs % 100);
}

/* One Dialogue line from a to z: text, with text[hl, hl + hl_len) in the accent colour
 * (hl_len 0 = nothing highlighted). */
static int ass_event(yaa_buf *b, double a, double z, const char *text, size_t hl, size_t hl_len,
                     const char *accent) {
    char ta[32], tz[32];
    ass_time(ta, a);
    ass_time(tz, z);
    int rc = yaa_buf_printf(b, "Dialogue: 0,%s,%s,Default,,0,0,0,,", ta, tz);
    if (!hl_len) {
        rc |= ass_text(b, text, strlen(text));
    } else {
        rc |= ass_text(b, text, hl);
        rc |= yaa_buf_printf(b, "{\\c%s}", accent);
        rc |= ass_text(b, text + hl, hl_len);
        rc |= yaa_buf_puts(b, "{\\r}");
        rc |= ass_text(b, text + hl + hl_len, strlen(text + hl + hl_len));
    }
    return rc | yaa_buf_putc(b, '\n');
}

/* Where word starts in the cue text from byte `from` on, treating a line break as a space. */
static const char *find_word(const char *text, size_t from, const char *word) {
    size_t wl = strlen(word), tl = strlen(text);
    for (size_t i = from; i + wl <= tl; i++) {
        size_t k = 0;
        while (k < wl && (text[i + k] == word[k] || (text[i + k] == '\n' && word[k] == ' '))) k++;
        if (k == wl) return text + i;
    }
    return NULL;
}

int yaa_media_captions_write_ass(const yaa_words *words, const yaa_srt *cues,
                                 const yaa_caption_style *style, const char *path, yaa_err *err) {
    yaa_caption_style d = {0};
    if (!style) style = &d;
    bool v = style->vertical;
    char font[128], fg[16], accent[16];
    yaa_buf all;
    yaa_buf_init(&all, 0);
    for (size_t i = 0; i < words->n; i++) {
        yaa_buf_puts(&all, words->w[i].text);
        yaa_buf_puts(&all, " ");
    }
    if (style->font && *style->font)
        snprintf(font, sizeof font, "%s", style->font);
    else
        yaa_media_font_pick(NULL, all.data ? all.data : "", font, sizeof font);
    yaa_buf_free(&all);
    for (char *c = font; *c; c++)
        if (*c == ',') *c = ' '; /* the Style line is comma-separated */
    ass_colour(style->text, "&H00FFFFFF", fg);
    ass_colour(style->accent, "&H0000E5FF", accent);
    yaa_buf b;
    yaa_buf_init(&b, 0);
    /* The outline alone keeps the text legible on any picture: no shadow, which would be one
     * more bitmap blended into every captioned frame.
     * Shorts: large, centred, the block's bottom at 70% of the height - clear of the title,
     * channel and buttons YouTube draws over the lower quarter and of the search bar at top.
     * 16:9: the usual subtitle place near the bottom. */
    yaa_buf_printf(&b,
                   "[Script Info]\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\n"
                   "WrapStyle: 0\nScaledBorderAndShadow: yes\n\n"
                   "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, "
                   "SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, "
                   "StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
                   "Alignment, MarginL, MarginR, MarginV, Encoding\n"
                   "Style: Default,%s,%d,%s,%s,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,%d,"
                   "%d,2,%d,%d,%d,1\n\n"
                   "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
                   "Effect, Text\n",
                   v ? 1080 : 1920, v ? 1920 : 1080, font, v ? 80 : 56, fg, fg, v ? 6 : 3, 0,
                   v ? 110 : 120, v ? 150 : 120, v ? 576 : 64);
    size_t wi = 0;
    int rc = 0;
    for (size_t c = 0; c < cues->n && !rc; c++) {
        const yaa_srt_cue *q = &cues->cues[c];
        double cs = q->start_ms / 1000.0, ce = q->end_ms / 1000.0;
        /* the words spoken during this cue (by their middle) */
        while (wi < words->n && (words->w[wi].start + words->w[wi].end) / 2 < cs) wi++;
        size_t wj = wi;
        while (wj < words->n && (words->w[wj].start + words->w[wj].end) / 2 < ce) wj++;
        if (wj == wi) rc |= ass_event(&b, cs, ce, q->text, 0, 0, accent);
        size_t from = 0;
        for (size_t k = wi; k < wj && !rc; k++) {
            double a = k == wi ? cs : words->w[k].start;
            double z = k + 1 < wj ? words->w[k + 1].start : ce;
            if (z - a < 0.01) continue;
            const char *at = find_word(q->text, from, words->w[k].text);
            size_t off = at ? (size_t)(at - q->text) : 0, wl = at ? strlen(words->w[k].text) : 0;
            rc = ass_event(&b, a, z, q->text, off, wl, accent);
            if (at) from = off + wl;
        }
        wi = wj;
    }
    if (rc)
        rc = yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
    else if (yaa_write_file(path, b.data, b.len))
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    yaa_buf_free(&b);
    return rc;
}

int yaa_media_captions_write_all(const yaa_words *words, const char *provider,
                                 const yaa_caption_style *style, const char *dir, yaa_err *err) {
    char path[4096];
    yaa_srt srt = {0}, big = {0};
    snprintf(path, sizeof path, "%s/words.json", dir);
    int rc = yaa_media_words_write_json(words, provider, path, err);
    if (!rc) rc = build(words, false, &srt, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/subtitles.srt", dir);
        rc = yaa_media_srt_write(&srt, path, err);
    }
    /* the ASS track uses the Shorts' short lines when vertical */
    bool vertical = style && style->vertical;
    if (!rc && vertical) rc = build(words, true, &big, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/captions.ass", dir);
        rc = yaa_media_captions_write_ass(words, vertical ? &big : &srt, style, path, err);
    }
    yaa_media_srt_free(&srt);
    yaa_media_srt_free(&big);
    return rc;
}
