-- 0041: answers kept for Idempotency-Key (POST /pipeline/run, /pipeline/batch): the same key
-- and body within 24 h get the first answer again; status 0 = the first request is running.
CREATE TABLE idempotency_keys (
    api_key_id TEXT NOT NULL,
    route TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    response_json TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (api_key_id, route, idem_key)
);
CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at);
