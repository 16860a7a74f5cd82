/* text.h - small text helpers the agents share (joining lists, markdown of a script). */
#ifndef YAA_AGENTS_TEXT_H
#define YAA_AGENTS_TEXT_H

#include "agents/agent.h"
#include "core/arena.h"

#include <jansson.h>

/* Items joined by sep, in the arena ("" for an empty list). */
char *yaa_agents_text_join(yaa_arena *a, const yaa_brief_list *l, const char *sep);
/* script.md from script.json: title, then each section's heading, on-screen text, narration. */
char *yaa_agents_text_script_markdown(const json_t *script);
/* Web research through Tavily: appends {title,url,content} objects to sources. */
int yaa_agents_web_research(yaa_agent_ctx *ctx, const char *query, json_t *sources, yaa_err *err);

#endif
