-- 0030_review_batches down: runs waiting for review go back to pending, then the constraint,
-- the index and the columns are removed (see the up file for why the CHECK is edited in place).
UPDATE pipeline_runs SET status = 'pending' WHERE status = 'awaiting_review';
DROP INDEX ix_pipeline_runs_batch;
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''cancelled'', ''awaiting_review'')', '''cancelled'')')
 WHERE type = 'table' AND name = 'pipeline_runs';
PRAGMA writable_schema = RESET;
ALTER TABLE pipeline_runs DROP COLUMN review_json;
ALTER TABLE pipeline_runs DROP COLUMN batch_id;
