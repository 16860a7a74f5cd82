-- 0030_review_batches: review gates and batches (docs/WORKFLOW.md).
-- pipeline_runs.batch_id groups the runs one POST /pipeline/batch created; review_json holds
-- the run's review state {"stage": "script"|"video"|null, "approved": [...], "history": [...]};
-- status gains 'awaiting_review' (a run stopped at a gate, holding no worker).
--
-- SQLite cannot alter a CHECK constraint and a table rebuild would cascade-delete run_stages
-- (foreign keys are on), so the constraint's text is widened in place: every existing row
-- still satisfies it. The ADD COLUMNs come first (they rewrite the same text by offset);
-- writable_schema = RESET makes this connection re-read the schema and CREATE INDEX bumps
-- the schema cookie so every other connection does too.
ALTER TABLE pipeline_runs ADD COLUMN batch_id TEXT;
ALTER TABLE pipeline_runs ADD COLUMN review_json TEXT;
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''cancelled'')', '''cancelled'', ''awaiting_review'')')
 WHERE type = 'table' AND name = 'pipeline_runs' AND sql NOT LIKE '%awaiting_review%';
PRAGMA writable_schema = RESET;
CREATE INDEX ix_pipeline_runs_batch ON pipeline_runs (batch_id);
