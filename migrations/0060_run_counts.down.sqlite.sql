-- 0060_run_counts: drop the counts and their triggers.
DROP TRIGGER tr_run_counts_update;
DROP TRIGGER tr_run_counts_delete;
DROP TRIGGER tr_run_counts_insert;
DROP TABLE run_counts;
