-- Totals of county values per indicator, part and period, by status (SQLite). Keep in
-- step with ../../postgres/.
--
-- The figures engine reads these instead of summing every county's row: a programme's
-- whole history is a few thousand rows here, whatever the number of counties. Triggers
-- keep them in the same transaction as every write to indicator_values, whichever code
-- makes it, and recount the group from its rows rather than adding differences, so a
-- total is always exactly what summing the rows gives. Only submitted and approved
-- values count; drafts and returned values are nobody's figure yet, so writing them
-- (a manager's saves and imports) costs nothing here.
CREATE TABLE value_totals (
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    disaggregation TEXT NOT NULL,
    period_start DATE NOT NULL,
    period TEXT NOT NULL,
    approved_sum DOUBLE NOT NULL,
    approved_count INTEGER NOT NULL,
    submitted_sum DOUBLE NOT NULL,
    submitted_count INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, disaggregation, period_start, period)
) WITHOUT ROWID;

INSERT INTO value_totals
SELECT indicator_id, disaggregation, period_start, period,
    COALESCE(SUM(CASE WHEN status = 'approved' THEN value END), 0),
    COUNT(CASE WHEN status = 'approved' THEN 1 END),
    COALESCE(SUM(CASE WHEN status = 'submitted' THEN value END), 0),
    COUNT(CASE WHEN status = 'submitted' THEN 1 END)
FROM indicator_values
GROUP BY indicator_id, disaggregation, period_start, period;

CREATE TRIGGER value_totals_insert AFTER INSERT ON indicator_values
WHEN NEW.status IN ('submitted', 'approved')
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

-- A change of value or status (a comment or a version alone changes no total).
CREATE TRIGGER value_totals_update AFTER UPDATE OF value, status ON indicator_values
WHEN (OLD.value IS NOT NEW.value OR OLD.status IS NOT NEW.status)
    AND (OLD.status IN ('submitted', 'approved') OR NEW.status IN ('submitted', 'approved'))
    AND OLD.indicator_id = NEW.indicator_id AND OLD.disaggregation = NEW.disaggregation
    AND OLD.period_start = NEW.period_start AND OLD.period = NEW.period
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

-- A row moved to another indicator, part or period (nothing does this today): both
-- groups are recounted.
CREATE TRIGGER value_totals_move AFTER UPDATE OF indicator_id, disaggregation, period_start, period ON indicator_values
WHEN OLD.indicator_id IS NOT NEW.indicator_id OR OLD.disaggregation IS NOT NEW.disaggregation
    OR OLD.period_start IS NOT NEW.period_start OR OLD.period IS NOT NEW.period
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

-- Not when the indicator itself is being deleted: its totals go with it.
CREATE TRIGGER value_totals_delete AFTER DELETE ON indicator_values
WHEN OLD.status IN ('submitted', 'approved')
    AND EXISTS (SELECT 1 FROM indicators WHERE id = OLD.indicator_id)
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
