/* audit.h - audit rows and key last_used_at updates, written by one background thread in
 * batches so they never add latency to a request. */
#ifndef YAA_API_AUDIT_H
#define YAA_API_AUDIT_H

#include "core/err.h"

#include <stddef.h>

typedef struct yaa_audit_entry {
    char timestamp[32]; /* storage form */
    char method[12];
    char path[256];
    int status_code;
    char api_key_id[40]; /* "" = none */
    char ip_address[64];
    char user_agent[256];
    double duration_ms;
    char request_id[72];
    long count; /* requests this row stands for (0 = 1) */
} yaa_audit_entry;

/* Writes a batch (in one transaction). */
typedef int (*yaa_audit_write_fn)(void *ud, const yaa_audit_entry *rows, size_t n, yaa_err *err);
/* Sets api_keys.last_used_at for the given key ids to now. */
typedef int (*yaa_audit_touch_fn)(void *ud, const char *const *key_ids, size_t n, yaa_err *err);

typedef struct yaa_audit yaa_audit;

yaa_audit *yaa_api_audit_start(yaa_audit_write_fn write, yaa_audit_touch_fn touch, void *ud);
/* Queues one row (copied); drops it with a warning if the backlog is full. */
void yaa_api_audit_push(yaa_audit *a, const yaa_audit_entry *e);
/* Counts a refused request (401, 429): one row per client address and status per 10 s,
 * carrying how many there were, so a flood adds a few rows, not one per request. */
void yaa_api_audit_count(yaa_audit *a, const yaa_audit_entry *e);
/* Deletes rows older than days (0 = never), at start and hourly, from the writer thread. */
typedef int (*yaa_audit_prune_fn)(void *ud, long days, yaa_err *err);
void yaa_api_audit_set_retention(yaa_audit *a, long days, yaa_audit_prune_fn prune);
/* Notes that key_id was used (coalesced per flush). */
void yaa_api_audit_touch(yaa_audit *a, const char *key_id);
/* Writes everything queued so far and waits until it is written (tests, shutdown). */
void yaa_api_audit_flush(yaa_audit *a);
/* Flushes and stops the thread. */
void yaa_api_audit_stop(yaa_audit *a);

#endif
