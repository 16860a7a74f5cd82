-- 0001_core: runs and their stage checkpoints, channels, API keys, usage events and the
-- db queue's jobs. Plain SQL that SQLite and PostgreSQL both run. Timestamps are TEXT in
-- the sortable form 2026-02-06T10:00:00.123456Z (UTC); booleans are INTEGER 0/1.

CREATE TABLE pipeline_runs (
    id            TEXT PRIMARY KEY,
    channel_id    TEXT NOT NULL,
    topic         TEXT NOT NULL,
    brand_name    TEXT NOT NULL DEFAULT '',
    dry_run       INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    current_agent TEXT,
    result_json   TEXT,
    errors_json   TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    completed_at  TEXT
);
CREATE INDEX ix_pipeline_runs_channel_id ON pipeline_runs (channel_id);
CREATE INDEX ix_pipeline_runs_status ON pipeline_runs (status);
CREATE INDEX ix_pipeline_runs_created_at ON pipeline_runs (created_at);

CREATE TABLE run_stages (
    run_id      TEXT NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
    attempt     INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT,
    finished_at TEXT,
    output_json TEXT,
    error       TEXT,
    PRIMARY KEY (run_id, stage)
);

CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT 'general',
    description TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT 'en',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    scopes_json  TEXT NOT NULL DEFAULT '["read","write"]',
    is_active    INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT
);

CREATE TABLE usage_events (
    id                TEXT PRIMARY KEY,
    run_id            TEXT REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    agent             TEXT NOT NULL DEFAULT '',
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL DEFAULT 'chat'
                      CHECK (kind IN ('chat', 'embedding', 'tts', 'image')),
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens      BIGINT NOT NULL DEFAULT 0,
    units             DOUBLE PRECISION NOT NULL DEFAULT 0,
    cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);
CREATE INDEX ix_usage_events_run_id ON usage_events (run_id);
CREATE INDEX ix_usage_events_created_at ON usage_events (created_at);

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    queue        TEXT NOT NULL DEFAULT 'pipeline',
    payload_json TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'queued',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    run_at       TEXT NOT NULL,
    locked_by    TEXT,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX ix_jobs_claim ON jobs (queue, status, run_at);
