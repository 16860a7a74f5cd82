-- 0050_run_artifacts: which object is the current version of each file of a run, when the
-- artifact store is S3 (ARTIFACT_STORE=s3://...). Each stage attempt uploads its files under
-- its own keys, then points these rows at them in one transaction; a row only moves to a
-- later attempt of the same stage (or to another stage), so a stale attempt that finishes
-- late never replaces a newer one. The file store needs no rows: the run folder is current.
CREATE TABLE run_artifacts (
    run_id      TEXT NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    object_key  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE INDEX ix_run_artifacts_created_at ON run_artifacts (created_at);
