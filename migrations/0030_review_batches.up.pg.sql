-- 0030_review_batches: review gates and batches (docs/WORKFLOW.md).
-- pipeline_runs.batch_id groups the runs one POST /pipeline/batch created; review_json holds
-- the run's review state {"stage": "script"|"video"|null, "approved": [...], "history": [...]};
-- status gains 'awaiting_review' (a run stopped at a gate, holding no worker).
ALTER TABLE pipeline_runs ADD COLUMN batch_id TEXT;
ALTER TABLE pipeline_runs ADD COLUMN review_json TEXT;
ALTER TABLE pipeline_runs DROP CONSTRAINT IF EXISTS pipeline_runs_status_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_status_check
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'awaiting_review'));
CREATE INDEX ix_pipeline_runs_batch ON pipeline_runs (batch_id);
