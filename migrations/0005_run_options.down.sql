ALTER TABLE pipeline_runs DROP COLUMN options_json;
