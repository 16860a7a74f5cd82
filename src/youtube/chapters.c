/* chapters.c - the chapter list of a video description, from the measured timeline of the
 * final video. YouTube shows chapters only when the description lists at least three
 * timestamps in ascending order, the first at 0:00, each chapter at least 10 seconds long;
 * one bad line and none are shown. So sections shorter than 10 s are merged into the one
 * before, and when fewer than three chapters remain none are written. Stamps are whole
 * seconds rounded to the nearest (not truncated: a truncated stamp starts the chapter up to a
 * second early, in the previous section's last words), and the rules are applied to the
 * stamps as shown, not to the unrounded times. */
#include "youtube/youtube.h"

#include "core/buf.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MIN_CHAPTER_SEC 10.0
#define MIN_CHAPTERS 3

static void put_stamp(yaa_buf *b, long s) {
    if (s >= 3600)
        yaa_buf_printf(b, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        yaa_buf_printf(b, "%ld:%02ld", s / 60, s % 60);
}

/* One line of text for a title: newlines and runs of spaces become one space, '<' and '>'
 * (refused in descriptions) are dropped. */
static void put_title(yaa_buf *b, const char *title, size_t index) {
    size_t start = b->len;
    bool space = false;
    for (const char *p = title ? title : ""; *p; p++) {
        if (*p == '<' || *p == '>') continue;
        if (isspace((unsigned char)*p)) {
            space = b->len > start;
            continue;
        }
        if (space) yaa_buf_putc(b, ' ');
        space = false;
        yaa_buf_putc(b, *p);
    }
    if (b->len == start) yaa_buf_printf(b, "Part %zu", index + 1);
}

int yaa_youtube_chapters(const double *starts, const char *const *titles, size_t n, double duration,
                         yaa_buf *out) {
    if (!starts || n < MIN_CHAPTERS || !(duration > 0)) return 0;
    /* idx[] lists the sections that open a chapter, at[] their stamps in whole seconds; the
     * first always opens one, at 0:00 */
    size_t kept = 0;
    size_t idx[256] = {0};
    long at[256] = {0};
    if (n > sizeof idx / sizeof idx[0]) n = sizeof idx / sizeof idx[0];
    for (size_t i = 0; i < n; i++) {
        if (!(starts[i] >= 0) || starts[i] >= duration) break; /* past the end: not shown */
        long s = lround(starts[i]);
        if (kept == 0) {
            idx[kept] = i;
            at[kept++] = 0;
            continue;
        }
        if ((double)s >= duration || s - at[kept - 1] < MIN_CHAPTER_SEC) continue; /* merged */
        idx[kept] = i;
        at[kept++] = s;
    }
    /* the last chapter runs to the end of the video: drop chapters until it is long enough */
    while (kept > 1 && duration - (double)at[kept - 1] < MIN_CHAPTER_SEC) kept--;
    if (kept < MIN_CHAPTERS) return 0;
    for (size_t k = 0; k < kept; k++) {
        put_stamp(out, at[k]);
        yaa_buf_putc(out, ' ');
        put_title(out, titles ? titles[idx[k]] : NULL, idx[k]);
        yaa_buf_putc(out, '\n');
    }
    return (int)kept;
}

/* True when the line starts with a timestamp like 0:00, 12:34 or 1:02:03 and a space. */
static bool is_chapter_line(const char *s, size_t len) {
    size_t i = 0, groups = 0;
    while (i < len) {
        size_t d = 0;
        while (i < len && isdigit((unsigned char)s[i])) i++, d++;
        if (d == 0 || d > 2) return false;
        groups++;
        if (i < len && s[i] == ':') {
            i++;
            continue;
        }
        break;
    }
    return groups >= 2 && groups <= 3 && i < len && (s[i] == ' ' || s[i] == '\t');
}

int yaa_youtube_description_chapters(const char *description, const char *chapters, yaa_buf *out) {
    const char *d = description ? description : "";
    bool placed = false;
    int rc = 0;
    while (*d && !rc) {
        const char *nl = strchr(d, '\n');
        size_t len = nl ? (size_t)(nl - d) : strlen(d);
        if (is_chapter_line(d, len)) {
            /* the old chapter block is replaced where it stood */
            if (!placed && chapters && *chapters) rc = yaa_buf_puts(out, chapters);
            placed = true;
        } else {
            rc = yaa_buf_append(out, d, len);
            if (!rc && nl) rc = yaa_buf_putc(out, '\n');
        }
        d += len + (nl ? 1 : 0);
    }
    if (!rc && !placed && chapters && *chapters) {
        if (out->len && out->data[out->len - 1] != '\n') rc = yaa_buf_putc(out, '\n');
        if (!rc && out->len) rc = yaa_buf_putc(out, '\n');
        if (!rc) rc = yaa_buf_puts(out, chapters);
    }
    /* no trailing newline: YouTube keeps descriptions as given */
    while (!rc && out->len && out->data[out->len - 1] == '\n') out->data[--out->len] = '\0';
    return rc;
}
