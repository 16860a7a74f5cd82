/* usage.c - the process-wide usage hook and pricer. */
#include "net/usage.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct hook_slot {
    yaa_usage_hook_fn fn;
    void *ud;
} hook_slot;

static _Atomic(hook_slot *) g_hook;
static hook_slot g_slots[2];
static _Atomic int g_slot_idx;
static _Atomic(yaa_usage_pricer_fn) g_pricer;

void yaa_net_usage_set_hook(yaa_usage_hook_fn fn, void *ud) {
    if (!fn) {
        atomic_store(&g_hook, NULL);
        return;
    }
    /* Two slots: a reader holding the old one keeps valid data while we write the other. */
    int i = atomic_fetch_add(&g_slot_idx, 1) & 1;
    g_slots[i].fn = fn;
    g_slots[i].ud = ud;
    atomic_store(&g_hook, &g_slots[i]);
}

void yaa_net_usage_set_pricer(yaa_usage_pricer_fn fn) { atomic_store(&g_pricer, fn); }

void yaa_net_usage_report(void *call_ctx, const yaa_usage_event *ev) {
    yaa_usage_event e = *ev;
    if (e.cost_usd < 0) {
        yaa_usage_pricer_fn p = atomic_load(&g_pricer);
        bool billed = e.prompt_tokens > 0 || e.completion_tokens > 0 || e.units > 0;
        e.cost_usd = p && billed ? p(&e) : 0.0;
    }
    hook_slot *h = atomic_load(&g_hook);
    if (h && h->fn) h->fn(h->ud, call_ctx, &e);
}

const char *yaa_net_usage_kind_name(yaa_usage_kind kind) {
    switch (kind) {
    case YAA_USAGE_CHAT: return "chat";
    case YAA_USAGE_EMBEDDING: return "embedding";
    case YAA_USAGE_TTS: return "tts";
    case YAA_USAGE_IMAGE: return "image";
    }
    return "chat";
}

const char *yaa_net_usage_outcome_name(yaa_usage_outcome outcome) {
    switch (outcome) {
    case YAA_USAGE_OK: return "ok";
    case YAA_USAGE_ERROR: return "error";
    case YAA_USAGE_RETRY: return "retry";
    }
    return "error";
}
