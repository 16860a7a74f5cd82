-- 0020_usage_indexes: back to the list indexes of 0004.
DROP INDEX ix_usage_events_model;
DROP INDEX ix_usage_events_provider;
DROP INDEX ix_usage_events_agent;
DROP INDEX ix_usage_events_created_at;
DROP INDEX ix_usage_events_run_id;
CREATE INDEX ix_usage_events_run_id ON usage_events (run_id, created_at, id);
CREATE INDEX ix_usage_events_created_at ON usage_events (created_at, id);
