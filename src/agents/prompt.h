/* prompt.h - prompt templates from PROMPTS_DIR with {{name}} slots. */
#ifndef YAA_AGENTS_PROMPT_H
#define YAA_AGENTS_PROMPT_H

#include "core/buf.h"
#include "core/err.h"

#include <stddef.h>

typedef struct yaa_prompt_var {
    const char *name;
    const char *value; /* NULL renders as "" */
} yaa_prompt_var;

/* Fills a template text: every {{name}} is replaced by its value; an unknown slot is an
 * error naming it (a typo in a prompt file must not reach a model silently). */
int yaa_agents_prompt_fill(const char *tmpl, const yaa_prompt_var *vars, size_t nvars, yaa_buf *out,
                           yaa_err *err);

/* Loads <dir>/<name>.md (capped at 64 KiB) and fills it. */
int yaa_agents_prompt_render(const char *dir, const char *name, const yaa_prompt_var *vars,
                             size_t nvars, yaa_buf *out, yaa_err *err);

#endif
