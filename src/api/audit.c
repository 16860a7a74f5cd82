/* audit.c - the audit writer thread: a bounded in-memory backlog flushed every 200 ms or
 * every 1024 rows, whichever comes first; key usage times coalesced per flush. (Each flush is
 * a commit, and a commit makes the API's read cache read again: few large flushes.)
 *
 * Refused requests (401, 429) are counted, not written one by one: one row per client address
 * and status per 10 s window with request_count, so a flood of bad keys adds a few rows. A batch
 * the database refuses goes to a retry spool (bounded; retried with backoff, oldest rows
 * dropped only past SPOOL_MAX). Retention: rows older than AUDIT_RETENTION_DAYS are deleted
 * at start and hourly. */
#include "api/audit.h"

#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1024
#define BACKLOG_MAX 20000
#define TOUCH_MAX 64
#define COUNT_MAX 1024 /* distinct (address, status) pairs counted per window */
#define WINDOW_NS 10000000000ull
#define SPOOL_MAX 100000
#define PRUNE_EVERY_NS 3600000000000ull

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
    /* counted refusals of the current window (guarded by mu) */
    yaa_audit_entry counted[COUNT_MAX];
    size_t ncounted;
    uint64_t window_start_ns;
    /* rows the database refused, owned by the writer thread */
    yaa_audit_entry *spool;
    size_t nspool;
    uint64_t spool_retry_ns;
    unsigned spool_failures;
    long retention_days;
    yaa_audit_prune_fn prune;
    uint64_t next_prune_ns;
};

/* Keeps rows the database refused for a later try (the oldest go first past SPOOL_MAX). */
static void spool_add(yaa_audit *a, const yaa_audit_entry *rows, size_t n) {
    if (n > SPOOL_MAX) rows += n - SPOOL_MAX, n = SPOOL_MAX;
    if (a->nspool + n > SPOOL_MAX) {
        size_t drop = a->nspool + n - SPOOL_MAX;
        memmove(a->spool, a->spool + drop, (a->nspool - drop) * sizeof *a->spool);
        a->nspool -= drop;
        a->dropped += drop;
        yaa_log_ev(YAA_LOG_ERROR, "api.audit", "audit spool full; oldest rows dropped",
                   YAA_F_INT("dropped", (long)drop), YAA_F_END);
    }
    yaa_audit_entry *s = realloc(a->spool, (a->nspool + n) * sizeof *s);
    if (!s) return;
    memcpy(s + a->nspool, rows, n * sizeof *rows);
    a->spool = s;
    a->nspool += n;
}

/* Writes rows in batches; what fails goes to the spool. Returns 0 when all were written. */
static int write_rows(yaa_audit *a, const yaa_audit_entry *rows, size_t n) {
    yaa_err err = {0};
    int failed = 0;
    for (size_t off = 0; off < n; off += BATCH) {
        size_t m = n - off < BATCH ? n - off : BATCH;
        if (a->write && a->write(a->ud, rows + off, m, &err) != 0) {
            yaa_log_ev(YAA_LOG_WARN, "api.audit", "audit rows not written yet; kept for a retry",
                       YAA_F_INT("rows", (long)m), YAA_F_STR("error", err.msg), YAA_F_END);
            spool_add(a, rows + off, m);
            failed = 1;
        }
    }
    return failed;
}

/* Retries the spool with backoff (1 s doubling to 60 s) while the database refuses. */
static void spool_retry(yaa_audit *a, bool force) {
    if (!a->nspool || (!force && yaa_mono_ns() < a->spool_retry_ns)) return;
    yaa_audit_entry *rows = a->spool;
    size_t n = a->nspool;
    a->spool = NULL;
    a->nspool = 0;
    if (write_rows(a, rows, n) == 0) {
        a->spool_failures = 0;
        yaa_log_ev(YAA_LOG_INFO, "api.audit", "spooled audit rows written",
                   YAA_F_INT("rows", (long)n), YAA_F_END);
    } else {
        unsigned f = a->spool_failures < 6 ? a->spool_failures++ : 6;
        a->spool_retry_ns = yaa_mono_ns() + (1000000000ull << f);
    }
    free(rows);
}

static void prune_tick(yaa_audit *a) {
    if (!a->prune || a->retention_days <= 0 || yaa_mono_ns() < a->next_prune_ns) return;
    a->next_prune_ns = yaa_mono_ns() + PRUNE_EVERY_NS;
    yaa_err err = {0};
    if (a->prune(a->ud, a->retention_days, &err) != 0)
        yaa_log_ev(YAA_LOG_WARN, "api.audit", "old audit rows not deleted",
                   YAA_F_STR("error", err.msg), YAA_F_END);
}

static void write_batch(yaa_audit *a, yaa_audit_entry *rows, size_t n, char (*keys)[40],
                        size_t nkeys) {
    yaa_err err = {0};
    spool_retry(a, false);
    if (a->nspool) /* the database is still refusing: keep order, try later */
        spool_add(a, rows, n);
    else
        write_rows(a, rows, n);
    if (nkeys && a->touch) {
        const char *ids[TOUCH_MAX];
        for (size_t i = 0; i < nkeys; i++) ids[i] = keys[i];
        if (a->touch(a->ud, ids, nkeys, &err) != 0)
            yaa_log_ev(YAA_LOG_WARN, "api.audit", "last_used_at not updated",
                       YAA_F_STR("error", err.msg), YAA_F_END);
    }
}

static bool stop_now(const yaa_audit *a) { return a->stop; }

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
        /* a finished counting window (or shutdown) becomes rows */
        uint64_t now = yaa_mono_ns();
        if (a->ncounted && (stop_now(a) || now - a->window_start_ns >= WINDOW_NS ||
                            a->flushes_requested != a->flushes_done)) {
            yaa_audit_entry *nr = realloc(rows, (n + a->ncounted) * sizeof *nr);
            if (nr) {
                memcpy(nr + n, a->counted, a->ncounted * sizeof *nr);
                rows = nr;
                n += a->ncounted;
            }
            a->ncounted = 0;
        }
        char keys[TOUCH_MAX][40];
        size_t nkeys = a->ntouched;
        memcpy(keys, a->touched, sizeof keys);
        a->ntouched = 0;
        bool stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (n || nkeys || a->nspool) write_batch(a, rows, n, keys, nkeys);
        free(rows);
        prune_tick(a);
        if (stop && a->nspool) spool_retry(a, true); /* a last try before stopping */
        pthread_mutex_lock(&a->mu);
        a->flushes_done = req;
        pthread_cond_broadcast(&a->done_cv);
        if (stop && a->n == 0 && a->ntouched == 0) break;
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

yaa_audit *yaa_api_audit_start(yaa_audit_write_fn write, yaa_audit_touch_fn touch, void *ud) {
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

void yaa_api_audit_push(yaa_audit *a, const yaa_audit_entry *e) {
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

void yaa_api_audit_count(yaa_audit *a, const yaa_audit_entry *e) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    if (a->ncounted == 0) a->window_start_ns = yaa_mono_ns();
    yaa_audit_entry *hit = NULL;
    for (size_t i = 0; i < a->ncounted && !hit; i++)
        if (a->counted[i].status_code == e->status_code &&
            strcmp(a->counted[i].ip_address, e->ip_address) == 0)
            hit = &a->counted[i];
    if (!hit && a->ncounted < COUNT_MAX) {
        hit = &a->counted[a->ncounted++];
        *hit = *e; /* the first request of the window stands for the others */
        hit->count = 0;
    } else if (!hit) {
        hit = &a->counted[COUNT_MAX - 1]; /* too many addresses: the last row counts the rest */
        snprintf(hit->ip_address, sizeof hit->ip_address, "(other addresses)");
    }
    hit->count++;
    pthread_mutex_unlock(&a->mu);
}

void yaa_api_audit_set_retention(yaa_audit *a, long days, yaa_audit_prune_fn prune) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->retention_days = days;
    a->prune = prune;
    a->next_prune_ns = 0; /* at once */
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void yaa_api_audit_touch(yaa_audit *a, const char *key_id) {
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

void yaa_api_audit_flush(yaa_audit *a) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    unsigned long want = ++a->flushes_requested;
    pthread_cond_signal(&a->cv);
    while (a->flushes_done < want && !a->stop) pthread_cond_wait(&a->done_cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

void yaa_api_audit_stop(yaa_audit *a) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    free(a->rows);
    if (a->nspool)
        yaa_log_ev(YAA_LOG_ERROR, "api.audit", "audit rows lost at shutdown (database refused)",
                   YAA_F_INT("rows", (long)a->nspool), YAA_F_END);
    free(a->spool);
    pthread_cond_destroy(&a->cv);
    pthread_cond_destroy(&a->done_cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
}
