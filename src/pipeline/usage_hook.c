/* usage_hook.c - the process's one usage hook: every paid or local call of a stage becomes
 * one usage_events row (written once, whatever the re-deliveries) and LLM metrics. */
#include "agents/agent.h"
#include "core/log.h"
#include "metrics/metrics.h"
#include "net/usage.h"
#include "pipeline/pipeline_internal.h"
#include "db/run_store.h"

#include <pthread.h>

static void usage_hook(void *hook_ud, void *call_ctx, const yaa_usage_event *ev) {
    (void)hook_ud;
    yaa_metrics_usage(ev);
    /* A retried attempt bills nothing; an error reply bills nothing either. */
    if (ev->outcome != YAA_USAGE_OK) return;
    yaa_usage_call *call = call_ctx;
    if (!call || !call->db || !call->run_id) return; /* a call outside a run (rag index, tests) */
    yaa_db_runstore_usage u = {0};
    u.run_id = call->run_id;
    u.agent = call->agent;
    u.provider = ev->provider;
    u.model = ev->model;
    u.kind = yaa_net_usage_kind_name(ev->kind);
    u.attempt = call->attempt;
    u.seq = call->seq * 100 + ev->part; /* a repair round trip or an embedding batch is a part */
    u.prompt_tokens = ev->prompt_tokens;
    u.completion_tokens = ev->completion_tokens;
    u.units = ev->units;
    u.cost_usd = ev->cost_usd > 0 ? ev->cost_usd : 0;
    yaa_err err = {0};
    if (yaa_db_runstore_usage_add(call->db, &u, &err))
        yaa_log_ev(YAA_LOG_ERROR, "usage", "cannot record usage", YAA_F_STR("agent", call->agent),
                   YAA_F_STR("error", err.msg), YAA_F_END);
}

static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void install(void) { yaa_net_usage_set_hook(usage_hook, NULL); }

void yaa_pipeline__install_usage_hook(void) { pthread_once(&g_once, install); }
