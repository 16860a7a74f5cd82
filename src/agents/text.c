/* text.c - list joining and the Markdown rendering of a script. */
#include "agents/text.h"

#include "core/buf.h"

#include <string.h>

char *yaa_agents_text_join(yaa_arena *a, const yaa_brief_list *l, const char *sep) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < l->n; i++) yaa_buf_printf(&b, "%s%s", i ? sep : "", l->v[i]);
    char *s = yaa_arena_strdup(a, yaa_buf_cstr(&b));
    yaa_buf_free(&b);
    return s;
}

char *yaa_agents_text_script_markdown(const json_t *script) {
    yaa_buf b;
    yaa_buf_init(&b, 1 << 20);
    yaa_buf_printf(&b, "# %s\n\n", json_string_value(json_object_get(script, "title")));
    double est = json_number_value(json_object_get(script, "estimated_duration_seconds"));
    if (est > 0)
        yaa_buf_printf(&b, "_Estimated duration: %d:%02d_\n\n", (int)est / 60, (int)est % 60);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(script, "sections"), i, s) {
        yaa_buf_printf(&b, "## %zu. %s\n\n", i + 1,
                       json_string_value(json_object_get(s, "heading")));
        const char *screen = json_string_value(json_object_get(s, "on_screen_text"));
        if (screen && *screen) yaa_buf_printf(&b, "> %s\n\n", screen);
        yaa_buf_printf(&b, "%s\n\n", json_string_value(json_object_get(s, "narration")));
        const char *vis = json_string_value(json_object_get(s, "visual_notes"));
        if (vis && *vis) yaa_buf_printf(&b, "_Visual: %s_\n\n", vis);
    }
    return yaa_buf_steal(&b);
}
