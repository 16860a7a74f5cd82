/* err.c - error codes, their names and message formatting. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *yaa_err_name(int code) {
    switch (code) {
#define YAA_ERR_NAME(name, value, text) \
    case value: return #name;
        YAA_ERRORS(YAA_ERR_NAME)
#undef YAA_ERR_NAME
    default: return "YAA_EUNKNOWN";
    }
}

const char *yaa_strerror(int code) {
    switch (code) {
#define YAA_ERR_TEXT(name, value, text) \
    case value: return text;
        YAA_ERRORS(YAA_ERR_TEXT)
#undef YAA_ERR_TEXT
    default: return "unknown error";
    }
}

int yaa_err_set(yaa_err *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int yaa_err_prefix(yaa_err *err, const char *fmt, ...) {
    if (!err) return YAA_EINVAL;
    char prefix[YAA_ERR_MSG_MAX];
    char old[YAA_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    memcpy(err->msg, prefix, n + 1);
    size_t room = sizeof err->msg - 1 - n;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n, old, m);
    err->msg[n + m] = '\0';
    return err->code;
}

void yaa_err_clear(yaa_err *err) {
    if (!err) return;
    err->code = 0;
    err->msg[0] = '\0';
}
