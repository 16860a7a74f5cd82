/* stages.c - the stage table made from YAA_STAGE_LIST: names and agent entry points. */
#include "agents/stages.h"

#include "agents/agent.h"

#include <string.h>

#define NAME_(id, name, agent) [YAA_STAGE_##id] = name,
const char *const yaa_agents_stage_names[YAA_STAGE_COUNT + 1] = {YAA_STAGE_LIST(NAME_) NULL};
#undef NAME_

#define AGENT_(id, name, agent) [YAA_STAGE_##id] = agent,
static const yaa_agent_fn AGENTS[] = {YAA_STAGE_LIST(AGENT_)};
#undef AGENT_
_Static_assert(sizeof AGENTS / sizeof AGENTS[0] == YAA_STAGE_COUNT,
               "every stage of YAA_STAGE_LIST has an agent");
_Static_assert(YAA_STAGE_COUNT == 6, "the contract's pipeline has six stages (docs/CONTRACT.md)");

const char *yaa_agents_stage_name(int i) {
    return i >= 0 && i < YAA_STAGE_COUNT ? yaa_agents_stage_names[i] : NULL;
}

int yaa_agents_stage_index(const char *name) {
    for (int i = 0; name && i < YAA_STAGE_COUNT; i++)
        if (strcmp(yaa_agents_stage_names[i], name) == 0) return i;
    return -1;
}

yaa_agent_fn yaa_agents_stage_agent(int i) {
    return i >= 0 && i < YAA_STAGE_COUNT ? AGENTS[i] : NULL;
}

const char *yaa_agents_stage_list_text(void) {
#define TEXT_(id, name, agent) ", " name
    static const char text[] = YAA_STAGE_LIST(TEXT_);
#undef TEXT_
    return text + 2;
}
