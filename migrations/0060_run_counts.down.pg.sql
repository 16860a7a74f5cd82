-- 0060_run_counts: drop the counts and their triggers.
DROP TRIGGER tr_run_counts_update ON pipeline_runs;
DROP TRIGGER tr_run_counts ON pipeline_runs;
DROP FUNCTION yaa_run_counts();
DROP TABLE run_counts;
