-- 0035_channel_credentials (down)
DROP TABLE oauth_states;
DROP TABLE channel_credentials;
