-- 0021_usage_rollup: drop the rollup and its triggers.
DROP TRIGGER tr_usage_rollup_delete;
DROP TRIGGER tr_usage_rollup_insert;
DROP TABLE usage_rollup;
