/* budget.c - spend caps: sums of usage_events for the channel this month and for the run. */
#include "pipeline/budget.h"

#include "channels/channels.h"
#include "core/util.h"
#include "db/repo.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int spent(struct yaa_db *db, const char *channel_id, const char *run_id, const char *from,
                 double *out, yaa_err *err) {
    yaa_db_usage_filter f = {0};
    f.channel_id = channel_id;
    f.run_id = run_id;
    f.from = from;
    yaa_db_usage_totals t = {0};
    int rc = yaa_db_usage_totals_get(db, &f, &t, err);
    *out = t.cost_usd;
    return rc;
}

static void month_start(char out[64]) {
    time_t now = yaa_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, 64, "%04d-%02d-01T00:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1);
}

int yaa_pipeline_budget_status_get(struct yaa_db *db, const struct yaa_channel *ch,
                                   yaa_budget_status *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    out->has_monthly = ch->budget.has_monthly_usd;
    out->monthly_usd = ch->budget.monthly_usd;
    out->has_per_run = ch->budget.has_per_run_usd;
    out->per_run_usd = ch->budget.per_run_usd;
    char from[64];
    month_start(from);
    return spent(db, ch->id, NULL, from, &out->month_spent_usd, err);
}

int yaa_pipeline_budget_check_start(struct yaa_db *db, const struct yaa_channel *ch, yaa_err *err) {
    if (!ch->budget.has_monthly_usd) return 0;
    yaa_budget_status st;
    int rc = yaa_pipeline_budget_status_get(db, ch, &st, err);
    if (rc) return rc;
    if (st.month_spent_usd >= st.monthly_usd)
        return yaa_err_set(err, YAA_EBUDGET,
                           "channel '%s' has spent $%.4f this month of its monthly budget $%.2f "
                           "(budget.monthly_usd in config.yaml); no new run until next month or a "
                           "higher budget",
                           ch->id, st.month_spent_usd, st.monthly_usd);
    return 0;
}

int yaa_pipeline_budget_check_run(struct yaa_db *db, const struct yaa_channel *ch,
                                  const char *run_id, yaa_err *err) {
    if (ch->budget.has_per_run_usd) {
        double run_spent = 0;
        int rc = spent(db, NULL, run_id, NULL, &run_spent, err);
        if (rc) return rc;
        if (run_spent >= ch->budget.per_run_usd)
            return yaa_err_set(err, YAA_EBUDGET,
                               "budget: this run has spent $%.4f, reaching its per-run budget "
                               "$%.2f (budget.per_run_usd of channel '%s')",
                               run_spent, ch->budget.per_run_usd, ch->id);
    }
    if (ch->budget.has_monthly_usd) {
        yaa_budget_status st;
        int rc = yaa_pipeline_budget_status_get(db, ch, &st, err);
        if (rc) return rc;
        if (st.month_spent_usd >= st.monthly_usd)
            return yaa_err_set(err, YAA_EBUDGET,
                               "budget: channel '%s' has spent $%.4f this month, reaching its "
                               "monthly budget $%.2f (budget.monthly_usd)",
                               ch->id, st.month_spent_usd, st.monthly_usd);
    }
    return 0;
}
