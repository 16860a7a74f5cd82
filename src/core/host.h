/* host.h - this machine's short tag, and the temporary file names that carry it.
 *
 * Several hosts may share one OUTPUT_DIR (NFS). A temporary name that held only a pid could
 * be judged "abandoned" by a host on which that pid is gone while the writer lives on
 * another host; every temporary name therefore carries the writer's host tag:
 *
 *   <path><kind>-<host>-<pid>-<n><suffix>   e.g. video.mp4.part-web1-4242-0
 *                                               .yaa-subs-web1-4242-3.ass
 *                                               script.json.tmp-web1-4242-17
 *
 * <host> is the hostname kept to [A-Za-z0-9-] ('.' becomes '-'), at most YAA_HOST_TAG_MAX
 * characters; a name that had to be cut or lost other characters ends in 8 hex digits of a
 * hash of the whole hostname, so two hosts never share a tag by truncation. <n> is a
 * process-wide counter: two threads of one process never share a name either. */
#ifndef YAA_CORE_HOST_H
#define YAA_CORE_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define YAA_HOST_TAG_MAX 24

/* This host's tag, computed once (thread-safe); never empty. */
const char *yaa_host_tag(void);
/* The tag of hostname raw, into out (YAA_HOST_TAG_MAX + 1 bytes). */
void yaa_host_tag_from(const char *raw, char out[YAA_HOST_TAG_MAX + 1]);
/* Tests: pretend the hostname is raw (NULL: the real one again). Not for threaded use. */
void yaa_host_tag_override(const char *raw);

/* Writes "<path><kind>-<host>-<pid>-<n><suffix>" into out (kind, suffix: NULL for none), e.g.
 * (path, ".part", NULL) or (".yaa-subs", NULL, ".ass"); returns 0, or YAA_ELIMIT when it does
 * not fit in n bytes (out is then empty). */
int yaa_host_temp_name(char *out, size_t n, const char *path, const char *kind, const char *suffix);

/* What a temporary name's "-[<host>-]<pid>-<n>" tail says about its writer. */
typedef struct {
    const char *host; /* points into the tail; NULL for a legacy name without a host */
    size_t host_len;
    long pid;
} yaa_host_temp_owner;
/* Parses the len bytes at tail as "-<host>-<pid>-<n>" or the legacy "-<pid>-<n>"; returns
 * false when they are neither. */
bool yaa_host_temp_parse(const char *tail, size_t len, yaa_host_temp_owner *out);
/* Whether the owner is this host (by tag); false for a hostless name. */
bool yaa_host_temp_mine(const yaa_host_temp_owner *o);

#endif
