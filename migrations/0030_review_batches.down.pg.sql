-- 0030_review_batches down: runs waiting for review go back to pending; the constraint, the
-- index and the columns are put back as 0001/0005 left them.
UPDATE pipeline_runs SET status = 'pending' WHERE status = 'awaiting_review';
DROP INDEX IF EXISTS ix_pipeline_runs_batch;
ALTER TABLE pipeline_runs DROP CONSTRAINT IF EXISTS pipeline_runs_status_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_status_check
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'));
ALTER TABLE pipeline_runs DROP COLUMN review_json;
ALTER TABLE pipeline_runs DROP COLUMN batch_id;
