/* budget.h - spend caps from a channel's config.yaml (budget.monthly_usd, budget.per_run_usd),
 * checked before a run starts and at every stage boundary. */
#ifndef YAA_PIPELINE_BUDGET_H
#define YAA_PIPELINE_BUDGET_H

#include "core/err.h"

#include <stdbool.h>

struct yaa_db;
struct yaa_channel;

typedef struct yaa_budget_status {
    double month_spent_usd; /* this calendar month (UTC), every run of the channel */
    bool has_monthly;
    double monthly_usd;
    bool has_per_run;
    double per_run_usd;
} yaa_budget_status;

/* Spend so far this month and the channel's caps (for the channel's API view). */
int yaa_pipeline_budget_status_get(struct yaa_db *db, const struct yaa_channel *ch,
                                   yaa_budget_status *out, yaa_err *err);

/* Refuses to start a run when the channel's monthly budget is spent: YAA_EBUDGET with a
 * message naming the budget and the figures (the API answers 402, the CLI exits 1). */
int yaa_pipeline_budget_check_start(struct yaa_db *db, const struct yaa_channel *ch, yaa_err *err);

/* At a stage boundary: YAA_EBUDGET when the run's spend has reached its per-run budget or the
 * channel's monthly budget. */
int yaa_pipeline_budget_check_run(struct yaa_db *db, const struct yaa_channel *ch,
                                  const char *run_id, yaa_err *err);

#endif
