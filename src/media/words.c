/* words.c - word timings: the narration's words with the time each is spoken, from an
 * engine's marks where it gives them (espeak-ng word events, Flite segments, ElevenLabs
 * character alignment) and spread by syllable count over the measured speech where it does
 * not. words.json is written and read here. */
#include "media/audio.h"
#include "media/media_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void yaa_media_words_free(yaa_words *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) free(w->w[i].text);
    free(w->w);
    memset(w, 0, sizeof *w);
}

static int words_push(yaa_words *w, char *text, double start, double end, int section) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        yaa_word *t = realloc(w->w, cap * sizeof *t);
        if (!t) return -1;
        w->w = t;
        w->cap = cap;
    }
    w->w[w->n++] = (yaa_word){text, start, end, section};
    return 0;
}

static bool is_space_cp(uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || cp == 0x3000;
}

static bool is_vowel(uint32_t c) {
    c = c < 0x80 ? (uint32_t)((c >= 'A' && c <= 'Z') ? c + 32 : c) : c;
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' ||
           (c >= 0xE0 && c <= 0xFF && c != 0xF7); /* accented Latin-1 vowels, roughly */
}

static bool is_letter_or_digit(uint32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0xC0 && c != 0xD7 && c != 0xF7 && !(c >= 0x2000 && c <= 0x206F) &&
            !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xFF00 && c <= 0xFF0F));
}

/* Syllables, roughly: vowel groups in Latin script (a silent final e dropped), one per
 * Hangul / CJK / kana character, one per digit (numbers are read out long), and one per
 * three letters of other scripts. At least 1. */
int yaa_media_words_syllables(const char *word) {
    int n = 0, other = 0;
    bool in_vowel = false;
    uint32_t last = 0, before_last = 0; /* the last two Latin letters */
    size_t i = 0, len = strlen(word);
    while (i < len) {
        uint32_t c = yaa_media__utf8_next(word, &i);
        bool latin = c < 0x250 && is_letter_or_digit(c) && !(c >= '0' && c <= '9');
        if (yaa_media__is_wide(c) || (c >= '0' && c <= '9'))
            n++;
        else if (latin && is_vowel(c) && !in_vowel)
            n++;
        else if (!latin && is_letter_or_digit(c))
            other++;
        in_vowel = latin && is_vowel(c);
        if (latin) before_last = last, last = c | 0x20;
    }
    /* "make", "time": a final e after a consonant (but not "-le") is silent */
    if (n > 1 && last == 'e' && before_last && !is_vowel(before_last) && before_last != 'l') n--;
    n += (other + 2) / 3;
    return n > 0 ? n : 1;
}

typedef struct span {
    size_t b0, b1; /* bytes of the word in text */
    int syl;
    double t_mark, t_end; /* NAN = none */
} span;

/* The words of text as byte spans; a token of punctuation only joins the word before it
 * (or the one after it at the start). */
static span *split_words(const char *text, size_t *nout) {
    size_t len = strlen(text), cap = 16, n = 0;
    span *s = malloc(cap * sizeof *s);
    if (!s) return NULL;
    size_t i = 0;
    bool pending_lead = false;
    size_t lead_b0 = 0;
    while (i < len) {
        size_t j = i;
        uint32_t c = yaa_media__utf8_next(text, &j);
        if (is_space_cp(c)) {
            i = j;
            continue;
        }
        size_t b0 = i;
        bool word = false;
        while (i < len) {
            size_t k = i;
            c = yaa_media__utf8_next(text, &k);
            if (is_space_cp(c)) break;
            if (is_letter_or_digit(c)) word = true;
            i = k;
        }
        if (!word) {
            if (n)
                s[n - 1].b1 = i; /* "—" or "..." after a word: part of it */
            else if (!pending_lead)
                pending_lead = true, lead_b0 = b0;
            continue;
        }
        if (n == cap) {
            cap *= 2;
            span *t = realloc(s, cap * sizeof *t);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        s[n] = (span){pending_lead ? lead_b0 : b0, i, 0, NAN, NAN};
        pending_lead = false;
        n++;
    }
    *nout = n;
    return s;
}

int yaa_media_words_align(const char *text, const yaa_word_mark *marks, size_t nmarks,
                          double speech_start, double speech_end, int section, double shift,
                          yaa_words *out, yaa_err *err) {
    if (!text) return 0;
    size_t n = 0;
    span *s = split_words(text, &n);
    if (!s) return yaa_err_set(err, YAA_ENOMEM, "words: out of memory");
    if (!n) {
        free(s);
        return 0;
    }
    if (!(speech_end > speech_start)) speech_end = speech_start;
    char *tmp = malloc(strlen(text) + 1);
    if (!tmp) {
        free(s);
        return yaa_err_set(err, YAA_ENOMEM, "words: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(tmp, text + s[i].b0, s[i].b1 - s[i].b0);
        tmp[s[i].b1 - s[i].b0] = 0;
        s[i].syl = yaa_media_words_syllables(tmp);
    }
    free(tmp);
    /* a mark belongs to the word it falls in; marks between words (spaces) are dropped */
    size_t w = 0;
    for (size_t m = 0; m < nmarks; m++) {
        const yaa_word_mark *mk = &marks[m];
        if (!isfinite(mk->start)) continue;
        while (w < n && mk->offset >= s[w].b1) w++;
        size_t k = w;
        if (k >= n) break;
        if (mk->offset < s[k].b0) continue; /* a space's time (character alignment) */
        if (isnan(s[k].t_mark) || mk->start < s[k].t_mark) s[k].t_mark = mk->start;
        if (mk->end >= 0 && (isnan(s[k].t_end) || mk->end > s[k].t_end)) s[k].t_end = mk->end;
    }
    /* boundaries: T[i] = start of word i, T[n] = end of the last; unknown ones interpolated
     * by syllables between the known ones around them */
    double *T = malloc((n + 1) * sizeof *T);
    if (!T) {
        free(s);
        return yaa_err_set(err, YAA_ENOMEM, "words: out of memory");
    }
    for (size_t i = 0; i < n; i++) T[i] = s[i].t_mark;
    T[n] = isnan(s[n - 1].t_end) ? speech_end : fmax(s[n - 1].t_end, speech_end);
    if (isnan(T[0])) T[0] = speech_start;
    for (size_t i = 0; i <= n; i++) { /* monotonic and inside the speech */
        if (isnan(T[i])) continue;
        if (T[i] < speech_start) T[i] = speech_start;
        if (i && !isnan(T[i - 1]) && T[i] < T[i - 1]) T[i] = T[i - 1];
    }
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && isnan(T[b])) b++;
        /* a and b known, everything between unknown */
        if (b > a + 1) {
            double total = 0, acc = 0;
            for (size_t k = a; k < b; k++) total += s[k].syl;
            for (size_t k = a + 1; k < b; k++) {
                acc += s[k - 1].syl;
                T[k] = T[a] + (T[b] - T[a]) * acc / total;
            }
        }
        a = b;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double st = T[i], en = T[i + 1];
        /* an engine's word end ends the word earlier (the pause after it is not the word's) */
        if (!isnan(s[i].t_end) && s[i].t_end > st && s[i].t_end < en) en = s[i].t_end;
        char *t = strndup(text + s[i].b0, s[i].b1 - s[i].b0);
        /* a word may span a line break ("word\n—" kept as one): on screen it is one line */
        for (char *c = t; c && *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t' || *c == '\v' || *c == '\f') *c = ' ';
        if (!t || words_push(out, t, st + shift, en + shift, section)) {
            free(t);
            rc = yaa_err_set(err, YAA_ENOMEM, "words: out of memory");
        }
    }
    free(T);
    free(s);
    return rc;
}

static double r3(double x) { return round(x * 1000) / 1000; }

int yaa_media_words_write_json(const yaa_words *w, const char *provider, const char *path,
                               yaa_err *err) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < w->n; i++) {
        const yaa_word *x = &w->w[i];
        json_array_append_new(arr,
                              json_pack("{s:s, s:f, s:f, s:i}", "text", x->text, "start",
                                        r3(x->start + w->offset_sec), "end",
                                        r3(x->end + w->offset_sec), "section", x->section + 1));
    }
    json_t *o =
        json_pack("{s:i, s:s, s:f, s:o}", "version", 1, "provider", provider ? provider : "",
                  "narration_offset_sec", r3(w->offset_sec), "words", arr);
    char *s = o ? json_dumps(o, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    if (!s) return yaa_err_set(err, YAA_ENOMEM, "words.json: out of memory");
    int rc = 0;
    if (yaa_write_file(path, s, strlen(s)))
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    free(s);
    return rc;
}

int yaa_media_words_read_json(const char *path, yaa_words *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!o) return yaa_err_set(err, YAA_EPARSE, "%s:%d: %s", path, je.line, je.text);
    const json_t *arr = json_object_get(o, "words");
    double off = json_number_value(json_object_get(o, "narration_offset_sec"));
    int rc = 0;
    if (!json_is_array(arr))
        rc = yaa_err_set(err, YAA_EPARSE, "%s: expected a \"words\" array", path);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (rc) break;
        const char *t = json_string_value(json_object_get(x, "text"));
        json_t *js = json_object_get(x, "start"), *je2 = json_object_get(x, "end");
        if (!t || !json_is_number(js) || !json_is_number(je2)) {
            rc =
                yaa_err_set(err, YAA_EPARSE,
                            "%s: words[%zu] needs text (string), start and end (numbers)", path, i);
            break;
        }
        char *c = strdup(t);
        long sec = (long)json_integer_value(json_object_get(x, "section"));
        /* stored in final-video time; kept here on the narration timeline */
        if (!c || words_push(out, c, json_number_value(js) - off, json_number_value(je2) - off,
                             sec > 0 ? (int)sec - 1 : 0)) {
            free(c);
            rc = yaa_err_set(err, YAA_ENOMEM, "words: out of memory");
        }
    }
    out->offset_sec = off;
    json_decref(o);
    if (rc) yaa_media_words_free(out);
    return rc;
}
