ALTER TABLE audit_logs DROP COLUMN request_count;
