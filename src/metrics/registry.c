/* registry.c - metric families, label-set lookup and lock-free recording on per-thread shards.
 *
 * A family owns an open-addressing table of series pointers: readers probe it without locks
 * (acquire loads), writers insert under the family mutex. A series owns nshards cache-line
 * aligned cells; a thread always writes the same shard, so contention stays on different
 * cache lines. Counters keep whole increments in an integer (one fetch_add) and fractional
 * amounts in a double updated by compare-and-swap; histograms keep per-bucket counts (not
 * cumulative: cumulated at render time, so +Inf always equals _count) and a double sum. */
#include "metrics/metrics_internal.h"

#include "core/log.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SIZE (YAA_METRICS_MAX_SERIES * 2) /* power of two, load factor <= 1/2 */
#define CACHE_LINE 64

static const double default_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                         0.5,   0.75, 1.0,   2.5,  5.0,   7.5, 10.0};

static atomic_uint g_next_shard;
static _Thread_local int t_shard = -1;

static inline int my_shard(void) {
    if (t_shard < 0) t_shard = (int)(atomic_fetch_add(&g_next_shard, 1) % YAA_METRICS_SHARDS);
    return t_shard;
}

static inline double bits_to_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint64_t double_to_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline void atomic_add_double(_Atomic uint64_t *p, double v) {
    uint64_t old = atomic_load_explicit(p, memory_order_relaxed);
    for (;;) {
        uint64_t nw = double_to_bits(bits_to_double(old) + v);
        if (atomic_compare_exchange_weak_explicit(p, &old, nw, memory_order_relaxed,
                                                  memory_order_relaxed))
            return;
    }
}

static inline _Atomic uint64_t *cell(const yaa_series *s, int shard) {
    return (_Atomic uint64_t *)(s->cells + (size_t)shard * s->fam->stride);
}

static bool valid_name(const char *s, bool colon) {
    if (!s || !*s) return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(p != s && c >= '0' && c <= '9')) return false;
    }
    return true;
}

yaa_registry *yaa_metrics_registry_new(void) {
    yaa_registry *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

static void series_free(yaa_series *s) {
    if (!s) return;
    for (size_t i = 0; i < YAA_METRICS_MAX_LABELS; i++) free(s->values[i]);
    free(s->cells);
    free(s);
}

static void family_free(yaa_family *f) {
    size_t n = atomic_load(&f->nseries);
    for (size_t i = 0; i < n; i++) series_free(f->order[i].s);
    free(f->order);
    free(f->table);
    for (size_t i = 0; i < f->nlabels; i++) free(f->label_names[i]);
    free(f->name);
    free(f->help);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void yaa_metrics_registry_free(yaa_registry *r) {
    if (!r) return;
    yaa_family *f = r->head;
    while (f) {
        yaa_family *next = f->next;
        family_free(f);
        f = next;
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static int check_family(yaa_registry *r, yaa_metric_type type, const char *name, size_t nlabels,
                        const char *const *label_names, const double *buckets, size_t nbuckets,
                        yaa_err *err) {
    if (!valid_name(name, true))
        return yaa_err_set(err, YAA_EINVAL, "metric name '%s' is not [a-zA-Z_:][a-zA-Z0-9_:]*",
                           name ? name : "(null)");
    if (nlabels > YAA_METRICS_MAX_LABELS)
        return yaa_err_set(err, YAA_EINVAL, "metric '%s': %zu labels, at most %d", name, nlabels,
                           YAA_METRICS_MAX_LABELS);
    for (size_t i = 0; i < nlabels; i++) {
        const char *l = label_names[i];
        if (!valid_name(l, false) || strncmp(l, "__", 2) == 0 ||
            (type == YAA_METRIC_HISTOGRAM && strcmp(l, "le") == 0))
            return yaa_err_set(err, YAA_EINVAL, "metric '%s': label name '%s' is not allowed", name,
                               l ? l : "(null)");
    }
    if (type == YAA_METRIC_HISTOGRAM) {
        if (nbuckets > YAA_METRICS_MAX_BUCKETS)
            return yaa_err_set(err, YAA_EINVAL, "metric '%s': %zu buckets, at most %d", name,
                               nbuckets, YAA_METRICS_MAX_BUCKETS);
        for (size_t i = 0; buckets && i < nbuckets; i++) {
            if (!isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1]))
                return yaa_err_set(err, YAA_EINVAL,
                                   "metric '%s': buckets must be finite and strictly increasing",
                                   name);
        }
    }
    for (yaa_family *f = r->head; f; f = f->next) {
        if (strcmp(f->name, name) == 0)
            return yaa_err_set(err, YAA_EEXIST, "metric '%s' is already registered", name);
    }
    return 0;
}

yaa_family *yaa_metrics_registry_add(yaa_registry *r, yaa_metric_type type, const char *name,
                                     const char *help, size_t nlabels,
                                     const char *const *label_names, const double *buckets,
                                     size_t nbuckets, yaa_err *err) {
    pthread_mutex_lock(&r->lock);
    yaa_family *f = NULL;
    if (check_family(r, type, name, nlabels, label_names, buckets, nbuckets, err)) goto out;
    f = calloc(1, sizeof *f);
    if (!f) goto oom;
    pthread_mutex_init(&f->lock, NULL);
    f->type = type;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->nlabels = nlabels;
    for (size_t i = 0; i < nlabels; i++) f->label_names[i] = strdup(label_names[i]);
    size_t words = 2; /* counter: integer part + double part; gauge: one double */
    if (type == YAA_METRIC_HISTOGRAM) {
        if (!buckets) {
            buckets = default_buckets;
            nbuckets = sizeof default_buckets / sizeof default_buckets[0];
        }
        memcpy(f->buckets, buckets, nbuckets * sizeof *buckets);
        f->nbuckets = nbuckets;
        words = nbuckets + 2; /* buckets, +Inf, sum */
    }
    f->nshards = type == YAA_METRIC_GAUGE ? 1 : YAA_METRICS_SHARDS;
    f->stride = (words * sizeof(uint64_t) + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    f->table = calloc(TABLE_SIZE, sizeof *f->table);
    f->order = calloc(YAA_METRICS_MAX_SERIES, sizeof *f->order);
    if (!f->name || !f->help || !f->table || !f->order) goto oom;
    for (size_t i = 0; i < nlabels; i++)
        if (!f->label_names[i]) goto oom;
    if (r->tail)
        r->tail->next = f;
    else
        r->head = f;
    r->tail = f;
    if (nlabels == 0 && !yaa_metrics_family_series0(f)) goto oom_linked;
    goto out;
oom:
    if (f) family_free(f);
    f = NULL;
    yaa_err_set(err, YAA_ENOMEM, "metric '%s': out of memory", name);
    goto out;
oom_linked:
    yaa_err_set(err, YAA_ENOMEM, "metric '%s': out of memory", name);
    f = NULL;
out:
    pthread_mutex_unlock(&r->lock);
    return f;
}

int yaa_metrics_registry_add_collector(yaa_registry *r, yaa_collector_fn fn, void *ud) {
    pthread_mutex_lock(&r->lock);
    int rc = YAA_ELIMIT;
    if (r->ncollectors < YAA_METRICS_MAX_COLLECTORS) {
        r->collectors[r->ncollectors].fn = fn;
        r->collectors[r->ncollectors].ud = ud;
        r->ncollectors++;
        rc = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

const char *yaa_metrics_family_name(const yaa_family *f) { return f->name; }

static uint64_t hash_values(const yaa_family *f, const char *const *values) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < f->nlabels; i++) {
        for (const unsigned char *p = (const unsigned char *)values[i]; *p; p++) {
            h ^= *p;
            h *= 1099511628211ULL;
        }
        h ^= 0xff; /* separator: ("a","b") differs from ("ab","") */
        h *= 1099511628211ULL;
    }
    return h;
}

static bool same_values(const yaa_series *s, const char *const *values, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s->values[i], values[i]) != 0) return false;
    }
    return true;
}

/* Probes for the label set; returns the series or NULL, and the first empty slot in *slot. */
static yaa_series *probe(yaa_family *f, uint64_t h, const char *const *values, size_t *slot) {
    size_t mask = TABLE_SIZE - 1;
    for (size_t i = h & mask, n = 0; n < TABLE_SIZE; i = (i + 1) & mask, n++) {
        yaa_series *s = atomic_load_explicit(&f->table[i].s, memory_order_acquire);
        if (!s) {
            *slot = i;
            return NULL;
        }
        if (s->hash == h && same_values(s, values, f->nlabels)) return s;
    }
    *slot = SIZE_MAX;
    return NULL;
}

static yaa_series *series_new(yaa_family *f, uint64_t h, const char *const *values) {
    yaa_series *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fam = f;
    s->hash = h;
    for (size_t i = 0; i < f->nlabels; i++) {
        s->values[i] = strdup(values[i]);
        if (!s->values[i]) goto fail;
    }
    size_t bytes = (size_t)f->nshards * f->stride;
    s->cells = aligned_alloc(CACHE_LINE, bytes);
    if (!s->cells) goto fail;
    memset(s->cells, 0, bytes);
    return s;
fail:
    series_free(s);
    return NULL;
}

yaa_series *yaa_metrics_family_series(yaa_family *f, const char *const *label_values) {
    if (!f) return NULL;
    const char *values[YAA_METRICS_MAX_LABELS] = {"", "", "", ""};
    for (size_t i = 0; i < f->nlabels; i++) {
        const char *v = label_values[i]; // NOLINT(clang-analyzer-core.uninitialized.Assign)
        values[i] = v ? v : "";
    }
    uint64_t h = hash_values(f, values);
    size_t slot;
    yaa_series *s = probe(f, h, values, &slot);
    if (s) return s;
    pthread_mutex_lock(&f->lock);
    s = probe(f, h, values, &slot); /* someone may have inserted it meanwhile */
    if (!s && slot != SIZE_MAX) {
        size_t n = atomic_load_explicit(&f->nseries, memory_order_relaxed);
        if (n < YAA_METRICS_MAX_SERIES) {
            s = series_new(f, h, values);
            if (s) {
                f->order[n].s = s;
                atomic_store_explicit(&f->nseries, n + 1, memory_order_release);
                atomic_store_explicit(&f->table[slot].s, s, memory_order_release);
            }
        } else if (!f->warned) {
            f->warned = true;
            yaa_log_ev(YAA_LOG_WARN, "metrics", "metric has too many label sets; new ones ignored",
                       YAA_F_STR("metric", f->name), YAA_F_INT("limit", YAA_METRICS_MAX_SERIES),
                       YAA_F_END);
        }
    }
    pthread_mutex_unlock(&f->lock);
    return s;
}

yaa_series *yaa_metrics_family_series0(yaa_family *f) { return yaa_metrics_family_series(f, NULL); }

void yaa_metrics_counter_inc(yaa_series *s) {
    if (!s) return;
    atomic_fetch_add_explicit(cell(s, my_shard()), 1, memory_order_relaxed);
}

void yaa_metrics_counter_add(yaa_series *s, double v) {
    if (!s || !(v >= 0) || isinf(v)) return;
    _Atomic uint64_t *c = cell(s, my_shard());
    if (v < 9007199254740992.0 && v == floor(v))
        atomic_fetch_add_explicit(&c[0], (uint64_t)v, memory_order_relaxed);
    else
        atomic_add_double(&c[1], v);
}

void yaa_metrics_gauge_set(yaa_series *s, double v) {
    if (!s) return;
    atomic_store_explicit(cell(s, 0), double_to_bits(v), memory_order_relaxed);
}

void yaa_metrics_gauge_add(yaa_series *s, double v) {
    if (!s) return;
    atomic_add_double(cell(s, 0), v);
}

void yaa_metrics_histogram_observe(yaa_series *s, double v) {
    if (!s || isnan(v)) return;
    const yaa_family *f = s->fam;
    size_t b = 0;
    while (b < f->nbuckets && v > f->buckets[b]) b++;
    _Atomic uint64_t *c = cell(s, my_shard());
    atomic_fetch_add_explicit(&c[b], 1, memory_order_relaxed);
    atomic_add_double(&c[f->nbuckets + 1], v);
}

void yaa_metrics__series_snapshot(const yaa_series *s, yaa_snapshot *out) {
    const yaa_family *f = s->fam;
    memset(out, 0, sizeof *out);
    for (int sh = 0; sh < f->nshards; sh++) {
        _Atomic uint64_t *c = cell(s, sh);
        switch (f->type) {
        case YAA_METRIC_COUNTER:
            out->value += (double)atomic_load_explicit(&c[0], memory_order_relaxed) +
                          bits_to_double(atomic_load_explicit(&c[1], memory_order_relaxed));
            break;
        case YAA_METRIC_GAUGE:
            out->value += bits_to_double(atomic_load_explicit(&c[0], memory_order_relaxed));
            break;
        case YAA_METRIC_HISTOGRAM:
            for (size_t b = 0; b <= f->nbuckets; b++)
                out->buckets[b] += atomic_load_explicit(&c[b], memory_order_relaxed);
            out->sum +=
                bits_to_double(atomic_load_explicit(&c[f->nbuckets + 1], memory_order_relaxed));
            break;
        }
    }
    if (f->type == YAA_METRIC_HISTOGRAM) {
        uint64_t cum = 0;
        for (size_t b = 0; b <= f->nbuckets; b++) {
            cum += out->buckets[b];
            out->buckets[b] = cum;
        }
        out->value = (double)cum;
    }
}

double yaa_metrics_series_value(const yaa_series *s) {
    if (!s) return 0;
    yaa_snapshot snap;
    yaa_metrics__series_snapshot(s, &snap);
    return snap.value;
}

double yaa_metrics_series_sum(const yaa_series *s) {
    if (!s) return 0;
    yaa_snapshot snap;
    yaa_metrics__series_snapshot(s, &snap);
    return snap.sum;
}
