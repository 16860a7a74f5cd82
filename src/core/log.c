/* log.c - formats log lines and hands them to stdout and the registered sinks. */
#include "core/log.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/time.h>

#define LOG_MAX_SINKS 4
#define LOG_LINE_MAX (64 * 1024)

static struct {
    yaa_log_level min;
    bool json;
    bool console;              /* readable lines for a person at a terminal */
    yaa_log_level console_min; /* console: lower levels go to the sinks only */
    FILE *out;
    pthread_mutex_t lock;
    struct {
        yaa_log_sink_fn fn;
        void *ud;
    } sinks[LOG_MAX_SINKS];
    int nsinks;
} g_log = {YAA_LOG_INFO, true, false, YAA_LOG_WARN, NULL, PTHREAD_MUTEX_INITIALIZER, {{0}}, 0};

static _Thread_local const yaa_log_ctx *t_ctx;

static const char *level_names[] = {"debug", "info", "warning", "error"};

void yaa_log_setup(yaa_log_level min_level, bool json, FILE *out) {
    g_log.min = min_level;
    g_log.json = json;
    g_log.out = out;
    g_log.console = false;
}

void yaa_log_set_console(yaa_log_level min_shown) {
    g_log.console = true;
    g_log.console_min = min_shown;
}

int yaa_log_level_parse(const char *s, yaa_log_level *out) {
    static const struct {
        const char *name;
        yaa_log_level level;
    } names[] = {{"debug", YAA_LOG_DEBUG}, {"info", YAA_LOG_INFO},     {"warning", YAA_LOG_WARN},
                 {"warn", YAA_LOG_WARN},   {"error", YAA_LOG_ERROR},   {"DEBUG", YAA_LOG_DEBUG},
                 {"INFO", YAA_LOG_INFO},   {"WARNING", YAA_LOG_WARN},  {"WARN", YAA_LOG_WARN},
                 {"ERROR", YAA_LOG_ERROR}, {"critical", YAA_LOG_ERROR}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return YAA_EINVAL;
}

const char *yaa_log_level_name(yaa_log_level level) {
    return level <= YAA_LOG_ERROR ? level_names[level] : "error";
}

bool yaa_log_enabled(yaa_log_level level) { return level >= g_log.min; }

int yaa_log_add_sink(yaa_log_sink_fn fn, void *ud) {
    pthread_mutex_lock(&g_log.lock);
    int rc = YAA_ELIMIT;
    if (g_log.nsinks < LOG_MAX_SINKS) {
        g_log.sinks[g_log.nsinks].fn = fn;
        g_log.sinks[g_log.nsinks].ud = ud;
        g_log.nsinks++;
        rc = 0;
    }
    pthread_mutex_unlock(&g_log.lock);
    return rc;
}

void yaa_log_remove_sink(yaa_log_sink_fn fn, void *ud) {
    pthread_mutex_lock(&g_log.lock);
    for (int i = 0; i < g_log.nsinks; i++) {
        if (g_log.sinks[i].fn == fn && g_log.sinks[i].ud == ud) {
            memmove(&g_log.sinks[i], &g_log.sinks[i + 1],
                    (size_t)(g_log.nsinks - i - 1) * sizeof g_log.sinks[0]);
            g_log.nsinks--;
            break;
        }
    }
    pthread_mutex_unlock(&g_log.lock);
}

void yaa_log_ctx_set(const yaa_log_ctx *ctx) { t_ctx = ctx; }

const yaa_log_ctx *yaa_log_ctx_get(void) { return t_ctx; }

static void ts_now(char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static void put_field_json(yaa_buf *b, const yaa_log_field *f) {
    yaa_buf_putc(b, ',');
    yaa_buf_json_str(b, f->key);
    yaa_buf_putc(b, ':');
    switch (f->type) {
    case YAA_LF_STR:
        if (f->s)
            yaa_buf_json_str(b, f->s);
        else
            yaa_buf_puts(b, "null");
        break;
    case YAA_LF_INT: yaa_buf_printf(b, "%lld", (long long)f->i); break;
    case YAA_LF_NUM: yaa_buf_printf(b, "%.6g", f->d); break;
    case YAA_LF_BOOL: yaa_buf_puts(b, f->i ? "true" : "false"); break;
    default: yaa_buf_puts(b, "null");
    }
}

static void put_field_value(yaa_buf *b, const yaa_log_field *f) {
    switch (f->type) {
    case YAA_LF_STR: yaa_buf_puts(b, f->s ? f->s : "-"); break;
    case YAA_LF_INT: yaa_buf_printf(b, "%lld", (long long)f->i); break;
    case YAA_LF_NUM: yaa_buf_printf(b, "%.6g", f->d); break;
    case YAA_LF_BOOL: yaa_buf_puts(b, f->i ? "true" : "false"); break;
    default: break;
    }
}

static void put_field_text(yaa_buf *b, const yaa_log_field *f) {
    yaa_buf_printf(b, " %s=", f->key);
    put_field_value(b, f);
}

/* Builds both renderings from one field list: ctx fields first, then the caller's. */
static void emit(yaa_log_level level, const char *logger, const char *msg,
                 const yaa_log_field *fields, size_t nfields) {
    char ts[32];
    ts_now(ts);
    yaa_log_field ctxf[5];
    size_t nctx = 0;
    const yaa_log_ctx *c = t_ctx;
    if (c) {
        if (c->request_id) ctxf[nctx++] = YAA_F_STR("request_id", c->request_id);
        if (c->run_id) ctxf[nctx++] = YAA_F_STR("run_id", c->run_id);
        if (c->channel_id) ctxf[nctx++] = YAA_F_STR("channel_id", c->channel_id);
        if (c->stage) ctxf[nctx++] = YAA_F_STR("stage", c->stage);
        if (c->job_id) ctxf[nctx++] = YAA_F_STR("job_id", c->job_id);
    }
    yaa_buf js;
    yaa_buf_init(&js, LOG_LINE_MAX);
    yaa_buf_puts(&js, "{\"ts\":");
    yaa_buf_json_str(&js, ts);
    yaa_buf_puts(&js, ",\"level\":");
    yaa_buf_json_str(&js, yaa_log_level_name(level));
    yaa_buf_puts(&js, ",\"msg\":");
    yaa_buf_json_str(&js, msg);
    yaa_buf_puts(&js, ",\"logger\":");
    yaa_buf_json_str(&js, logger);
    for (size_t i = 0; i < nctx; i++) put_field_json(&js, &ctxf[i]);
    for (size_t i = 0; i < nfields; i++) put_field_json(&js, &fields[i]);
    yaa_buf_putc(&js, '}');

    yaa_buf tx;
    yaa_buf_init(&tx, LOG_LINE_MAX);
    bool shown = !g_log.console || level >= g_log.console_min;
    if (g_log.console && shown) {
        /* "warning: <msg> (k=v, k=v)": no timestamp or logger; the stage is the only
         * context worth reading beside a run's progress lines. */
        yaa_buf_printf(&tx, "%s: %s", yaa_log_level_name(level), msg);
        size_t shown_fields = 0;
        for (size_t i = 0; i < nctx + nfields; i++) {
            const yaa_log_field *f = i < nctx ? &ctxf[i] : &fields[i - nctx];
            if (i < nctx && strcmp(f->key, "stage") != 0) continue;
            yaa_buf_printf(&tx, "%s%s=", shown_fields++ ? ", " : " (", f->key);
            put_field_value(&tx, f);
        }
        if (shown_fields) yaa_buf_putc(&tx, ')');
    } else if (!g_log.json) {
        yaa_buf_printf(&tx, "%s %-7s %s: %s", ts, yaa_log_level_name(level), logger, msg);
        for (size_t i = 0; i < nctx; i++) put_field_text(&tx, &ctxf[i]);
        for (size_t i = 0; i < nfields; i++) put_field_text(&tx, &fields[i]);
    }

    pthread_mutex_lock(&g_log.lock);
    FILE *out = g_log.out ? g_log.out : stdout;
    const yaa_buf *line = g_log.json && !g_log.console ? &js : &tx;
    if (shown) {
        fwrite(yaa_buf_cstr(line), 1, line->len, out);
        fputc('\n', out);
        fflush(out);
    }
    for (int i = 0; i < g_log.nsinks; i++)
        g_log.sinks[i].fn(g_log.sinks[i].ud, level, logger, yaa_buf_cstr(&js), js.len);
    pthread_mutex_unlock(&g_log.lock);
    yaa_buf_free(&js);
    yaa_buf_free(&tx);
}

void yaa_log_ev(yaa_log_level level, const char *logger, const char *msg, ...) {
    if (!yaa_log_enabled(level)) return;
    yaa_log_field fields[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        yaa_log_field f = va_arg(ap, yaa_log_field);
        if (f.type == YAA_LF_END) break;
        if (n < sizeof fields / sizeof fields[0]) fields[n++] = f;
    }
    va_end(ap);
    emit(level, logger, msg, fields, n);
}

void yaa_logf(yaa_log_level level, const char *logger, const char *fmt, ...) {
    if (!yaa_log_enabled(level)) return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit(level, logger, msg, NULL, 0);
}
