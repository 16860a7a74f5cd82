-- 0001_core: drops what the up file created, dependents first.
DROP TABLE IF EXISTS jobs;
DROP TABLE IF EXISTS usage_events;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS channels;
DROP TABLE IF EXISTS run_stages;
DROP TABLE IF EXISTS pipeline_runs;
