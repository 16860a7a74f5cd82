-- 0060_run_counts: how many runs each channel has in each status, and the summed duration of
-- its completed runs, kept in step by triggers on pipeline_runs. The dashboard summary and the
-- total of a runs list read these few rows (channels x statuses) instead of counting every run,
-- so they cost the same at a million runs as at a thousand. Rows are never deleted (a count
-- may fall to 0), so their number stays bounded by channels x statuses.
CREATE TABLE run_counts (
    channel_id   TEXT NOT NULL,
    status       TEXT NOT NULL,
    runs         BIGINT NOT NULL DEFAULT 0,
    duration_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    duration_n   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, status)
);

INSERT INTO run_counts (channel_id, status, runs, duration_sum, duration_n)
SELECT channel_id, status, COUNT(*),
       COALESCE(SUM(CASE WHEN status = 'completed' AND completed_at IS NOT NULL THEN EXTRACT(EPOCH FROM (completed_at::timestamptz - created_at::timestamptz))::float8 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN status = 'completed' AND completed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
FROM pipeline_runs GROUP BY channel_id, status;

CREATE FUNCTION yaa_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE run_counts SET
        runs = runs - 1,
        duration_sum = duration_sum - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN EXTRACT(EPOCH FROM (OLD.completed_at::timestamptz - OLD.created_at::timestamptz))::float8 ELSE 0 END,
        duration_n = duration_n - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN 1 ELSE 0 END
    WHERE channel_id = OLD.channel_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO run_counts AS x (channel_id, status, runs, duration_sum, duration_n)
    VALUES (NEW.channel_id, NEW.status, 1, CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN EXTRACT(EPOCH FROM (NEW.completed_at::timestamptz - NEW.created_at::timestamptz))::float8 ELSE 0 END,
            CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN 1 ELSE 0 END)
    ON CONFLICT (channel_id, status) DO UPDATE SET
        runs = x.runs + 1,
        duration_sum = x.duration_sum + excluded.duration_sum,
        duration_n = x.duration_n + excluded.duration_n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tr_run_counts AFTER INSERT OR DELETE ON pipeline_runs
    FOR EACH ROW EXECUTE FUNCTION yaa_run_counts();
CREATE TRIGGER tr_run_counts_update
    AFTER UPDATE OF channel_id, status, created_at, completed_at ON pipeline_runs
    FOR EACH ROW EXECUTE FUNCTION yaa_run_counts();
