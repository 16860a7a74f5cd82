-- 0021_usage_rollup: drop the rollup and its trigger.
DROP TRIGGER tr_usage_rollup ON usage_events;
DROP FUNCTION yaa_usage_rollup();
DROP TABLE usage_rollup;
