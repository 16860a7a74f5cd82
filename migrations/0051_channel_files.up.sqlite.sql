-- 0051_channel_files: channels kept in the database (CHANNELS_STORE=db). Every change makes a
-- new revision holding the whole folder (config.yaml, brand_guide.yaml, knowledge/, media/,
-- music/); the highest revision is current, older ones stay for history and rollback. Small
-- files live in `content`; large media in the artifact store under `object_key`
-- (channels/<id>/<sha256>, shared by every revision that keeps the file).
CREATE TABLE channel_revisions (
    channel_id  TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (channel_id, revision)
);
CREATE TABLE channel_files (
    channel_id  TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    path        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB,
    object_key  TEXT,
    PRIMARY KEY (channel_id, revision, path),
    FOREIGN KEY (channel_id, revision) REFERENCES channel_revisions (channel_id, revision)
        ON DELETE CASCADE
);
