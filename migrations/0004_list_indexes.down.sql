-- 0004_list_indexes: back to the single-column indexes of 0001/0002.
DROP INDEX ix_pipeline_runs_channel_id;
DROP INDEX ix_pipeline_runs_status;
DROP INDEX ix_pipeline_runs_created_at;
CREATE INDEX ix_pipeline_runs_channel_id ON pipeline_runs (channel_id);
CREATE INDEX ix_pipeline_runs_status ON pipeline_runs (status);
CREATE INDEX ix_pipeline_runs_created_at ON pipeline_runs (created_at);

DROP INDEX ix_audit_logs_timestamp;
DROP INDEX ix_audit_logs_api_key_id;
CREATE INDEX ix_audit_logs_timestamp ON audit_logs ("timestamp");
CREATE INDEX ix_audit_logs_api_key_id ON audit_logs (api_key_id);

DROP INDEX ix_usage_events_run_id;
DROP INDEX ix_usage_events_created_at;
CREATE INDEX ix_usage_events_run_id ON usage_events (run_id);
CREATE INDEX ix_usage_events_created_at ON usage_events (created_at);
