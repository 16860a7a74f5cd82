/* banner.c - a Short's topic on screen: the topic as a lower-third strip across the 9:16 frame,
 * shortened at phrase boundaries (yaa_media_text_shorten: after punctuation, else between words)
 * until it fits its two lines without pango ellipsizing it - so a long topic loses whole words
 * at the end, never half a word - and reported as overflow when it is not the whole topic. */
#include "media/media_internal.h"

#include <stdlib.h>
#include <string.h>

#define BANNER_MAX_CHARS 60 /* what a lower third's heading holds (card.c) */
#define BANNER_MIN_CHARS 8  /* below this, a cut topic says nothing: draw it ellipsized */

int yaa_media_banner_render(const yaa_brand_look *look, const char *topic, int width,
                            const char *png_path, char **shown, bool *overflow, yaa_err *err) {
    if (shown) *shown = NULL;
    if (!topic || !*topic) return yaa_err_set(err, YAA_EINVAL, "banner: no topic to show");
    char *text = NULL;
    bool over = false;
    int rc = 0;
    for (size_t max = BANNER_MAX_CHARS;; max = max * 4 / 5) {
        char *t = yaa_media_text_shorten(topic, max);
        if (!t) {
            rc = yaa_err_set(err, YAA_ENOMEM, "banner: out of memory");
            break;
        }
        if (text && strcmp(t, text) == 0) { /* a word longer than max is kept whole */
            free(t);
        } else {
            free(text);
            text = t;
            over = false;
            rc = yaa_media_lower_third_render(look, text, NULL, width, png_path, &over, err);
            if (rc || !over) break;
        }
        if (max <= BANNER_MIN_CHARS) break; /* what is left is drawn ellipsized */
    }
    bool cut = !rc && (over || yaa_media_text_was_cut(topic, text));
    if (!rc && overflow && cut) *overflow = true;
    if (!rc && shown)
        *shown = text;
    else
        free(text);
    return rc;
}
