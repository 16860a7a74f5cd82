-- 0040: an audit row may stand for several requests (failed authentications and 429s are
-- recorded once per client address and minute with how many there were).
ALTER TABLE audit_logs ADD COLUMN request_count INTEGER NOT NULL DEFAULT 1;
