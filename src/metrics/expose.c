/* expose.c - the Prometheus text exposition format 0.0.4: HELP/TYPE lines, escaping, samples,
 * histogram _bucket (cumulative, le="+Inf" last) / _sum / _count. */
#include "metrics/metrics_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yaa_metrics_format_double(double v, char out[32]) {
    if (isnan(v)) {
        memcpy(out, "NaN", 4);
        return;
    }
    if (isinf(v)) {
        memcpy(out, v > 0 ? "+Inf" : "-Inf", 5);
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, 32, "%.0f", v);
        return;
    }
    /* shortest representation that reads back as the same double */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

/* HELP text escapes backslash and newline; label values also escape the double quote. */
static int put_escaped(yaa_buf *b, const char *s, bool quote) {
    int rc = 0;
    for (const char *p = s; *p && !rc; p++) {
        switch (*p) {
        case '\\': rc = yaa_buf_append(b, "\\\\", 2); break;
        case '\n': rc = yaa_buf_append(b, "\\n", 2); break;
        case '"': rc = quote ? yaa_buf_append(b, "\\\"", 2) : yaa_buf_putc(b, '"'); break;
        default: rc = yaa_buf_putc(b, *p);
        }
    }
    return rc;
}

/* {a="x",b="y"[,le="0.5"]} or nothing when there are no labels at all. */
static int put_labels(yaa_buf *b, const yaa_family *f, const yaa_series *s, const char *le) {
    if (f->nlabels == 0 && !le) return 0;
    int rc = yaa_buf_putc(b, '{');
    for (size_t i = 0; i < f->nlabels && !rc; i++) {
        if (i) rc = yaa_buf_putc(b, ',');
        if (!rc) rc = yaa_buf_printf(b, "%s=\"", f->label_names[i]);
        if (!rc) rc = put_escaped(b, s->values[i], true);
        if (!rc) rc = yaa_buf_putc(b, '"');
    }
    if (le && !rc) rc = yaa_buf_printf(b, "%sle=\"%s\"", f->nlabels ? "," : "", le);
    if (!rc) rc = yaa_buf_putc(b, '}');
    return rc;
}

static int put_sample(yaa_buf *b, const yaa_family *f, const yaa_series *s, const char *suffix,
                      const char *le, double v) {
    char num[32];
    yaa_metrics_format_double(v, num);
    int rc = yaa_buf_printf(b, "%s%s", f->name, suffix);
    if (!rc) rc = put_labels(b, f, s, le);
    if (!rc) rc = yaa_buf_printf(b, " %s\n", num);
    return rc;
}

static int render_series(yaa_buf *b, const yaa_family *f, const yaa_series *s) {
    yaa_snapshot snap;
    yaa_metrics__series_snapshot(s, &snap);
    if (f->type != YAA_METRIC_HISTOGRAM) return put_sample(b, f, s, "", NULL, snap.value);
    int rc = 0;
    for (size_t i = 0; i <= f->nbuckets && !rc; i++) {
        char le[32];
        yaa_metrics_format_double(i < f->nbuckets ? f->buckets[i] : INFINITY, le);
        rc = put_sample(b, f, s, "_bucket", le, (double)snap.buckets[i]);
    }
    if (!rc) rc = put_sample(b, f, s, "_sum", NULL, snap.sum);
    if (!rc) rc = put_sample(b, f, s, "_count", NULL, (double)snap.buckets[f->nbuckets]);
    return rc;
}

static const char *type_name(yaa_metric_type t) {
    switch (t) {
    case YAA_METRIC_COUNTER: return "counter";
    case YAA_METRIC_GAUGE: return "gauge";
    case YAA_METRIC_HISTOGRAM: return "histogram";
    }
    return "untyped";
}

int yaa_metrics_registry_render(yaa_registry *r, yaa_buf *out) {
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    for (const yaa_family *f = r->head; f && !rc; f = f->next) {
        rc = yaa_buf_printf(out, "# HELP %s ", f->name);
        if (!rc) rc = put_escaped(out, f->help, false);
        if (!rc) rc = yaa_buf_printf(out, "\n# TYPE %s %s\n", f->name, type_name(f->type));
        size_t n = atomic_load_explicit(&f->nseries, memory_order_acquire);
        for (size_t i = 0; i < n && !rc; i++) rc = render_series(out, f, f->order[i].s);
    }
    int ncol = r->ncollectors;
    pthread_mutex_unlock(&r->lock);
    for (int i = 0; i < ncol && !rc; i++) rc = r->collectors[i].fn(r->collectors[i].ud, out);
    return rc;
}
