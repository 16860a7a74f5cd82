-- 0061_usage_totals: drop the totals and their trigger.
DROP TRIGGER tr_usage_totals ON usage_events;
DROP FUNCTION yaa_usage_totals();
DROP TABLE usage_totals;
