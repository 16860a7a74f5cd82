/* stages.h - the registry of the pipeline's stages: their order, names and agents, written
 * once. Everything that names or counts stages (the orchestrator, run_stages, the API's
 * validation, run detail and SSE, /openapi.json and through it the dashboard, the CLI) reads
 * it from here.
 *
 * YAA_STAGE_LIST(X) calls X(ID, "name", agent) once per stage, in pipeline order; the enum
 * (YAA_STAGE_BRAND_RESEARCHER ... YAA_STAGE_COUNT) and the table in stages.c are made from it. */
#ifndef YAA_AGENTS_STAGES_H
#define YAA_AGENTS_STAGES_H

#define YAA_STAGE_LIST(X)                                                \
    X(BRAND_RESEARCHER, "brand_researcher", yaa_agents_brand_researcher) \
    X(SCRIPT_WRITER, "script_writer", yaa_agents_script_writer)          \
    X(SEO_OPTIMIZER, "seo_optimizer", yaa_agents_seo_optimizer)          \
    X(MEDIA_GENERATOR, "media_generator", yaa_agents_media_generator)    \
    X(MEDIA_EDITOR, "media_editor", yaa_agents_media_editor)             \
    X(PUBLISHER, "publisher", yaa_agents_publisher)

#define YAA_STAGE_ENUM_(id, name, agent) YAA_STAGE_##id,
typedef enum { YAA_STAGE_LIST(YAA_STAGE_ENUM_) YAA_STAGE_COUNT } yaa_stage;
#undef YAA_STAGE_ENUM_

/* The names in pipeline order, then NULL (for enum validators and loops). */
extern const char *const yaa_agents_stage_names[YAA_STAGE_COUNT + 1];

/* The name of stage i, or NULL when i is not a stage. */
const char *yaa_agents_stage_name(int i);
/* Index of a stage name, or -1. */
int yaa_agents_stage_index(const char *name);
/* "brand_researcher, script_writer, ..." for messages that list the stages. */
const char *yaa_agents_stage_list_text(void);

#endif
