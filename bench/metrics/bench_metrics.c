/* bench_metrics.c - recording cost of yaa's metrics: ns per counter increment and histogram
 * observation, on a resolved handle and through the label lookup the helpers do, from 1 thread
 * and under contention from several threads hitting the same series. A single shared atomic
 * (no shards) is measured beside them as the baseline sharding improves on.
 *
 *   bench_metrics [iterations per thread, default 5000000]
 * Prints a Markdown table (docs/benchmarks/metrics.md): ns/op = CPU time of all threads / ops
 * (what a recording costs the thread doing it, contention included, scheduling excluded), and
 * the aggregate throughput in millions of ops per second of wall time. */
#include "metrics/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define L(...) ((const char *const[]){__VA_ARGS__})

typedef enum {
    OP_COUNTER_HANDLE,
    OP_COUNTER_LOOKUP,
    OP_HISTOGRAM_HANDLE,
    OP_HTTP_HELPER,
    OP_SHARED_ATOMIC,
} op_kind;

static const char *const op_names[] = {
    "counter inc (handle)",
    "counter inc (label lookup + inc)",
    "histogram observe (handle)",
    "yaa_metrics_http_observe (2 lookups, inc + observe)",
    "baseline: one shared atomic fetch_add",
};

static yaa_family *g_counter, *g_hist;
static yaa_series *g_cs, *g_hs;
static _Atomic uint64_t g_shared;
static long g_iters;
static atomic_int g_ready;
static atomic_bool g_go;

static _Atomic uint64_t g_cpu_ns;

static uint64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *worker(void *p) {
    op_kind k = (op_kind)(intptr_t)p;
    atomic_fetch_add(&g_ready, 1);
    while (!atomic_load(&g_go)) {
    }
    uint64_t cpu0 = thread_cpu_ns();
    for (long i = 0; i < g_iters; i++) {
        switch (k) {
        case OP_COUNTER_HANDLE: yaa_metrics_counter_inc(g_cs); break;
        case OP_COUNTER_LOOKUP:
            yaa_metrics_counter_inc(
                yaa_metrics_family_series(g_counter, L("GET", "/api/v1/pipeline/runs", "200")));
            break;
        case OP_HISTOGRAM_HANDLE:
            yaa_metrics_histogram_observe(g_hs, (double)(i & 1023) * 0.001);
            break;
        case OP_HTTP_HELPER:
            yaa_metrics_http_observe("GET", "/api/v1/pipeline/runs/{run_id}", 200,
                                     (double)(i & 1023) * 0.001);
            break;
        case OP_SHARED_ATOMIC: atomic_fetch_add_explicit(&g_shared, 1, memory_order_relaxed); break;
        }
    }
    atomic_fetch_add(&g_cpu_ns, thread_cpu_ns() - cpu0);
    return NULL;
}

/* Returns CPU ns per op; *mops gets the aggregate throughput. */
static double run(op_kind k, int threads, double *mops) {
    pthread_t th[64];
    atomic_store(&g_cpu_ns, 0);
    atomic_store(&g_ready, 0);
    atomic_store(&g_go, false);
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)k);
    while (atomic_load(&g_ready) < threads) {
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    atomic_store(&g_go, true);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double wall = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    double ops = (double)g_iters * threads;
    *mops = ops / wall * 1e3;
    return (double)atomic_load(&g_cpu_ns) / ops;
}

int main(int argc, char **argv) {
    g_iters = argc > 1 ? atol(argv[1]) : 5000000;
    if (g_iters <= 0) g_iters = 5000000;
    yaa_registry *r = yaa_metrics_registry_new();
    yaa_err err = {0};
    g_counter = yaa_metrics_registry_add(r, YAA_METRIC_COUNTER, "bench_requests_total", "b", 3,
                                         L("method", "path", "status"), NULL, 0, &err);
    g_hist = yaa_metrics_registry_add(r, YAA_METRIC_HISTOGRAM, "bench_seconds", "b", 2,
                                      L("method", "path"), NULL, 0, &err);
    g_cs = yaa_metrics_family_series(g_counter, L("GET", "/api/v1/pipeline/runs", "200"));
    g_hs = yaa_metrics_family_series(g_hist, L("GET", "/api/v1/pipeline/runs"));
    static const int thread_counts[] = {1, 2, 4};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("%ld iterations per thread, %ld online CPUs\n\n", g_iters, cpus);
    printf("| operation | 1 thread | 2 threads | 4 threads |\n");
    printf("| --- | ---: | ---: | ---: |\n");
    for (int k = 0; k <= OP_SHARED_ATOMIC; k++) {
        printf("| %s |", op_names[k]);
        for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
            double mops = 0;
            double ns = run((op_kind)k, thread_counts[t], &mops);
            printf(" %.1f ns (%.0f M/s) |", ns, mops);
        }
        printf("\n");
        fflush(stdout);
    }
    /* sanity: the totals are exact */
    double want = (double)g_iters * (1 + 2 + 4) * 2;
    if (yaa_metrics_series_value(g_cs) != want) {
        fprintf(stderr, "bench: counter total %.0f, expected %.0f\n",
                yaa_metrics_series_value(g_cs), want);
        return 1;
    }
    yaa_metrics_registry_free(r);
    return 0;
}
