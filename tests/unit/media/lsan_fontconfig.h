/* lsan_fontconfig.h - fontconfig leaks a few bytes once while parsing its XML configuration
 * (inside libexpat callbacks, unreachable from any root); tell LeakSanitizer about that one
 * known third-party leak only (full unwinding so the libexpat frame is seen). yaa's own
 * pango/cairo/fontconfig objects are still checked. */
#ifndef YAA_TEST_LSAN_FONTCONFIG_H
#define YAA_TEST_LSAN_FONTCONFIG_H

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libexpat.so\n"; }
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0"; }

#endif
