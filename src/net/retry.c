/* retry.c - the retry loop around yaa_net_http_perform: backoff with jitter, Retry-After, caps. */
#include "net/net.h"

#include "core/log.h"
#include "core/util.h"

#include <stdint.h>

#define RETRY_ATTEMPTS 4
#define RETRY_BASE_MS 500L
#define RETRY_MAX_DELAY_MS 30000L
#define RETRY_MAX_TOTAL_MS 120000L

bool yaa_net_http_status_retryable(long status) {
    if (status == 408 || status == 425 || status == 429) return true;
    return status >= 500 && status <= 599 && status != 501 && status != 505;
}

long yaa_net_http_backoff_ms(const yaa_http_retry *p, int attempt, long retry_after_ms) {
    if (retry_after_ms >= 0) return retry_after_ms;
    long base = p && p->base_delay_ms > 0 ? p->base_delay_ms : RETRY_BASE_MS;
    long cap = p && p->max_delay_ms > 0 ? p->max_delay_ms : RETRY_MAX_DELAY_MS;
    long d = base;
    for (int i = 1; i < attempt && d < cap; i++) d *= 2;
    if (d > cap) d = cap;
    uint32_t r = 0;
    if (yaa_random_bytes(&r, sizeof r)) r = 0;
    long half = d / 2;
    return half + (half > 0 ? (long)(r % (uint32_t)(half + 1)) : 0);
}

/* Sleeps ms in short slices; returns true if cancelled meanwhile. */
static bool wait_ms(long ms, const yaa_http_retry *p) {
    while (ms > 0) {
        if (p && p->cancel && p->cancel(p->cancel_ud)) return true;
        long slice = ms < 50 ? ms : 50;
        yaa_sleep_ms(slice);
        ms -= slice;
    }
    return p && p->cancel && p->cancel(p->cancel_ud);
}

int yaa_net_http_send(const yaa_http_request *req, const yaa_http_retry *policy,
                      yaa_http_reply *rep, yaa_err *err) {
    yaa_err local;
    if (!err) err = &local;
    int max_attempts = policy && policy->max_attempts > 0 ? policy->max_attempts : RETRY_ATTEMPTS;
    long budget =
        policy && policy->max_total_wait_ms > 0 ? policy->max_total_wait_ms : RETRY_MAX_TOTAL_MS;
    yaa_http_request r = *req;
    if (!r.cancel && policy && policy->cancel) {
        r.cancel = policy->cancel;
        r.cancel_ud = policy->cancel_ud;
    }
    long waited = 0;
    int rc = 0;
    for (int attempt = 1;; attempt++) {
        yaa_err_clear(err);
        rc = yaa_net_http_perform(&r, rep, err);
        rep->attempts = attempt;
        if (rc == YAA_ECANCELLED || rc == YAA_ELIMIT || rc == YAA_EINVAL || rc == YAA_ENOMEM)
            return rc;
        bool retry = rc ? true : yaa_net_http_status_retryable(rep->status);
        if (!retry || attempt >= max_attempts) return rc;
        long ra = rc ? -1 : yaa_net_http_retry_after_ms(rep);
        long delay = yaa_net_http_backoff_ms(policy, attempt, ra);
        if (waited + delay > budget) {
            yaa_log_ev(YAA_LOG_WARN, "net", "not retrying: wait past the retry budget",
                       YAA_F_INT("delay_ms", delay), YAA_F_INT("budget_ms", budget),
                       YAA_F_INT("status", rep->status), YAA_F_END);
            return rc;
        }
        if (policy && policy->on_retry)
            policy->on_retry(policy->retry_ud, attempt, rc ? 0 : rep->status, rc, delay);
        yaa_log_ev(YAA_LOG_INFO, "net", "retrying request", YAA_F_INT("attempt", attempt),
                   YAA_F_INT("status", rc ? 0 : rep->status),
                   YAA_F_STR("error", rc ? err->msg : ""), YAA_F_INT("delay_ms", delay), YAA_F_END);
        if (wait_ms(delay, policy)) return yaa_err_set(err, YAA_ECANCELLED, "request cancelled");
        waited += delay;
    }
}
