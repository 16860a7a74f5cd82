-- 0061_usage_totals: the sums of every usage event per provider, kept by triggers on
-- usage_events like usage_rollup (0021) but without the day and run in the key, so an
-- unfiltered total (the dashboard's estimated cost) reads a handful of rows at any history.
CREATE TABLE usage_totals (
    provider          TEXT PRIMARY KEY,
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens      BIGINT NOT NULL DEFAULT 0,
    cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0,
    events            BIGINT NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO usage_totals (provider, prompt_tokens, completion_tokens, total_tokens, cost_usd,
                          events)
SELECT provider, SUM(prompt_tokens), SUM(completion_tokens), SUM(total_tokens), SUM(cost_usd),
       COUNT(*)
FROM usage_events GROUP BY provider;

CREATE TRIGGER tr_usage_totals_insert AFTER INSERT ON usage_events
BEGIN
    INSERT INTO usage_totals (provider, prompt_tokens, completion_tokens, total_tokens,
                              cost_usd, events)
    VALUES (NEW.provider, NEW.prompt_tokens, NEW.completion_tokens, NEW.total_tokens,
            NEW.cost_usd, 1)
    ON CONFLICT (provider) DO UPDATE SET
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        total_tokens = total_tokens + excluded.total_tokens,
        cost_usd = cost_usd + excluded.cost_usd,
        events = events + 1;
END;

CREATE TRIGGER tr_usage_totals_delete AFTER DELETE ON usage_events
BEGIN
    UPDATE usage_totals SET
        prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens,
        total_tokens = total_tokens - OLD.total_tokens,
        cost_usd = cost_usd - OLD.cost_usd,
        events = events - 1
    WHERE provider = OLD.provider;
END;
