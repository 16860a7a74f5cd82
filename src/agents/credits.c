/* credits.c - the description YouTube gets, composed in one place: the SEO stage's text (or a
 * reviewer's edit of it), the chapters of the measured timeline, then the attribution Pexels
 * and Pixabay ask for - one line per footage or photo used ("- Author on Pexels: URL") under a
 * heading in the channel's language.
 *
 * Two callers compose: media_generator, once the pictures are chosen, writes metadata.json with
 * the credits and the description text + credits (chapters are not measured yet, so the text's
 * own chapter lines stay as they are), and the review gate shows and keeps the same; the
 * publisher composes again with the measured chapters. Composing is idempotent: the credit
 * block a previous composition left (the heading and its credit lines) is taken out and put
 * back after the chapters, so a resumed stage, a re-run or a reviewer's edit never gets a line
 * twice and the order stays text, chapters, credits. A credit whose URL the reviewer kept
 * elsewhere in the text is not added again. */
#include "agents/agent.h"

#include "core/buf.h"
#include "youtube/youtube.h"

#include <string.h>

#define DESCRIPTION_MAX_BYTES 5000 /* YouTube counts the description in bytes */

static const char *const HEADINGS[] = {"Footage and photos:", "영상·사진 출처:"};

static const char *heading(const char *language) {
    return HEADINGS[language && strncmp(language, "ko", 2) == 0];
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

static void trim_newlines(yaa_buf *out) {
    while (out->len && out->data[out->len - 1] == '\n') truncate_to(out, out->len - 1);
}

/* True when text[0..n) carries url as a whole (not as the start of a longer URL). */
static bool has_url_n(const char *text, size_t n, const char *url) {
    size_t u = strlen(url);
    for (const char *p = text; u && (size_t)(p - text) + u <= n; p++) {
        p = memchr(p, url[0], n - (size_t)(p - text));
        if (!p || (size_t)(p - text) + u > n) return false;
        if (memcmp(p, url, u) == 0) {
            size_t end = (size_t)(p - text) + u;
            if (end == n || strchr(" \t\r\n)", text[end])) return true;
        }
    }
    return false;
}

static bool has_url(const char *text, const char *url) {
    return text && has_url_n(text, strlen(text), url);
}

static const char *credit_url(const json_t *c) {
    const char *url = json_string_value(json_object_get(c, "url"));
    return url && *url ? url : NULL;
}

/* The line of one credit, without its newline. */
static int credit_line(yaa_buf *out, const json_t *c) {
    const char *author = json_string_value(json_object_get(c, "author"));
    return yaa_buf_printf(out, "- %s on %s: %s", author && *author ? author : "unknown",
                          source_name(json_string_value(json_object_get(c, "source"))),
                          credit_url(c));
}

/* The length of the line s[0..n) without its trailing blanks (and a CR). */
static size_t trimmed_len(const char *s, size_t n) {
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    return n;
}

/* The line s[0..n) without trailing blanks equals one of the headings. */
static bool is_heading(const char *s, size_t n) {
    n = trimmed_len(s, n);
    for (size_t i = 0; i < sizeof HEADINGS / sizeof HEADINGS[0]; i++)
        if (strlen(HEADINGS[i]) == n && memcmp(s, HEADINGS[i], n) == 0) return true;
    return false;
}

/* The page URLs of the stock items a credit line can name: a video or photo page of Pexels or
 * Pixabay (their music pages, say, are not footage yaa chose). */
static const char *const STOCK_PAGES[][2] = {{" on Pexels: ", "https://www.pexels.com/video"},
                                             {" on Pexels: ", "https://www.pexels.com/photo"},
                                             {" on Pixabay: ", "https://pixabay.com/videos/"},
                                             {" on Pixabay: ", "https://pixabay.com/photos/"}};

/* A line under the heading that an earlier composition wrote: it carries a credited URL, or is
 * exactly a stock credit's line ("- x on Pexels: <video or photo page>", footage no longer
 * used). Any other line is the reviewer's own: it ends the block and stays. */
static bool is_credit_line(const char *s, size_t n, const json_t *credits) {
    if (n < 2 || s[0] != '-' || s[1] != ' ') return false;
    size_t i;
    const json_t *c;
    json_array_foreach(credits, i, c) {
        const char *url = credit_url(c);
        if (url && has_url_n(s, n, url)) return true;
    }
    n = trimmed_len(s, n);
    for (size_t k = 0; k < sizeof STOCK_PAGES / sizeof STOCK_PAGES[0]; k++) {
        size_t m = strlen(STOCK_PAGES[k][0]), u = strlen(STOCK_PAGES[k][1]);
        for (size_t j = 2; j + m + u <= n; j++) {
            if (memcmp(s + j, STOCK_PAGES[k][0], m) || memcmp(s + j + m, STOCK_PAGES[k][1], u))
                continue;
            const char *url = s + j + m;
            size_t rest = n - j - m;
            if (!memchr(url, ' ', rest) && !memchr(url, '\t', rest)) return true; /* URL ends it */
        }
    }
    return false;
}

static int put_line(yaa_buf *out, const char *s, size_t n) {
    int rc = yaa_buf_append(out, s, n);
    return rc ? rc : yaa_buf_putc(out, '\n');
}

/* description without the credit blocks - a heading, the credit lines under it and the blank
 * lines around them - so they can be put back after the chapters. A "- " line of the
 * reviewer's own under the heading stays where it is (with the blank lines between it and what
 * follows); the first other line ends the block. */
static int strip_credit_blocks(const char *description, const json_t *credits, yaa_buf *out) {
    const char *d = description ? description : "";
    bool in_block = false, kept = false; /* kept: a reviewer's line stayed in this block */
    size_t blanks = 0;                   /* blank lines seen in the block, not written yet */
    int rc = yaa_buf_puts(out, "");      /* an empty description is "", not NULL */
    while (*d && !rc) {
        const char *nl = strchr(d, '\n');
        size_t len = nl ? (size_t)(nl - d) : strlen(d);
        bool blank = len == 0 || (len == 1 && *d == '\r');
        if (is_heading(d, len)) {
            in_block = true;
            kept = false;
            blanks = 0;
        } else if (in_block && blank) {
            blanks++;
        } else if (in_block && is_credit_line(d, len, credits)) {
            /* left out: put back after the chapters */
        } else {
            bool own = in_block && len >= 2 && d[0] == '-' && d[1] == ' ';
            for (; kept && blanks && !rc; blanks--) rc = yaa_buf_putc(out, '\n');
            blanks = 0;
            if (!rc) rc = put_line(out, d, len);
            in_block = own;
            kept = own;
        }
        d += len + (nl ? 1 : 0);
    }
    trim_newlines(out); /* the chapters or the credits start after one blank line */
    return rc;
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
        const char *url = credit_url(c);
        if (!url || has_url(out->data, url)) continue; /* there already */
        if (!have_head) {
            trim_newlines(out);
            rc = yaa_buf_printf(out, "%s%s\n", out->len ? "\n\n" : "", head);
            if (rc || out->len > DESCRIPTION_MAX_BYTES) break; /* not even the heading fits */
            have_head = true;
        } else if (out->len && out->data[out->len - 1] != '\n') {
            if ((rc = yaa_buf_putc(out, '\n'))) break;
        }
        size_t before = out->len;
        if (!rc) rc = credit_line(out, c);
        if (!rc) rc = yaa_buf_putc(out, '\n');
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
    yaa_buf body;
    yaa_buf_init(&body, out->max ? out->max : 1u << 20);
    int rc = strip_credit_blocks(description, credits, &body);
    if (!rc && chapters) {
        rc = yaa_youtube_description_chapters(body.data, chapters, out);
    } else if (!rc) { /* the text's own chapter lines stay until the publisher measures them */
        rc = yaa_buf_append(out, body.data, body.len);
    }
    yaa_buf_free(&body);
    if (!rc && json_array_size(credits)) rc = append_credits(out, credits, language);
    /* no trailing newline (as the chapters leave it), so composing again changes nothing */
    if (!rc) trim_newlines(out);
    return rc;
}

int yaa_agents_metadata_credits(json_t *meta, const json_t *credits, const char *language) {
    if (!json_is_object(meta)) return YAA_EINVAL;
    const char *lang = json_string_value(json_object_get(meta, "language"));
    if (!lang) lang = language;
    json_t *list = json_array();
    yaa_buf line, desc;
    yaa_buf_init(&line, 8192);
    yaa_buf_init(&desc, 1u << 20);
    int rc = list ? 0 : YAA_ENOMEM;
    size_t i;
    const json_t *c;
    json_array_foreach(credits, i, c) {
        if (rc || !json_is_object(c) || !credit_url(c)) continue;
        json_t *item = json_deep_copy(c);
        yaa_buf_reset(&line);
        rc = item ? credit_line(&line, c) : YAA_ENOMEM;
        if (!rc) rc = json_object_set_new(item, "line", json_string(line.data)) ? YAA_ENOMEM : 0;
        if (!rc)
            rc = json_array_append_new(list, item) ? YAA_ENOMEM : 0;
        else
            json_decref(item);
    }
    if (!rc)
        rc = yaa_agents_description_compose(json_string_value(json_object_get(meta, "description")),
                                            NULL, list, lang, &desc);
    if (!rc) {
        json_object_set_new(meta, "description", json_string(desc.data ? desc.data : ""));
        json_object_set_new(meta, "credits", list);
        if (json_array_size(list))
            json_object_set_new(meta, "credits_heading", json_string(heading(lang)));
        else
            json_object_del(meta, "credits_heading");
    } else {
        json_decref(list);
    }
    yaa_buf_free(&line);
    yaa_buf_free(&desc);
    return rc;
}
