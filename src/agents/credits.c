/* credits.c - the attribution Pexels and Pixabay ask for: one line per footage or photo used
 * ("- Author on Pexels: URL"), under a heading in the channel's language, at the end of the
 * video description. Shared by media_generator (metadata.json, the review screen) and the
 * publisher, which adds them again when the description it uploads lacks them (a resumed
 * run, or a reviewer's edit), so no upload goes out without its credits. */
#include "agents/agent.h"

#include "core/buf.h"

#include <string.h>

#define DESCRIPTION_MAX_BYTES 5000 /* YouTube counts the description in bytes */

static const char *heading(const char *language) {
    return language && strncmp(language, "ko", 2) == 0 ? "영상·사진 출처:" : "Footage and photos:";
}

bool yaa_agent_credits_present(const char *description, const char *language) {
    return description && strstr(description, heading(language)) != NULL;
}

int yaa_agent_credits_append(const char *description, const json_t *credits, const char *language,
                             yaa_buf *out) {
    int rc = yaa_buf_puts(out, description ? description : "");
    if (rc || !json_array_size(credits) || yaa_agent_credits_present(description, language))
        return rc;
    size_t keep = out->len;
    rc = yaa_buf_printf(out, "\n\n%s\n", heading(language));
    if (!rc && out->len > DESCRIPTION_MAX_BYTES) {
        out->len = keep; /* not even the heading fits: the credits stay in metadata.json */
        out->data[keep] = '\0';
        return 0;
    }
    size_t i, lines = 0;
    json_t *c;
    json_array_foreach(credits, i, c) {
        const char *src = json_string_value(json_object_get(c, "source"));
        const char *author = json_string_value(json_object_get(c, "author"));
        const char *url = json_string_value(json_object_get(c, "url"));
        size_t before = out->len;
        rc = yaa_buf_printf(out, "- %s on %s: %s\n", author ? author : "unknown",
                            src && strcmp(src, "pexels") == 0    ? "Pexels"
                            : src && strcmp(src, "pixabay") == 0 ? "Pixabay"
                                                                 : (src ? src : "?"),
                            url ? url : "");
        if (rc) break;
        if (out->len > DESCRIPTION_MAX_BYTES) { /* whole lines only, within the limit */
            out->len = before;
            out->data[before] = '\0';
            break;
        }
        lines++;
    }
    if (!rc && !lines) { /* no line fitted: no heading either */
        out->len = keep;
        out->data[keep] = '\0';
    }
    return rc;
}
