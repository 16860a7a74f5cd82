/* credits.c - the description YouTube gets, composed in one place: the SEO stage's text (or a
 * reviewer's edit of it), the chapters of the measured timeline, then the attribution Pexels
 * and Pixabay ask for - one line per footage or photo used ("- Author on Pexels: URL") under a
 * heading in the channel's language. The media stage only records the credits (media.json and
 * its own output); nothing writes them into another stage's checkpoint. Composing is
 * idempotent: a description that already carries a credit's URL (a resumed publisher, or a
 * reviewer who kept the lines) does not get it twice. */
#include "agents/agent.h"

#include "core/buf.h"
#include "youtube/youtube.h"

#include <string.h>

#define DESCRIPTION_MAX_BYTES 5000 /* YouTube counts the description in bytes */

static const char *heading(const char *language) {
    return language && strncmp(language, "ko", 2) == 0 ? "영상·사진 출처:" : "Footage and photos:";
}

static const char *source_name(const char *src) {
    if (src && strcmp(src, "pexels") == 0) return "Pexels";
    if (src && strcmp(src, "pixabay") == 0) return "Pixabay";
    return src && *src ? src : "?";
}

/* Cuts out back to len (a line that did not fit). */
static void truncate_to(yaa_buf *out, size_t len) {
    out->len = len;
    if (out->data) out->data[len] = '\0';
}

/* True when text carries url as a whole (not as the start of a longer URL). */
static bool has_url(const char *text, const char *url) {
    size_t n = strlen(url);
    for (const char *p = text ? strstr(text, url) : NULL; p; p = strstr(p + 1, url))
        if (!p[n] || strchr(" \t\r\n)", p[n])) return true;
    return false;
}

/* Appends the credit lines the text in out lacks (by page URL), whole lines within the limit,
 * under the heading unless the text has it already. */
static int append_credits(yaa_buf *out, const json_t *credits, const char *language) {
    const char *head = heading(language);
    bool have_head = out->data && strstr(out->data, head);
    size_t keep = out->len, lines = 0, i;
    const json_t *c;
    int rc = 0;
    json_array_foreach(credits, i, c) {
        const char *url = json_string_value(json_object_get(c, "url"));
        if (!url || !*url || has_url(out->data, url)) continue; /* there already */
        if (!have_head) {
            while (out->len && out->data[out->len - 1] == '\n') truncate_to(out, out->len - 1);
            rc = yaa_buf_printf(out, "%s%s\n", out->len ? "\n\n" : "", head);
            if (rc || out->len > DESCRIPTION_MAX_BYTES) break; /* not even the heading fits */
            have_head = true;
        } else if (out->len && out->data[out->len - 1] != '\n') {
            if ((rc = yaa_buf_putc(out, '\n'))) break;
        }
        const char *author = json_string_value(json_object_get(c, "author"));
        size_t before = out->len;
        rc = yaa_buf_printf(out, "- %s on %s: %s\n", author && *author ? author : "unknown",
                            source_name(json_string_value(json_object_get(c, "source"))), url);
        if (rc) break;
        if (out->len > DESCRIPTION_MAX_BYTES) { /* whole lines only, within the limit */
            truncate_to(out, before);
            break;
        }
        lines++;
    }
    if (!lines) truncate_to(out, keep); /* no line fitted: no heading either */
    return rc;
}

int yaa_agents_description_compose(const char *description, const char *chapters,
                                   const json_t *credits, const char *language, yaa_buf *out) {
    int rc = yaa_youtube_description_chapters(description, chapters, out);
    if (!rc && json_array_size(credits)) rc = append_credits(out, credits, language);
    /* no trailing newline (as the chapters leave it), so composing again changes nothing */
    while (!rc && out->len && out->data[out->len - 1] == '\n') truncate_to(out, out->len - 1);
    return rc;
}
