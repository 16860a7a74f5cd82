-- 0021_usage_rollup: usage_events summed per (day, run, agent, provider, model), kept in step
-- by a trigger (an event replayed with ON CONFLICT DO NOTHING inserts nothing, so it is never
-- counted twice; deleted events - a deleted run cascades - are taken back out). Grouped usage
-- (GET /usage/summary, `yaa usage`, totals, the dashboard) reads whole days from here and only
-- the partial days at the edges of a from/to range from usage_events, so it answers from a
-- few thousand rows instead of millions. run_id is '' for usage outside a run.
CREATE TABLE usage_rollup (
    day               TEXT NOT NULL,
    run_id            TEXT NOT NULL DEFAULT '',
    agent             TEXT NOT NULL DEFAULT '',
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL DEFAULT '',
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens      BIGINT NOT NULL DEFAULT 0,
    cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0,
    events            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, run_id, agent, provider, model)
) WITH (fillfactor = 70); -- room for HOT updates: each event rewrites one row in place
CREATE INDEX ix_usage_rollup_run_id ON usage_rollup (run_id, day);

INSERT INTO usage_rollup (day, run_id, agent, provider, model, prompt_tokens, completion_tokens,
                          total_tokens, cost_usd, events)
SELECT substr(created_at, 1, 10), COALESCE(run_id, ''), agent, provider, model,
       SUM(prompt_tokens), SUM(completion_tokens), SUM(total_tokens), SUM(cost_usd), COUNT(*)
FROM usage_events GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION yaa_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO usage_rollup AS x (day, run_id, agent, provider, model, prompt_tokens,
                                       completion_tokens, total_tokens, cost_usd, events)
        VALUES (substr(NEW.created_at, 1, 10), COALESCE(NEW.run_id, ''), NEW.agent,
                NEW.provider, NEW.model, NEW.prompt_tokens, NEW.completion_tokens,
                NEW.total_tokens, NEW.cost_usd, 1)
        ON CONFLICT (day, run_id, agent, provider, model) DO UPDATE SET
            prompt_tokens = x.prompt_tokens + excluded.prompt_tokens,
            completion_tokens = x.completion_tokens + excluded.completion_tokens,
            total_tokens = x.total_tokens + excluded.total_tokens,
            cost_usd = x.cost_usd + excluded.cost_usd,
            events = x.events + 1;
    ELSE
        UPDATE usage_rollup SET
            prompt_tokens = prompt_tokens - OLD.prompt_tokens,
            completion_tokens = completion_tokens - OLD.completion_tokens,
            total_tokens = total_tokens - OLD.total_tokens,
            cost_usd = cost_usd - OLD.cost_usd,
            events = events - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND run_id = COALESCE(OLD.run_id, '')
          AND agent = OLD.agent AND provider = OLD.provider AND model = OLD.model;
        DELETE FROM usage_rollup
        WHERE day = substr(OLD.created_at, 1, 10) AND run_id = COALESCE(OLD.run_id, '')
          AND agent = OLD.agent AND provider = OLD.provider AND model = OLD.model
          AND events <= 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tr_usage_rollup AFTER INSERT OR DELETE ON usage_events
    FOR EACH ROW EXECUTE FUNCTION yaa_usage_rollup();
