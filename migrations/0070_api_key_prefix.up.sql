-- 0070_api_key_prefix: the first characters of a key ("yaa_Ab3dE9fG"), so a key list can show
-- which key is which without storing the key (its SHA-256 stays the only way to match it).
-- NULL for keys made before this migration and for an ADMIN_API_KEY that is not a yaa key.
ALTER TABLE api_keys ADD COLUMN key_prefix TEXT;
