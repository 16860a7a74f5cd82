/* sse.c - the SSE stream: an MHD content reader that blocks (in short sleeps) until there is
 * something to send, polls the run's stages from the database, drains log lines published on
 * the in-process pipeline bus, sends a keep-alive comment every 15 s and ends after `done`. */
#include "api/sse.h"

#include "api/api_internal.h"
#include "api/apistore.h"
#include "core/util.h"
#include "pipeline/pipeline.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MS 250
#define KEEPALIVE_NS (15ull * 1000000000ull)

typedef struct sse_state {
    yaa_api *api;
    char run_id[40];
    char last[YAA_STAGE_COUNT][16];
    yaa_buf out;
    size_t out_off;
    bool finished;
    long seq;
    uint64_t last_send_ns;
    int sub;
    pthread_mutex_t mu;
    yaa_buf logs; /* formatted log events from the bus, guarded by mu */
} sse_state;

static void emit(yaa_buf *b, long *seq, const char *event, json_t *data) {
    char *s = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(data);
    if (!s) return;
    yaa_buf_printf(b, "event: %s\nid: %ld\ndata: %s\n\n", event, ++*seq, s);
    free(s);
}

/* Appends a stage event unless the stage already has that status; caller holds mu. */
static void stage_event_locked(sse_state *st, int i, const char *status, json_t *data) {
    if (i < 0 || i >= YAA_STAGE_COUNT || !status || strcmp(status, st->last[i]) == 0) {
        json_decref(data);
        return;
    }
    snprintf(st->last[i], sizeof st->last[i], "%s", status);
    emit(&st->logs, &st->seq, "stage", data);
}

/* Called on the executing thread of an in-process run: live stage changes and log lines. */
static void on_bus(void *ud, const yaa_pipeline_event *ev) {
    sse_state *st = ud;
    if (!ev || !ev->run_id || strcmp(ev->run_id, st->run_id) != 0) return;
    pthread_mutex_lock(&st->mu);
    if (st->logs.len < 256 * 1024) {
        if (ev->kind == YAA_PIPELINE_EV_LOG && ev->message)
            emit(&st->logs, &st->seq, "log",
                 json_pack("{s:s, s:s?, s:s}", "run_id", ev->run_id, "stage", ev->stage, "message",
                           ev->message));
        else if (ev->kind == YAA_PIPELINE_EV_STAGE && ev->stage && ev->status)
            stage_event_locked(
                st, yaa_stage_index(ev->stage), ev->status,
                json_pack("{s:s, s:s, s:s, s:s?, s:f}", "run_id", ev->run_id, "stage", ev->stage,
                          "status", ev->status, "error",
                          ev->status && strcmp(ev->status, "failed") == 0 ? ev->message : NULL,
                          "elapsed_sec", ev->elapsed_sec));
    }
    pthread_mutex_unlock(&st->mu);
}

/* One poll: stage changes from the database (runs executed by any process), the events the
 * bus queued, and `done` once the run has finished. */
static void poll_once(sse_state *st) {
    char status[16] = "";
    json_t *stages = NULL;
    yaa_err err = {0};
    if (yaa_apistore_run_progress(st->api->db, st->run_id, status, &stages, &err) != 0) {
        pthread_mutex_lock(&st->mu);
        emit(&st->out, &st->seq, "error", json_pack("{s:s}", "detail", err.msg));
        pthread_mutex_unlock(&st->mu);
        st->finished = true;
        return;
    }
    pthread_mutex_lock(&st->mu);
    size_t i;
    json_t *s;
    json_array_foreach(stages, i, s) {
        const char *ss = json_string_value(json_object_get(s, "status"));
        json_t *d = json_deep_copy(s);
        json_object_set_new(d, "run_id", json_string(st->run_id));
        stage_event_locked(st, (int)i, ss, d);
    }
    if (st->logs.len) {
        yaa_buf_append(&st->out, st->logs.data, st->logs.len);
        yaa_buf_reset(&st->logs);
    }
    if (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
        strcmp(status, "cancelled") == 0) {
        emit(&st->out, &st->seq, "done",
             json_pack("{s:s, s:s}", "run_id", st->run_id, "status", status));
        st->finished = true;
    }
    pthread_mutex_unlock(&st->mu);
    json_decref(stages);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    sse_state *st = cls;
    for (;;) {
        if (st->out_off < st->out.len) {
            size_t n = st->out.len - st->out_off;
            if (n > max) n = max;
            memcpy(buf, st->out.data + st->out_off, n);
            st->out_off += n;
            if (st->out_off == st->out.len) {
                yaa_buf_reset(&st->out);
                st->out_off = 0;
            }
            st->last_send_ns = yaa_mono_ns();
            return (ssize_t)n;
        }
        if (st->finished || atomic_load(&st->api->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        poll_once(st);
        if (st->out.len) continue;
        if (yaa_mono_ns() - st->last_send_ns > KEEPALIVE_NS) {
            yaa_buf_puts(&st->out, ": keep-alive\n\n");
            continue;
        }
        yaa_sleep_ms(POLL_MS);
    }
}

static void free_state(void *cls) {
    sse_state *st = cls;
    if (st->sub > 0) yaa_pipeline_unsubscribe(st->sub);
    atomic_fetch_sub(&st->api->sse_streams, 1);
    yaa_buf_free(&st->out);
    yaa_buf_free(&st->logs);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

struct MHD_Response *yaa_sse_response(struct yaa_api *api, const char *run_id) {
    sse_state *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->api = api;
    snprintf(st->run_id, sizeof st->run_id, "%s", run_id);
    for (int i = 0; i < YAA_STAGE_COUNT; i++) snprintf(st->last[i], sizeof st->last[i], "pending");
    yaa_buf_init(&st->out, 1024 * 1024);
    yaa_buf_init(&st->logs, 1024 * 1024);
    pthread_mutex_init(&st->mu, NULL);
    st->last_send_ns = yaa_mono_ns();
    /* A retry hint, then the current state at once. */
    yaa_buf_puts(&st->out, "retry: 2000\n\n");
    atomic_fetch_add(&api->sse_streams, 1);
    st->sub = yaa_pipeline_subscribe(on_bus, st);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, st, free_state);
    if (!r) free_state(st);
    return r;
}
