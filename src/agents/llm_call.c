/* llm_call.c - how an agent asks the configured model for a JSON object: render the
 * agent's two prompt files, call the provider with the schema, count the call. */
#include "agents/agent.h"
#include "agents/prompt.h"
#include "llm/llm.h"

#include <stdio.h>

int yaa_agents_llm_json(yaa_agent_ctx *ctx, const char *model, const char *prompt_name,
                        const yaa_prompt_var *vars, size_t nvars, const char *schema_json,
                        json_t **out, yaa_err *err) {
    char name[128];
    yaa_buf sys, user;
    yaa_buf_init(&sys, 256 * 1024);
    yaa_buf_init(&user, 256 * 1024);
    yaa_llm_client *client = NULL;
    yaa_llm_reply rep = {0};
    snprintf(name, sizeof name, "%s.system", prompt_name);
    int rc = yaa_agents_prompt_render(ctx->cfg->prompts_dir, name, vars, nvars, &sys, err);
    if (rc) goto done;
    snprintf(name, sizeof name, "%s.user", prompt_name);
    if ((rc = yaa_agents_prompt_render(ctx->cfg->prompts_dir, name, vars, nvars, &user, err)))
        goto done;
    if ((rc = yaa_llm_client_from_config(ctx->cfg, model, &client, err))) goto done;
    yaa_llm_message msg = {"user", yaa_buf_cstr(&user)};
    yaa_llm_request req = {0};
    req.model = model;
    req.system = yaa_buf_cstr(&sys);
    req.messages = &msg;
    req.nmessages = 1;
    req.max_tokens = 4096;
    req.temperature = 0.7;
    req.json_schema = schema_json;
    req.schema_name = prompt_name;
    ctx->usage.seq++;
    req.usage_ctx = &ctx->usage;
    yaa_agents_progress(ctx, "asking %s (%s)", model, yaa_llm_client_provider(client));
    rc = yaa_llm_chat(client, &req, &rep, err);
    if (rc) {
        yaa_err_prefix(err, "%s: ", model);
        goto done;
    }
    yaa_agents_progress(ctx, "%s replied: %ld + %ld tokens in %.0f ms", model, rep.prompt_tokens,
                        rep.completion_tokens, rep.latency_ms);
    *out = rep.json;
    rep.json = NULL;
done:
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(client);
    yaa_buf_free(&sys);
    yaa_buf_free(&user);
    return rc;
}
