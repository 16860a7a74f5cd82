-- 0035_channel_credentials: each channel's own YouTube account. The refresh token is sealed
-- (libsodium secretbox, core/secret.h) before it is stored; key_id names the key it was
-- sealed with. oauth_states holds a consent flow started by the API until its callback
-- arrives (any API instance can finish it); the PKCE verifier is sealed too.
CREATE TABLE channel_credentials (
    channel_id         TEXT PRIMARY KEY,
    provider           TEXT NOT NULL DEFAULT 'youtube',
    account_channel_id TEXT NOT NULL,
    account_title      TEXT NOT NULL DEFAULT '',
    sealed_token       TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    connected_by       TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE TABLE oauth_states (
    state           TEXT PRIMARY KEY,
    channel_id      TEXT NOT NULL,
    sealed_verifier TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    created_by      TEXT,
    expires_at      TEXT NOT NULL
);
CREATE INDEX ix_oauth_states_expires_at ON oauth_states (expires_at);
