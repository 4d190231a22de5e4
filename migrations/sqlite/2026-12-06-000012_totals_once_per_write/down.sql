DROP TRIGGER value_totals_update;
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

DROP TRIGGER value_totals_delete;
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

DROP TABLE value_totals_held;
