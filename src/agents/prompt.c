/* prompt.c - the tiny template language of prompts/: {{name}} and nothing else. */
#include "agents/prompt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yaa_agents_prompt_fill(const char *tmpl, const yaa_prompt_var *vars, size_t nvars, yaa_buf *out,
                           yaa_err *err) {
    const char *p = tmpl;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) return yaa_buf_puts(out, p);
        int rc = yaa_buf_append(out, p, (size_t)(open - p));
        if (rc) return yaa_err_set(err, rc, "prompt too large");
        const char *close = strstr(open + 2, "}}");
        if (!close) return yaa_err_set(err, YAA_EPARSE, "prompt: '{{' without '}}'");
        size_t len = (size_t)(close - open - 2);
        const yaa_prompt_var *v = NULL;
        for (size_t i = 0; i < nvars; i++)
            if (strlen(vars[i].name) == len && memcmp(vars[i].name, open + 2, len) == 0)
                v = &vars[i];
        if (!v)
            return yaa_err_set(err, YAA_EPARSE, "prompt: unknown slot {{%.*s}}", (int)len,
                               open + 2);
        if (v->value && (rc = yaa_buf_puts(out, v->value)))
            return yaa_err_set(err, rc, "prompt too large");
        p = close + 2;
    }
    return 0;
}

int yaa_agents_prompt_render(const char *dir, const char *name, const yaa_prompt_var *vars,
                             size_t nvars, yaa_buf *out, yaa_err *err) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.md", dir, name);
    char *text = NULL;
    int rc = yaa_read_file(path, 64 * 1024, &text, NULL);
    if (rc == YAA_ENOTFOUND)
        return yaa_err_set(err, rc,
                           "prompt %s: no file %s (PROMPTS_DIR is '%s'; point it at the "
                           "repository's prompts/ folder)",
                           name, path, dir);
    if (rc) return yaa_err_set(err, rc, "prompt %s: cannot read %s", name, path);
    rc = yaa_agents_prompt_fill(text, vars, nvars, out, err);
    if (rc) yaa_err_prefix(err, "%s: ", path);
    free(text);
    return rc;
}
