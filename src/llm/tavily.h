/* tavily.h - web search through the Tavily API (POST https://api.tavily.com/search), used by
 * the brand researcher when TAVILY_API_KEY is set. */
#ifndef YAA_LLM_TAVILY_H
#define YAA_LLM_TAVILY_H

#include "core/err.h"
#include "net/net.h"

#include <stddef.h>

#define YAA_TAVILY_BASE_URL "https://api.tavily.com"

typedef struct yaa_search_result {
    char *title;
    char *url;
    char *snippet; /* Tavily's "content" */
    double score;
} yaa_search_result;

typedef struct yaa_search_results {
    yaa_search_result *items;
    size_t n;
    char *answer; /* Tavily's short answer when include_answer was set, else NULL */
} yaa_search_results;

typedef struct yaa_tavily_options {
    const char *api_key;      /* required (TAVILY_API_KEY) */
    const char *base_url;     /* NULL = YAA_TAVILY_BASE_URL (tests point it at a double) */
    int max_results;          /* 0 = 5 (1..20) */
    const char *search_depth; /* NULL = "basic" ("advanced" costs 2 credits) */
    long timeout_ms;          /* 0 = 30 s */
    yaa_http_retry retry;     /* zero = defaults */
} yaa_tavily_options;

/* Searches query; fills out (free with yaa_llm_search_results_free). Errors: YAA_EAUTH (key
 * refused), YAA_ELIMIT (rate/plan limit), YAA_EPROVIDER, network codes. */
int yaa_llm_tavily_search(const yaa_tavily_options *o, const char *query, yaa_search_results *out,
                          yaa_err *err);
void yaa_llm_search_results_free(yaa_search_results *r);

#endif
