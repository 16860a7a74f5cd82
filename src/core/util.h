/* util.h - UUIDv4, RFC 3339 time, monotonic clocks and randomness. */
#ifndef YAA_CORE_UTIL_H
#define YAA_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define YAA_UUID_LEN 36
#define YAA_TIME_LEN 20 /* "2026-02-06T10:00:00Z" */

/* Fills buf with n bytes from the kernel CSPRNG; returns 0 or YAA_EIO. */
int yaa_random_bytes(void *buf, size_t n);
/* Writes a UUIDv4 string (37 bytes with NUL) to out. */
int yaa_uuid4(char out[YAA_UUID_LEN + 1]);
int yaa_uuid_valid(const char *s);

/* Wall clock seconds since the epoch. */
time_t yaa_now(void);
/* Formats t as RFC 3339 UTC ("…Z"). */
void yaa_time_format(time_t t, char out[YAA_TIME_LEN + 1]);
/* Current time as RFC 3339 UTC. */
void yaa_time_now_str(char out[YAA_TIME_LEN + 1]);
/* Parses RFC 3339 ("2026-02-06T10:00:00Z", "+09:00" offsets, fractional seconds)
 * or a plain date ("2026-02-06"); returns 0 or YAA_EINVAL. */
int yaa_time_parse(const char *s, time_t *out);
/* Monotonic time in nanoseconds and in seconds (double). */
uint64_t yaa_mono_ns(void);
double yaa_mono_sec(void);
/* Sleeps for ms milliseconds (restarts on EINTR). */
void yaa_sleep_ms(long ms);

/* SHA-256 of data as 64 lowercase hex characters. */
void yaa_sha256_hex(const void *data, size_t n, char out[65]);
/* Whether path, every symlink resolved, is root or inside it (root resolved too). A path that
 * does not exist yet is judged by its nearest existing parent. False when root cannot be
 * resolved. For refusing symlinks that lead out of OUTPUT_DIR or CHANNELS_DIR. */
bool yaa_path_inside(const char *root, const char *path);

#endif
