/* err.h - yaa's one error type: a negative code plus a message a user can act on. */
#ifndef YAA_CORE_ERR_H
#define YAA_CORE_ERR_H

#include <stddef.h>

/* X-macro table: code name, value, short description. */
#define YAA_ERRORS(X)                       \
    X(YAA_OK, 0, "ok")                      \
    X(YAA_EINVAL, -1, "invalid argument")   \
    X(YAA_ENOMEM, -2, "out of memory")      \
    X(YAA_EIO, -3, "input/output error")    \
    X(YAA_ENOTFOUND, -4, "not found")       \
    X(YAA_EEXIST, -5, "already exists")     \
    X(YAA_ECONFIG, -6, "bad configuration") \
    X(YAA_EDB, -7, "database error")        \
    X(YAA_ENET, -8, "network error")        \
    X(YAA_ETIMEOUT, -9, "timed out")        \
    X(YAA_EPARSE, -10, "parse error")       \
    X(YAA_ECONFLICT, -11, "conflict")       \
    X(YAA_EAUTH, -12, "not authorised")     \
    X(YAA_ELIMIT, -13, "limit exceeded")    \
    X(YAA_ECANCELLED, -14, "cancelled")     \
    X(YAA_EBUDGET, -15, "budget exceeded")  \
    X(YAA_EPROVIDER, -16, "provider error") \
    X(YAA_EUNAVAILABLE, -17, "service unavailable")

enum yaa_errcode {
#define YAA_ERR_ENUM(name, value, text) name = value,
    YAA_ERRORS(YAA_ERR_ENUM)
#undef YAA_ERR_ENUM
};

#define YAA_ERR_MSG_MAX 512

typedef struct yaa_err {
    int code;                  /* 0 or a negative YAA_E* code */
    char msg[YAA_ERR_MSG_MAX]; /* user-facing, never contains secrets */
} yaa_err;

/* Name of a code ("YAA_ENOTFOUND") and its short description. */
const char *yaa_err_name(int code);
const char *yaa_strerror(int code);

/* Fills err (if not NULL) with code and a printf-style message; returns code,
 * so callers can write `return yaa_err_set(err, YAA_EINVAL, "...")`. */
int yaa_err_set(yaa_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends context ("channel 'x': ") to an existing message. */
int yaa_err_prefix(yaa_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void yaa_err_clear(yaa_err *err);

#endif
