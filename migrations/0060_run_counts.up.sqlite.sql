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
) WITHOUT ROWID;

INSERT INTO run_counts (channel_id, status, runs, duration_sum, duration_n)
SELECT channel_id, status, COUNT(*),
       COALESCE(SUM(CASE WHEN status = 'completed' AND completed_at IS NOT NULL THEN (julianday(completed_at) - julianday(created_at)) * 86400.0 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN status = 'completed' AND completed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
FROM pipeline_runs GROUP BY channel_id, status;

CREATE TRIGGER tr_run_counts_insert AFTER INSERT ON pipeline_runs
BEGIN
    INSERT INTO run_counts (channel_id, status, runs, duration_sum, duration_n)
    VALUES (NEW.channel_id, NEW.status, 1, CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN (julianday(NEW.completed_at) - julianday(NEW.created_at)) * 86400.0 ELSE 0 END,
            CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN 1 ELSE 0 END)
    ON CONFLICT (channel_id, status) DO UPDATE SET
        runs = runs + 1,
        duration_sum = duration_sum + excluded.duration_sum,
        duration_n = duration_n + excluded.duration_n;
END;

CREATE TRIGGER tr_run_counts_delete AFTER DELETE ON pipeline_runs
BEGIN
    UPDATE run_counts SET
        runs = runs - 1,
        duration_sum = duration_sum - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN (julianday(OLD.completed_at) - julianday(OLD.created_at)) * 86400.0 ELSE 0 END,
        duration_n = duration_n - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN 1 ELSE 0 END
    WHERE channel_id = OLD.channel_id AND status = OLD.status;
END;

CREATE TRIGGER tr_run_counts_update
AFTER UPDATE OF channel_id, status, created_at, completed_at ON pipeline_runs
BEGIN
    UPDATE run_counts SET
        runs = runs - 1,
        duration_sum = duration_sum - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN (julianday(OLD.completed_at) - julianday(OLD.created_at)) * 86400.0 ELSE 0 END,
        duration_n = duration_n - CASE WHEN OLD.status = 'completed' AND OLD.completed_at IS NOT NULL THEN 1 ELSE 0 END
    WHERE channel_id = OLD.channel_id AND status = OLD.status;
    INSERT INTO run_counts (channel_id, status, runs, duration_sum, duration_n)
    VALUES (NEW.channel_id, NEW.status, 1, CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN (julianday(NEW.completed_at) - julianday(NEW.created_at)) * 86400.0 ELSE 0 END,
            CASE WHEN NEW.status = 'completed' AND NEW.completed_at IS NOT NULL THEN 1 ELSE 0 END)
    ON CONFLICT (channel_id, status) DO UPDATE SET
        runs = runs + 1,
        duration_sum = duration_sum + excluded.duration_sum,
        duration_n = duration_n + excluded.duration_n;
END;
