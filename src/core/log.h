/* log.h - structured logging: one JSON object a line (or text), context fields per thread. */
#ifndef YAA_CORE_LOG_H
#define YAA_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum yaa_log_level {
    YAA_LOG_DEBUG = 0,
    YAA_LOG_INFO = 1,
    YAA_LOG_WARN = 2,
    YAA_LOG_ERROR = 3,
} yaa_log_level;

/* Fields carried by the current thread (request or run being served). NULL = absent. */
typedef struct yaa_log_ctx {
    const char *request_id;
    const char *run_id;
    const char *channel_id;
    const char *stage;
    const char *job_id;
} yaa_log_ctx;

typedef enum { YAA_LF_END = 0, YAA_LF_STR, YAA_LF_INT, YAA_LF_NUM, YAA_LF_BOOL } yaa_log_ftype;

typedef struct yaa_log_field {
    yaa_log_ftype type;
    const char *key;
    const char *s;
    int64_t i;
    double d;
} yaa_log_field;

#define YAA_F_STR(k, v) ((yaa_log_field){YAA_LF_STR, (k), (v), 0, 0})
#define YAA_F_INT(k, v) ((yaa_log_field){YAA_LF_INT, (k), NULL, (int64_t)(v), 0})
#define YAA_F_NUM(k, v) ((yaa_log_field){YAA_LF_NUM, (k), NULL, 0, (double)(v)})
#define YAA_F_BOOL(k, v) ((yaa_log_field){YAA_LF_BOOL, (k), NULL, (v) ? 1 : 0, 0})
#define YAA_F_END ((yaa_log_field){YAA_LF_END, NULL, NULL, 0, 0})

/* Receives every emitted line as JSON (whatever the stdout format), e.g. the Loki shipper.
 * Must not block: called on the logging thread. */
typedef void (*yaa_log_sink_fn)(void *ud, yaa_log_level level, const char *logger,
                                const char *json_line, size_t len);

/* Configure once at start. json=false gives "ts LEVEL logger: msg k=v" lines. */
void yaa_log_setup(yaa_log_level min_level, bool json, FILE *out);
/* After yaa_log_setup: readable "level: msg (k=v)" lines for a person at a terminal, showing
 * only levels >= min_shown (sinks such as Loki still receive every enabled record). */
void yaa_log_set_console(yaa_log_level min_shown);
int yaa_log_level_parse(const char *s, yaa_log_level *out);
const char *yaa_log_level_name(yaa_log_level level);
bool yaa_log_enabled(yaa_log_level level);
/* Up to 4 sinks; returns 0 or YAA_ELIMIT. */
int yaa_log_add_sink(yaa_log_sink_fn fn, void *ud);
void yaa_log_remove_sink(yaa_log_sink_fn fn, void *ud);

/* The calling thread's context; the pointer must stay valid while set. */
void yaa_log_ctx_set(const yaa_log_ctx *ctx);
const yaa_log_ctx *yaa_log_ctx_get(void);

/* Emits msg with extra fields, terminated by YAA_F_END. */
void yaa_log_ev(yaa_log_level level, const char *logger, const char *msg, ...);
/* printf-style message without extra fields. */
void yaa_logf(yaa_log_level level, const char *logger, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define yaa_log_debug(logger, ...) yaa_logf(YAA_LOG_DEBUG, logger, __VA_ARGS__)
#define yaa_log_info(logger, ...) yaa_logf(YAA_LOG_INFO, logger, __VA_ARGS__)
#define yaa_log_warn(logger, ...) yaa_logf(YAA_LOG_WARN, logger, __VA_ARGS__)
#define yaa_log_error(logger, ...) yaa_logf(YAA_LOG_ERROR, logger, __VA_ARGS__)

#endif
