-- 0002_audit_logs: drop the table (its indexes go with it).
DROP TABLE IF EXISTS audit_logs;
