/* test_util.h - helpers shared by the unit tests: temp dirs, cmocka includes. */
#ifndef YAA_TEST_UTIL_H
#define YAA_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka must come after the headers above */
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes a fresh directory under $TMPDIR; the path is written to out. */
static inline void yaa_test_tmpdir(char *out, size_t n) {
    const char *base = getenv("TMPDIR");
    snprintf(out, n, "%s/yaa-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

/* rm -rf path (tests only). */
static inline void yaa_test_rmrf(const char *path) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", path);
}

/* The source tree (for fixtures): YAA_SOURCE_DIR from CTest, else the compile-time value. */
static inline const char *yaa_test_source_dir(void) {
    const char *s = getenv("YAA_SOURCE_DIR");
    return s && *s ? s : YAA_SOURCE_DIR;
}

#endif
