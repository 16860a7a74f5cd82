/* srt.c - the SRT writer and the text measures captions use (display width, two-line
 * wrapping, sentence ends); cues themselves are built from word timings in captions.c. */
#include "media/media_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t yaa_media__text_width(const char *s, size_t len) {
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        yaa_media__utf8_next(s, &i);
        w++;
    }
    return w;
}

bool yaa_media__text_has_wide(const char *s) {
    for (size_t i = 0; s[i];) {
        if (yaa_media__is_wide(yaa_media__utf8_next(s, &i))) return true;
    }
    return false;
}

/* . ! ? and their CJK forms, and the ellipsis. */
bool yaa_media__sentence_end(uint32_t cp) {
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
           cp == 0x2026;
}

/* Breaks s into two balanced lines at a space when it is wider than limit code points (in
 * the middle when it has no space). */
char *yaa_media__wrap_lines(const char *s, size_t limit) {
    size_t len = strlen(s), w = yaa_media__text_width(s, len);
    char *o = strdup(s);
    if (!o || w <= limit) return o;
    size_t best = 0, best_score = (size_t)-1, cw = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        uint32_t cp = yaa_media__utf8_next(s, &j);
        cw++;
        if (cp == ' ') {
            size_t left = cw - 1, right = w - cw;
            size_t score = left > right ? left : right;
            if (score < best_score) best_score = score, best = i;
        }
        i = j;
    }
    if (best_score != (size_t)-1) {
        o[best] = '\n';
        return o;
    }
    /* no space: cut at the middle code point */
    size_t half = w / 2, k = 0, i = 0;
    while (i < len && k < half) {
        yaa_media__utf8_next(s, &i);
        k++;
    }
    char *o2 = malloc(len + 2);
    if (!o2) {
        free(o);
        return NULL;
    }
    memcpy(o2, s, i);
    o2[i] = '\n';
    memcpy(o2 + i + 1, s + i, len - i + 1);
    free(o);
    return o2;
}

static void fmt_time(char *o, size_t n, long ms) {
    snprintf(o, n, "%02ld:%02ld:%02ld,%03ld", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60,
             ms % 1000);
}

int yaa_media_srt_write(const yaa_srt *srt, const char *path, yaa_err *err) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    int rc = 0;
    for (size_t i = 0; i < srt->n && !rc; i++) {
        char a[32], z[32];
        fmt_time(a, sizeof a, srt->cues[i].start_ms);
        fmt_time(z, sizeof z, srt->cues[i].end_ms);
        rc = yaa_buf_printf(&b, "%zu\n%s --> %s\n%s\n\n", i + 1, a, z, srt->cues[i].text);
    }
    if (rc)
        rc = yaa_err_set(err, rc, "subtitles: out of memory");
    else if (yaa_write_file(path, b.data ? b.data : "", b.len))
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    yaa_buf_free(&b);
    return rc;
}

void yaa_media_srt_free(yaa_srt *srt) {
    if (!srt) return;
    for (size_t i = 0; i < srt->n; i++) free(srt->cues[i].text);
    free(srt->cues);
    srt->cues = NULL;
    srt->n = 0;
}
