-- 0020_usage_indexes: covering indexes for the grouped usage queries (GET /usage/summary,
-- `yaa usage`, budgets). Each starts with the grouping column, then created_at (the usual
-- range filter), then the summed columns, so both SQLite and PostgreSQL answer a GROUP BY
-- from the index alone, already in group order, without reading the table.
DROP INDEX ix_usage_events_run_id;
DROP INDEX ix_usage_events_created_at;
CREATE INDEX ix_usage_events_run_id ON usage_events
    (run_id, created_at, id, prompt_tokens, completion_tokens, total_tokens, cost_usd);
CREATE INDEX ix_usage_events_created_at ON usage_events
    (created_at, id, prompt_tokens, completion_tokens, total_tokens, cost_usd);
CREATE INDEX ix_usage_events_agent ON usage_events
    (agent, created_at, prompt_tokens, completion_tokens, total_tokens, cost_usd);
CREATE INDEX ix_usage_events_provider ON usage_events
    (provider, created_at, prompt_tokens, completion_tokens, total_tokens, cost_usd);
CREATE INDEX ix_usage_events_model ON usage_events
    (model, provider, created_at, prompt_tokens, completion_tokens, total_tokens, cost_usd);
