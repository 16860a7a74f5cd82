/* buf.h - growable byte buffer with a hard cap (curl's dynbuf idea) plus string helpers. */
#ifndef YAA_CORE_BUF_H
#define YAA_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct yaa_buf {
    char *data; /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t alloc;
    size_t max; /* appends that would exceed it fail with YAA_ELIMIT; 0 = 64 MiB */
} yaa_buf;

void yaa_buf_init(yaa_buf *b, size_t max);
int yaa_buf_append(yaa_buf *b, const void *p, size_t n);
int yaa_buf_puts(yaa_buf *b, const char *s);
int yaa_buf_putc(yaa_buf *b, char c);
int yaa_buf_printf(yaa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int yaa_buf_vprintf(yaa_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
int yaa_buf_json_str(yaa_buf *b, const char *s);
void yaa_buf_reset(yaa_buf *b);
/* Hands the data to the caller (free() it); the buffer is left empty. */
char *yaa_buf_steal(yaa_buf *b);
void yaa_buf_free(yaa_buf *b);
/* "" when empty, never NULL. */
const char *yaa_buf_cstr(const yaa_buf *b);

/* Reads a whole file, failing with YAA_ELIMIT past max bytes. Caller frees *out. */
int yaa_read_file(const char *path, size_t max, char **out, size_t *len);
/* Writes atomically: to path.tmp-<host>-<pid>-<n> (core/host.h), fsync, rename. */
int yaa_write_file(const char *path, const void *data, size_t len);
/* mkdir -p */
int yaa_mkdirs(const char *path, unsigned mode);
/* Calls fn for every regular file below dir, depth first: path is its full path, rel its path
 * under dir ("a/b.txt"). Hidden names (".x") are skipped and symbolic links are not followed,
 * so a walk never leaves dir. A non-zero return from fn stops the walk and is returned; a
 * missing dir walks nothing. */
struct stat;
typedef int (*yaa_walk_fn)(void *ud, const char *path, const char *rel, const struct stat *st);
int yaa_walk_files(const char *dir, yaa_walk_fn fn, void *ud);

bool yaa_str_eq(const char *a, const char *b);
bool yaa_str_startswith(const char *s, const char *prefix);
bool yaa_str_endswith(const char *s, const char *suffix);
/* Trims ASCII whitespace in place and returns s. */
char *yaa_str_trim(char *s);
/* Parses strict booleans: true/false/1/0/yes/no/on/off (case-insensitive). */
int yaa_parse_bool(const char *s, bool *out);
/* Parses a base-10 integer in [min,max], whole string. */
int yaa_parse_long(const char *s, long min, long max, long *out);
int yaa_parse_double(const char *s, double *out);
/* True if s is valid UTF-8 (no overlongs, no surrogates). */
bool yaa_utf8_valid(const char *s, size_t n);
/* Length in code points of valid UTF-8. */
size_t yaa_utf8_len(const char *s);
/* Largest byte prefix of s with at most max_bytes that does not split a code point. */
size_t yaa_utf8_prefix(const char *s, size_t max_bytes);

/* Constant-time comparison of two equal-length byte strings. */
bool yaa_ct_equal(const void *a, const void *b, size_t n);

#endif
