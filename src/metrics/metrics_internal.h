/* metrics_internal.h - the registry's internal structures, shared by registry.c and expose.c. */
#ifndef YAA_METRICS_INTERNAL_H
#define YAA_METRICS_INTERNAL_H

#include "metrics/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Cells per counter/histogram series; threads are spread over them round-robin. */
#define YAA_METRICS_SHARDS 8
#define YAA_METRICS_MAX_COLLECTORS 8

struct yaa_series {
    yaa_family *fam;
    uint64_t hash;
    char *values[YAA_METRICS_MAX_LABELS];
    unsigned char *cells; /* fam->nshards * fam->stride bytes, cache-line aligned */
};

/* Wrappers so that the tables are arrays of structs (clearer to the analysers). */
typedef struct yaa_slot {
    _Atomic(yaa_series *) s;
} yaa_slot;
typedef struct yaa_series_ref {
    yaa_series *s;
} yaa_series_ref;

struct yaa_family {
    yaa_metric_type type;
    char *name;
    char *help;
    size_t nlabels;
    char *label_names[YAA_METRICS_MAX_LABELS];
    double buckets[YAA_METRICS_MAX_BUCKETS];
    size_t nbuckets;
    int nshards;
    size_t stride;
    yaa_slot *table;       /* open addressing, lock-free reads */
    yaa_series_ref *order; /* first-seen order, for rendering */
    _Atomic size_t nseries;
    pthread_mutex_t lock; /* serialises inserts */
    bool warned;
    yaa_family *next;
};

struct yaa_registry {
    pthread_mutex_t lock;
    yaa_family *head, *tail;
    struct {
        yaa_collector_fn fn;
        void *ud;
    } collectors[YAA_METRICS_MAX_COLLECTORS];
    int ncollectors;
};

/* A consistent-enough read of a series: value (counter, gauge, histogram count), sum and
 * cumulative bucket counts (histograms; index nbuckets is +Inf). */
typedef struct yaa_snapshot {
    double value;
    double sum;
    uint64_t buckets[YAA_METRICS_MAX_BUCKETS + 1];
} yaa_snapshot;

void yaa_metrics__series_snapshot(const yaa_series *s, yaa_snapshot *out);

#endif
