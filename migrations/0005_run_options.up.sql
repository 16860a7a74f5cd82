-- 0005_run_options: what a run was asked for beyond the contract's columns (e.g. {"short":
-- true} for a 9:16 video), so a worker that picks the job up renders what was requested.
ALTER TABLE pipeline_runs ADD COLUMN options_json TEXT;
