/* events.c - the in-process event bus: every executing run publishes its stage changes and
 * progress lines here, so an SSE handler in the same process can follow it live. */
#include "pipeline/pipeline_internal.h"

#include <pthread.h>

#define MAX_SUBSCRIBERS 256

static struct {
    pthread_mutex_t lock;
    struct {
        int id;
        yaa_pipeline_event_fn fn;
        void *ud;
    } subs[MAX_SUBSCRIBERS];
    int n;
    int next_id;
} g_bus = {PTHREAD_MUTEX_INITIALIZER, {{0}}, 0, 1};

int yaa_pipeline_subscribe(yaa_pipeline_event_fn fn, void *ud) {
    pthread_mutex_lock(&g_bus.lock);
    int id = -1;
    if (g_bus.n < MAX_SUBSCRIBERS) {
        id = g_bus.next_id++;
        g_bus.subs[g_bus.n].id = id;
        g_bus.subs[g_bus.n].fn = fn;
        g_bus.subs[g_bus.n].ud = ud;
        g_bus.n++;
    }
    pthread_mutex_unlock(&g_bus.lock);
    return id;
}

void yaa_pipeline_unsubscribe(int id) {
    pthread_mutex_lock(&g_bus.lock);
    for (int i = 0; i < g_bus.n; i++) {
        if (g_bus.subs[i].id != id) continue;
        g_bus.subs[i] = g_bus.subs[--g_bus.n];
        break;
    }
    pthread_mutex_unlock(&g_bus.lock);
}

/* Subscribers run under the lock: they must only copy the event and return (an SSE handler
 * queues it for its connection), which also makes unsubscribe a clean barrier. */
void yaa_pipeline__publish(const yaa_pipeline_event *ev) {
    pthread_mutex_lock(&g_bus.lock);
    for (int i = 0; i < g_bus.n; i++) g_bus.subs[i].fn(g_bus.subs[i].ud, ev);
    pthread_mutex_unlock(&g_bus.lock);
}
