/* brief.h - what every agent needs to know about a run, flattened from the channel files.
 *
 * Agents read this rather than the YAML structs so that prompt building and the offline
 * composer share one view of the brand, and tests can build one by hand. */
#ifndef YAA_AGENTS_BRIEF_H
#define YAA_AGENTS_BRIEF_H

#include <stddef.h>

typedef struct yaa_brief_list { /* not yaa_strlist: read-only views of any strings */
    const char **v;
    size_t n;
} yaa_brief_list;

/* One retrieved piece of brand knowledge (RAG) with the path it came from. */
typedef struct yaa_brief_chunk {
    const char *section; /* e.g. "tone_and_manner.dont[2]" */
    const char *text;
    double score;
} yaa_brief_chunk;

typedef struct yaa_brief {
    const char *language; /* "ko" or "en" (others are written in English) */
    const char *topic;
    const char *channel_id;
    const char *channel_name;
    const char *category;
    const char *brand_name;
    const char *tagline;
    const char *positioning;
    yaa_brief_list values;
    const char *audience;
    yaa_brief_list pain_points;
    yaa_brief_list content_needs;
    const char *personality;
    const char *formality; /* formal | semi-formal | casual */
    const char *emotion;
    const char *humor_level;
    const char *sentence_length;
    const char *vocabulary;
    const char *call_to_action;
    yaa_brief_list do_rules;
    yaa_brief_list dont_rules;
    yaa_brief_list primary_keywords;
    yaa_brief_list secondary_keywords;
    yaa_brief_list competitors;     /* "channel: differentiation" lines */
    const yaa_brief_chunk *context; /* retrieved brand knowledge, best first */
    size_t ncontext;
    int short_video; /* 9:16, fewer sections */
} yaa_brief;

#endif
