/* topic.c - what a run's topic may be, checked the same way wherever a run is started (yaa run,
 * POST /pipeline/run; the dashboard mirrors it): surrounding white space trimmed, then 1-500
 * characters of valid UTF-8 on one line, no control characters. A blank topic used to become a
 * title like "    | easy dinner recipes". */
#include "pipeline/pipeline.h"

#include "core/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int yaa_pipeline_topic_clean(const char *in, char **out, yaa_err *err) {
    *out = NULL;
    if (!in) return yaa_err_set(err, YAA_EINVAL, "topic is required");
    size_t n = strlen(in);
    if (!yaa_utf8_valid(in, n)) return yaa_err_set(err, YAA_EINVAL, "topic is not valid UTF-8");
    const char *s = in;
    while (*s && isspace((unsigned char)*s)) s++;
    const char *e = in + n;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    if (e == s) return yaa_err_set(err, YAA_EINVAL, "topic is empty: say what the video is about");
    for (const char *p = s; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            return yaa_err_set(err, YAA_EINVAL,
                               "topic contains a control character (byte 0x%02x at %zu): use one "
                               "line of plain text",
                               c, (size_t)(p - in));
    }
    char *t = strndup(s, (size_t)(e - s));
    if (!t) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    size_t chars = yaa_utf8_len(t);
    if (chars > YAA_TOPIC_MAX) {
        free(t);
        return yaa_err_set(err, YAA_EINVAL, "topic is %zu characters long; at most %d", chars,
                           YAA_TOPIC_MAX);
    }
    *out = t;
    return 0;
}
