/* shot_plan.c - the picture track a run renders from its sections' pictures: the title card
 * over the opening seconds, each section's visual, and the last section's card as the closing
 * shot when that section shows footage or a photo. One function, so the media_editor stage and
 * bench/media render the same track. */
#include "media/media.h"

#include <math.h>
#include <unistd.h>

#define TITLE_MAX_SEC 3.0   /* the title card holds at most this long ... */
#define CLOSING_MAX_SEC 4.0 /* ... the closing card this long ... */
#define BOOKEND_SHARE 0.4   /* ... and neither takes more of its section than this */

static bool readable(const char *path) { return path && *path && access(path, R_OK) == 0; }

size_t yaa_media_shot_plan(const yaa_shot_section *sec, size_t n, const char *title_card,
                           yaa_shot *shots) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const yaa_shot_section *s = &sec[i];
        yaa_shot_kind kind = s->kind;
        const char *path = s->path;
        if (!readable(path)) kind = YAA_SHOT_CARD, path = s->card;
        double d = s->duration;
        double lead = i == 0 && readable(title_card) ? fmin(TITLE_MAX_SEC, d * BOOKEND_SHARE) : 0;
        double tail = i + 1 == n && n > 1 && kind != YAA_SHOT_CARD
                          ? fmin(CLOSING_MAX_SEC, d * BOOKEND_SHARE)
                          : 0;
        if (lead > 0) shots[k++] = (yaa_shot){YAA_SHOT_CARD, title_card, lead, 0, NULL, 0};
        shots[k++] = (yaa_shot){kind,
                                path,
                                d - lead - tail,
                                0,
                                kind == YAA_SHOT_CARD ? NULL : s->lower_third,
                                kind == YAA_SHOT_FOOTAGE ? s->fps : 0};
        if (tail > 0) shots[k++] = (yaa_shot){YAA_SHOT_CARD, s->card, tail, 0, NULL, 0};
    }
    return k;
}
