-- 0002_audit_logs (SQLite): one row per API request; id autoincrements.
CREATE TABLE audit_logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    "timestamp" TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    api_key_id  TEXT,
    ip_address  TEXT,
    user_agent  TEXT,
    duration_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
    request_id  TEXT
);
CREATE INDEX ix_audit_logs_timestamp ON audit_logs ("timestamp");
CREATE INDEX ix_audit_logs_api_key_id ON audit_logs (api_key_id);
