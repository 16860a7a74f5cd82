-- 0061_usage_totals: drop the totals and their triggers.
DROP TRIGGER tr_usage_totals_delete;
DROP TRIGGER tr_usage_totals_insert;
DROP TABLE usage_totals;
