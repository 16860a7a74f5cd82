/* bench_queue.c - no-op jobs through the queue: enqueue -> claim -> ack, for the db backend on
 * SQLite and the redis backend (a redis-server started here on loopback, AOF everysec), with
 * per-operation latency percentiles and the throughput of 1 and 4 consumer threads.
 *
 *   ./build/bench_queue [N]          (make bench-queue; figures: docs/benchmarks/queue.md)
 *
 * The ceiling, redis-benchmark on the same server, is printed by bench/queue/run.sh. */
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "lib/redistest.h"
#include "queue/queue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *backend, const char *what, uint64_t *lat, long n, double sec) {
    qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
    printf("%-6s %-22s %8.0f ops/s   p50 %7.1f us   p99 %8.1f us\n", backend, what, (double)n / sec,
           (double)lat[n / 2] / 1e3, (double)lat[(long)((double)n * 0.99)] / 1e3);
}

typedef struct consumer {
    yaa_queue *q;
    atomic_long *left;
    char name[16];
} consumer;

static void *consume(void *arg) {
    consumer *c = arg;
    while (atomic_fetch_sub(c->left, 1) > 0) {
        yaa_job job;
        yaa_err err = {0};
        while (yaa_queue_claim(c->q, c->name, 100, &job, &err) != 0) {
        }
        yaa_queue_ack(c->q, &job, c->name, &err);
    }
    return NULL;
}

static void run(const char *backend, yaa_queue *q, long n, int round) {
    uint64_t *lat = calloc((size_t)n, sizeof *lat);
    char run_id[40];
    yaa_err err = {0};
    /* 1. enqueue n */
    uint64_t t0 = yaa_mono_ns();
    for (long i = 0; i < n; i++) {
        snprintf(run_id, sizeof run_id, "r%d-%ld", round, i);
        uint64_t s = yaa_mono_ns();
        if (yaa_queue_enqueue_run(q, run_id, NULL, NULL, &err) != 0) {
            fprintf(stderr, "enqueue: %s\n", err.msg);
            exit(1);
        }
        lat[i] = yaa_mono_ns() - s;
    }
    report(backend, "enqueue", lat, n, (double)(yaa_mono_ns() - t0) / 1e9);
    /* 2. claim + ack on one thread, latency of each */
    uint64_t *alat = calloc((size_t)n, sizeof *alat);
    t0 = yaa_mono_ns();
    for (long i = 0; i < n; i++) {
        yaa_job job;
        uint64_t s = yaa_mono_ns();
        if (yaa_queue_claim(q, "bench-1", 0, &job, &err) != 0) {
            fprintf(stderr, "claim: %s\n", err.msg);
            exit(1);
        }
        uint64_t m = yaa_mono_ns();
        yaa_queue_ack(q, &job, "bench-1", &err);
        lat[i] = m - s;
        alat[i] = yaa_mono_ns() - m;
    }
    double sec = (double)(yaa_mono_ns() - t0) / 1e9;
    report(backend, "claim (1 thread)", lat, n, sec);
    report(backend, "ack (1 thread)", alat, n, sec);
    free(alat);
    /* 3. enqueue n again, then 4 consumer threads claim + ack: jobs/s */
    for (long i = 0; i < n; i++) {
        snprintf(run_id, sizeof run_id, "s%d-%ld", round, i);
        yaa_queue_enqueue_run(q, run_id, NULL, NULL, &err);
    }
    atomic_long left = n;
    consumer cs[4];
    pthread_t th[4];
    t0 = yaa_mono_ns();
    for (int i = 0; i < 4; i++) {
        cs[i] = (consumer){.q = q, .left = &left};
        snprintf(cs[i].name, sizeof cs[i].name, "bench-c%d", i);
        pthread_create(&th[i], NULL, consume, &cs[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    sec = (double)(yaa_mono_ns() - t0) / 1e9;
    printf("%-6s %-22s %8.0f jobs/s\n", backend, "claim+ack (4 threads)", (double)n / sec);
    free(lat);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 5000;
    if (n < 10) n = 10;
    /* db backend on SQLite */
    char dir[] = "/tmp/yaa-bench-queue-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:///%s/q.db", dir);
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) != 0 ||
        yaa_db_upgrade(db, getenv("YAA_MIGRATIONS_DIR"), -1, NULL, &err) != 0) {
        fprintf(stderr, "sqlite: %s (run from the source dir or set YAA_MIGRATIONS_DIR)\n",
                err.msg);
        return 1;
    }
    yaa_queue *q = NULL;
    if (yaa_queue_open("db", db, &q, &err) != 0) {
        fprintf(stderr, "db queue: %s\n", err.msg);
        return 1;
    }
    yaa_queue_tune(q, 0, 0, 0); /* no retry delay */
    printf("N=%ld no-op jobs per phase\n", n);
    run("db", q, n, 1);
    yaa_queue_close(q);
    yaa_db_close(db);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    /* redis backend */
    yaa_redistest rt;
    if (yaa_redistest_start(&rt) != 0) return 1;
    /* The bench's server: AOF fsync once a second like `make redis-up` (the test default is
     * always). */
    char port[16];
    snprintf(port, sizeof port, "%d", rt.port);
    snprintf(cmd, sizeof cmd, "redis-cli -p %s config set appendfsync everysec >/dev/null", port);
    if (system(cmd) != 0) fprintf(stderr, "config set failed\n");
    if (yaa_queue_open(rt.url, NULL, &q, &err) != 0) {
        fprintf(stderr, "redis: %s\n", err.msg);
        return 1;
    }
    yaa_queue_tune(q, 0, 0, 0);
    run("redis", q, n, 1);
    yaa_queue_close(q);
    if (getenv("BENCH_REDIS_KEEP")) { /* run.sh measures redis-benchmark on the same server */
        printf("REDIS_PORT=%s\n", port);
        fflush(stdout);
        getchar();
    }
    yaa_redistest_stop(&rt);
    return 0;
}
