/* sse.c - run-event streams that cost no thread.
 *
 * A stream is an MHD content reader. When it has nothing to send it suspends its connection
 * (MHD_suspend_connection) and returns 0, so no server thread waits on it. One hub thread
 * wakes every POLL_MS: it polls each followed run's stages from the database once per tick
 * (however many streams follow that run), moves the log lines the in-process pipeline bus
 * queued, adds a keep-alive comment every 15 s, and resumes the streams that have something
 * to send. It also notices at once a client that hung up (a suspended connection does not):
 * that stream ends and frees its slot on the next tick. Caps: SSE_MAX_STREAMS in all (503),
 * SSE_MAX_STREAMS_PER_KEY per API key (429). */
#include "api/sse.h"

#include "api/api_internal.h"
#include "api/apistore.h"
#include "core/log.h"
#include "core/util.h"
#include "pipeline/pipeline.h"

#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define POLL_MS 250
#define KEEPALIVE_NS (15ull * 1000000000ull)

typedef struct sse_state {
    struct sse_state *next; /* in the hub's list */
    yaa_api *api;
    struct MHD_Connection *conn;
    int fd;
    char run_id[40];
    char key_id[40];
    char last[YAA_STAGE_COUNT][16];
    yaa_buf out; /* what the reader sends next; guarded by mu */
    size_t out_off;
    bool finished; /* after `done`, an error, a hang-up or shutdown */
    bool suspended;
    long seq;
    uint64_t last_send_ns;
    int sub;
    pthread_mutex_t mu;
} sse_state;

struct yaa_sse_hub {
    yaa_api *api;
    pthread_mutex_t mu; /* the list; taken before any stream's mu */
    pthread_cond_t cv;
    sse_state *head;
    int count;
    bool stop;
    pthread_t thread;
    bool started;
};

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
    emit(&st->out, &st->seq, "stage", data);
}

/* Resumes a suspended stream that has something to send or has ended; caller holds st->mu. */
static void wake_locked(sse_state *st) {
    if (st->suspended && (st->out.len > st->out_off || st->finished)) {
        st->suspended = false;
        MHD_resume_connection(st->conn);
    }
}

/* Called on the executing thread of an in-process run: live stage changes and log lines. */
static void on_bus(void *ud, const yaa_pipeline_event *ev) {
    sse_state *st = ud;
    if (!ev || !ev->run_id || strcmp(ev->run_id, st->run_id) != 0) return;
    pthread_mutex_lock(&st->mu);
    if (st->out.len < 256 * 1024) {
        if (ev->kind == YAA_PIPELINE_EV_LOG && ev->message)
            emit(&st->out, &st->seq, "log",
                 json_pack("{s:s, s:s?, s:s}", "run_id", ev->run_id, "stage", ev->stage, "message",
                           ev->message));
        else if (ev->kind == YAA_PIPELINE_EV_STAGE && ev->stage && ev->status)
            stage_event_locked(
                st, yaa_agents_stage_index(ev->stage), ev->status,
                json_pack("{s:s, s:s, s:s, s:s?, s:f}", "run_id", ev->run_id, "stage", ev->stage,
                          "status", ev->status, "error",
                          ev->status && strcmp(ev->status, "failed") == 0 ? ev->message : NULL,
                          "elapsed_sec", ev->elapsed_sec));
    }
    wake_locked(st);
    pthread_mutex_unlock(&st->mu);
}

/* The database's view of one run, read once per tick for all its streams. */
typedef struct run_view {
    char run_id[40];
    char status[16];
    json_t *stages;
    char error[256]; /* "" = read fine */
} run_view;

static const run_view *view_of(yaa_api *api, run_view *views, int *nviews, int cap,
                               const char *run_id) {
    for (int i = 0; i < *nviews; i++)
        if (strcmp(views[i].run_id, run_id) == 0) return &views[i];
    if (*nviews >= cap) return NULL; /* more runs than one tick reads: next tick */
    run_view *v = &views[(*nviews)++];
    memset(v, 0, sizeof *v);
    snprintf(v->run_id, sizeof v->run_id, "%s", run_id);
    yaa_err err = {0};
    if (yaa_api_store_run_progress(api->db, run_id, v->status, &v->stages, &err) != 0)
        snprintf(v->error, sizeof v->error, "%.200s", err.msg[0] ? err.msg : "run unavailable");
    return v;
}

/* Applies the database view to a stream; caller holds st->mu. */
static void apply_view_locked(sse_state *st, const run_view *v) {
    if (v->error[0]) {
        emit(&st->out, &st->seq, "error", json_pack("{s:s}", "detail", v->error));
        st->finished = true;
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(v->stages, i, s) {
        json_t *d = json_deep_copy(s);
        json_object_set_new(d, "run_id", json_string(st->run_id));
        stage_event_locked(st, (int)i, json_string_value(json_object_get(s, "status")), d);
    }
    /* A run waiting at a review gate ends its stream too: nothing happens until a person
     * decides, and the decision starts the run (and a new stream) again. */
    if (strcmp(v->status, "completed") == 0 || strcmp(v->status, "failed") == 0 ||
        strcmp(v->status, "cancelled") == 0 || strcmp(v->status, "awaiting_review") == 0) {
        emit(&st->out, &st->seq, "done",
             json_pack("{s:s, s:s}", "run_id", st->run_id, "status", v->status));
        st->finished = true;
    }
}

/* Whether the client closed its side (only asked of suspended connections). */
static bool hung_up(int fd) {
    if (fd < 0) return false;
    struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void hub_tick(struct yaa_sse_hub *h, bool stopping) {
    enum { MAX_VIEWS = 256 };
    static __thread run_view views[MAX_VIEWS];
    int nviews = 0;
    uint64_t now = yaa_mono_ns();
    pthread_mutex_lock(&h->mu);
    for (sse_state *st = h->head; st; st = st->next) {
        pthread_mutex_lock(&st->mu);
        if (stopping || (st->suspended && hung_up(st->fd))) {
            st->finished = true;
        } else if (!st->finished) {
            const run_view *v = view_of(h->api, views, &nviews, MAX_VIEWS, st->run_id);
            if (v) apply_view_locked(st, v);
            if (st->out.len == st->out_off && now - st->last_send_ns > KEEPALIVE_NS)
                yaa_buf_puts(&st->out, ": keep-alive\n\n");
        }
        wake_locked(st);
        pthread_mutex_unlock(&st->mu);
    }
    pthread_mutex_unlock(&h->mu);
    for (int i = 0; i < nviews; i++) json_decref(views[i].stages);
}

static void *hub_main(void *arg) {
    struct yaa_sse_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
        bool stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        hub_tick(h, stop || atomic_load(&h->api->stopping));
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int yaa_api_sse_hub_start(yaa_api *api) {
    struct yaa_sse_hub *h = calloc(1, sizeof *h);
    if (!h) return YAA_ENOMEM;
    h->api = api;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cv);
        free(h);
        return YAA_EIO;
    }
    h->started = true;
    api->sse_hub = h;
    return 0;
}

void yaa_api_sse_hub_stop(yaa_api *api) {
    struct yaa_sse_hub *h = api->sse_hub;
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->started) pthread_join(h->thread, NULL);
    hub_tick(h, true); /* every stream ends: none may stay suspended when MHD stops */
}

void yaa_api_sse_hub_free(yaa_api *api) {
    struct yaa_sse_hub *h = api->sse_hub;
    if (!h) return;
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
    api->sse_hub = NULL;
}

int yaa_api_sse_admit(yaa_api *api, const char *key_id) {
    struct yaa_sse_hub *h = api->sse_hub;
    if (!h) return 503;
    long max = api->cfg ? api->cfg->sse_max_streams : 1000;
    long per_key = api->cfg ? api->cfg->sse_max_streams_per_key : 50;
    int rc = 0;
    pthread_mutex_lock(&h->mu);
    if (h->count >= max) {
        rc = 503;
    } else if (key_id && *key_id) {
        long mine = 0;
        for (sse_state *st = h->head; st; st = st->next)
            if (strcmp(st->key_id, key_id) == 0) mine++;
        if (mine >= per_key) rc = 429;
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    sse_state *st = cls;
    pthread_mutex_lock(&st->mu);
    ssize_t n = 0;
    if (st->out_off < st->out.len) {
        size_t k = st->out.len - st->out_off;
        if (k > max) k = max;
        memcpy(buf, st->out.data + st->out_off, k);
        st->out_off += k;
        if (st->out_off == st->out.len) {
            yaa_buf_reset(&st->out);
            st->out_off = 0;
        }
        st->last_send_ns = yaa_mono_ns();
        n = (ssize_t)k;
    } else if (st->finished || atomic_load(&st->api->stopping)) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        /* nothing to send: give the thread back until the hub has something */
        st->suspended = true;
        MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&st->mu);
    return n;
}

static void free_state(void *cls) {
    sse_state *st = cls;
    struct yaa_sse_hub *h = st->api->sse_hub;
    if (st->sub > 0) yaa_pipeline_unsubscribe(st->sub);
    if (h) {
        pthread_mutex_lock(&h->mu);
        for (sse_state **pp = &h->head; *pp; pp = &(*pp)->next)
            if (*pp == st) {
                *pp = st->next;
                h->count--;
                break;
            }
        pthread_mutex_unlock(&h->mu);
    }
    atomic_fetch_sub(&st->api->sse_streams, 1);
    yaa_buf_free(&st->out);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

struct MHD_Response *yaa_api_sse_response(yaa_api *api, struct MHD_Connection *conn,
                                          const char *run_id, const char *key_id) {
    struct yaa_sse_hub *h = api->sse_hub;
    if (!h) return NULL;
    sse_state *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->api = api;
    st->conn = conn;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    st->fd = ci ? ci->connect_fd : -1;
    snprintf(st->run_id, sizeof st->run_id, "%s", run_id);
    snprintf(st->key_id, sizeof st->key_id, "%s", key_id ? key_id : "");
    for (int i = 0; i < YAA_STAGE_COUNT; i++) snprintf(st->last[i], sizeof st->last[i], "pending");
    yaa_buf_init(&st->out, 1024 * 1024);
    pthread_mutex_init(&st->mu, NULL);
    st->last_send_ns = yaa_mono_ns();
    /* A retry hint; the hub adds the current state on its next tick. */
    yaa_buf_puts(&st->out, "retry: 2000\n\n");
    atomic_fetch_add(&api->sse_streams, 1);
    pthread_mutex_lock(&h->mu);
    st->next = h->head;
    h->head = st;
    h->count++;
    pthread_cond_signal(&h->cv); /* the first state at once */
    pthread_mutex_unlock(&h->mu);
    st->sub = yaa_pipeline_subscribe(on_bus, st);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, st, free_state);
    if (!r) free_state(st);
    return r;
}
