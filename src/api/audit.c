/* audit.c - the audit writer thread: a bounded in-memory backlog flushed every 200 ms or
 * every 256 rows, whichever comes first; key usage times coalesced per flush. */
#include "api/audit.h"

#include "core/log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256
#define BACKLOG_MAX 20000
#define TOUCH_MAX 64

struct yaa_audit {
    yaa_audit_write_fn write;
    yaa_audit_touch_fn touch;
    void *ud;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* work or stop */
    pthread_cond_t done_cv; /* a flush finished */
    yaa_audit_entry *rows;
    size_t n, cap;
    char touched[TOUCH_MAX][40];
    size_t ntouched;
    bool stop;
    unsigned long flushes_requested, flushes_done;
    unsigned long dropped;
};

static void write_batch(yaa_audit *a, yaa_audit_entry *rows, size_t n, char (*keys)[40],
                        size_t nkeys) {
    yaa_err err = {0};
    for (size_t off = 0; off < n; off += BATCH) {
        size_t m = n - off < BATCH ? n - off : BATCH;
        if (a->write && a->write(a->ud, rows + off, m, &err) != 0)
            yaa_log_ev(YAA_LOG_WARN, "api.audit", "audit rows not written",
                       YAA_F_INT("rows", (long)m), YAA_F_STR("error", err.msg), YAA_F_END);
    }
    if (nkeys && a->touch) {
        const char *ids[TOUCH_MAX];
        for (size_t i = 0; i < nkeys; i++) ids[i] = keys[i];
        if (a->touch(a->ud, ids, nkeys, &err) != 0)
            yaa_log_ev(YAA_LOG_WARN, "api.audit", "last_used_at not updated",
                       YAA_F_STR("error", err.msg), YAA_F_END);
    }
}

static void *audit_main(void *arg) {
    yaa_audit *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        if (!a->stop && a->n < BATCH && a->flushes_requested == a->flushes_done) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&a->cv, &a->mu, &ts);
        }
        unsigned long req = a->flushes_requested;
        yaa_audit_entry *rows = a->rows;
        size_t n = a->n;
        a->rows = NULL;
        a->n = a->cap = 0;
        char keys[TOUCH_MAX][40];
        size_t nkeys = a->ntouched;
        memcpy(keys, a->touched, sizeof keys);
        a->ntouched = 0;
        bool stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (n || nkeys) write_batch(a, rows, n, keys, nkeys);
        free(rows);
        pthread_mutex_lock(&a->mu);
        a->flushes_done = req;
        pthread_cond_broadcast(&a->done_cv);
        if (stop && a->n == 0 && a->ntouched == 0) break;
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

yaa_audit *yaa_audit_start(yaa_audit_write_fn write, yaa_audit_touch_fn touch, void *ud) {
    yaa_audit *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->write = write;
    a->touch = touch;
    a->ud = ud;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    pthread_cond_init(&a->done_cv, NULL);
    if (pthread_create(&a->thread, NULL, audit_main, a) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

void yaa_audit_push(yaa_audit *a, const yaa_audit_entry *e) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    if (a->n >= BACKLOG_MAX) {
        if (a->dropped++ % 1000 == 0)
            yaa_log_ev(YAA_LOG_WARN, "api.audit", "audit backlog full; rows dropped",
                       YAA_F_INT("dropped", (long)a->dropped), YAA_F_END);
        pthread_mutex_unlock(&a->mu);
        return;
    }
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        yaa_audit_entry *r = realloc(a->rows, nc * sizeof *r);
        if (!r) {
            pthread_mutex_unlock(&a->mu);
            return;
        }
        a->rows = r;
        a->cap = nc;
    }
    a->rows[a->n++] = *e;
    if (a->n >= BATCH) pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void yaa_audit_touch(yaa_audit *a, const char *key_id) {
    if (!a || !key_id || !*key_id) return;
    pthread_mutex_lock(&a->mu);
    bool seen = false;
    for (size_t i = 0; i < a->ntouched && !seen; i++) seen = strcmp(a->touched[i], key_id) == 0;
    if (!seen && a->ntouched < TOUCH_MAX) {
        strncpy(a->touched[a->ntouched], key_id, 39);
        a->touched[a->ntouched][39] = '\0';
        a->ntouched++;
    }
    pthread_mutex_unlock(&a->mu);
}

void yaa_audit_flush(yaa_audit *a) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    unsigned long want = ++a->flushes_requested;
    pthread_cond_signal(&a->cv);
    while (a->flushes_done < want && !a->stop) pthread_cond_wait(&a->done_cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

void yaa_audit_stop(yaa_audit *a) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    free(a->rows);
    pthread_cond_destroy(&a->cv);
    pthread_cond_destroy(&a->done_cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
}
