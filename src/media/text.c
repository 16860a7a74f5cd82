/* text.c - on-screen text cut to fit: titles, key lines and thumbnail hooks are shortened at a
 * phrase boundary (after punctuation, else between words), never inside a word, and an SEO
 * " | keyword" tail never reaches the screen. */
#include "media/media_internal.h"

#include <stdlib.h>
#include <string.h>

/* Length of text without an SEO tail (" | ...", " - keyword" is kept: it may be content). */
static size_t without_tail(const char *t) {
    const char *bar = strstr(t, " | ");
    size_t n = bar ? (size_t)(bar - t) : strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '|')) n--;
    return n;
}

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n'; }

/* Phrase punctuation after which a cut reads naturally: , ; : . ! ? and their CJK forms. */
static size_t punct_len(const char *s) {
    static const char *const P[] = {",",
                                    ";",
                                    ":",
                                    ".",
                                    "!",
                                    "?",
                                    "\xEF\xBC\x8C" /* ， */,
                                    "\xE3\x80\x81" /* 、 */,
                                    "\xE3\x80\x82" /* 。 */,
                                    NULL};
    for (size_t i = 0; P[i]; i++)
        if (!strncmp(s, P[i], strlen(P[i]))) return strlen(P[i]);
    return 0;
}

static char *dup_trimmed(const char *s, size_t n) {
    while (n && (is_space((unsigned char)s[n - 1]) || s[n - 1] == ',' || s[n - 1] == ';' ||
                 s[n - 1] == ':' || s[n - 1] == '-'))
        n--;
    char *o = malloc(n + 1);
    if (!o) return NULL;
    memcpy(o, s, n);
    o[n] = 0;
    return o;
}

char *yaa_media_text_shorten(const char *text, size_t max_chars) {
    if (!text) text = "";
    while (is_space((unsigned char)*text)) text++;
    size_t len = without_tail(text), chars = 0, i = 0;
    size_t last_space = 0, last_punct = 0;
    while (i < len) {
        if (chars == max_chars) break;
        size_t pl = punct_len(text + i);
        size_t j = i;
        yaa_media__utf8_next(text, &j);
        if (pl && (j >= len || is_space((unsigned char)text[i + pl]) || i + pl >= len))
            last_punct = i + pl;
        if (is_space((unsigned char)text[i])) last_space = i;
        i = j;
        chars++;
    }
    if (i >= len) return dup_trimmed(text, len);
    /* prefer a phrase end in the later half, else the last word boundary; a single word longer
     * than the limit is kept whole rather than cut */
    size_t cut = last_punct > i / 2 ? last_punct : last_space;
    if (!cut) {
        while (i < len && !is_space((unsigned char)text[i])) i++;
        cut = i;
    }
    return dup_trimmed(text, cut);
}

char *yaa_media_text_hook(const char *text, size_t max_words) {
    if (!text) text = "";
    while (is_space((unsigned char)*text)) text++;
    size_t len = without_tail(text), words = 0, i = 0, end = 0;
    while (i < len && words < max_words) {
        while (i < len && is_space((unsigned char)text[i])) i++;
        if (i >= len) break;
        while (i < len && !is_space((unsigned char)text[i])) i++;
        end = i, words++;
        if (end > 0 && punct_len(text + end - 1) && words >= 2) break; /* a phrase ends here */
    }
    return dup_trimmed(text, end);
}

bool yaa_media_text_was_cut(const char *text, const char *shown) {
    if (!text) text = "";
    while (is_space((unsigned char)*text)) text++;
    char *whole = dup_trimmed(text, without_tail(text));
    bool cut = whole && strcmp(whole, shown ? shown : "") != 0;
    free(whole);
    return cut;
}
