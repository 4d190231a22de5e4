-- Kept totals recounted once per bulk write instead of once per row (SQLite). Keep in
-- step with ../../postgres/.
--
-- SQLite has no statement-level triggers: the triggers of 000009 recount a value's
-- group for every row a statement changes. Rewriting 100,000 approved values (a file
-- imported into unlocked periods) recounted their groups 100,000 times, and an approval
-- of a full grid 8,460 times. While a row of value_totals_held exists, those triggers
-- stand aside; Mipaka's bulk writes (models::values) insert it, write, recount every
-- group they touched in one statement and delete it again — all in their transaction,
-- so no other writer ever sees the row and a rollback takes it away. Any other writer
-- (by hand, another tool) still gets the per-row triggers.
CREATE TABLE value_totals_held (held INTEGER PRIMARY KEY NOT NULL CHECK (held = 1));

DROP TRIGGER value_totals_update;
CREATE TRIGGER value_totals_update AFTER UPDATE OF value, status ON indicator_values
WHEN (OLD.value IS NOT NEW.value OR OLD.status IS NOT NEW.status)
    AND (OLD.status IN ('submitted', 'approved') OR NEW.status IN ('submitted', 'approved'))
    AND OLD.indicator_id = NEW.indicator_id AND OLD.disaggregation = NEW.disaggregation
    AND OLD.period_start = NEW.period_start AND OLD.period = NEW.period
    AND NOT EXISTS (SELECT 1 FROM value_totals_held)
BEGIN
    INSERT OR REPLACE INTO value_totals
    SELECT NEW.indicator_id, NEW.disaggregation, NEW.period_start, NEW.period,
        COALESCE(SUM(CASE WHEN status = 'approved' THEN value END), 0),
        COUNT(CASE WHEN status = 'approved' THEN 1 END),
        COALESCE(SUM(CASE WHEN status = 'submitted' THEN value END), 0),
        COUNT(CASE WHEN status = 'submitted' THEN 1 END)
    FROM indicator_values
    WHERE indicator_id = NEW.indicator_id AND disaggregation = NEW.disaggregation
        AND period_start = NEW.period_start AND period = NEW.period;
END;

DROP TRIGGER value_totals_delete;
CREATE TRIGGER value_totals_delete AFTER DELETE ON indicator_values
WHEN OLD.status IN ('submitted', 'approved')
    AND EXISTS (SELECT 1 FROM indicators WHERE id = OLD.indicator_id)
    AND NOT EXISTS (SELECT 1 FROM value_totals_held)
BEGIN
    INSERT OR REPLACE INTO value_totals
    SELECT OLD.indicator_id, OLD.disaggregation, OLD.period_start, OLD.period,
        COALESCE(SUM(CASE WHEN status = 'approved' THEN value END), 0),
        COUNT(CASE WHEN status = 'approved' THEN 1 END),
        COALESCE(SUM(CASE WHEN status = 'submitted' THEN value END), 0),
        COUNT(CASE WHEN status = 'submitted' THEN 1 END)
    FROM indicator_values
    WHERE indicator_id = OLD.indicator_id AND disaggregation = OLD.disaggregation
        AND period_start = OLD.period_start AND period = OLD.period;
END;
