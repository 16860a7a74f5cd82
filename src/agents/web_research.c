/* web_research.c - the brand researcher's optional web sources (Tavily), kept with their
 * URLs in research.json so every claim can be traced. */
#include "agents/text.h"
#include "llm/tavily.h"

#include <stdlib.h>

int yaa_agents_web_research(yaa_agent_ctx *ctx, const char *query, json_t *sources, yaa_err *err) {
    yaa_tavily_options o = {0};
    o.api_key = ctx->cfg->tavily_api_key;
    o.base_url = ctx->cfg->tavily_base_url; /* NULL: the public endpoint; tests: a double */
    o.max_results = 5;
    yaa_search_results res = {0};
    int rc = yaa_llm_tavily_search(&o, query, &res, err);
    if (rc) return rc;
    for (size_t i = 0; i < res.n; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "title", json_string(res.items[i].title ? res.items[i].title : ""));
        json_object_set_new(s, "url", json_string(res.items[i].url ? res.items[i].url : ""));
        json_object_set_new(s, "content",
                            json_string(res.items[i].snippet ? res.items[i].snippet : ""));
        json_object_set_new(s, "score", json_real(res.items[i].score));
        json_array_append_new(sources, s);
    }
    yaa_llm_search_results_free(&res);
    return 0;
}
