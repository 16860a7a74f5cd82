/* offline.h - the `offline` provider: a deterministic composer that writes research notes,
 * the script and the SEO metadata from the brand brief, with no model and no network.
 *
 * Output is plain but real: sections built from the audience's pain points and content
 * needs, the brand's call to action, dont-rule terms kept out, keywords placed. */
#ifndef YAA_AGENTS_OFFLINE_H
#define YAA_AGENTS_OFFLINE_H

#include "agents/brief.h"

#include <jansson.h>

/* research.json body: brand_summary, audience, angles[], rules{do,dont}, context[] */
json_t *yaa_agents_offline_research(const yaa_brief *b);
/* script.json body: title, language, sections[{heading, narration, on_screen_text,
 * visual_notes, duration_seconds}], estimated_duration_seconds */
json_t *yaa_agents_offline_script(const yaa_brief *b, const json_t *research);
/* metadata.json body: title, description, tags[], category_id, primary_keywords[],
 * secondary_keywords[], chapters[{start_seconds, title}], language */
json_t *yaa_agents_offline_metadata(const yaa_brief *b, const json_t *script);

/* Terms a brand forbids, taken from quoted words in its dont-rules ('최고', "cheap").
 * Returns how many were written to out (each owned by the brief's strings: copies in buf). */
size_t yaa_agents_offline_banned_terms(const yaa_brief *b, char out[][64], size_t max);

/* YouTube category id for a channel category ("tech" -> "28"). */
const char *yaa_agents_youtube_category_id(const char *category);

/* Estimated narration seconds for text in a language (chars/sec of the local voices). */
double yaa_agents_estimate_speech_seconds(const char *text, const char *language);

#endif
