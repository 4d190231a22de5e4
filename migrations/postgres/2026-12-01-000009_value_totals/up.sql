-- Totals of county values per indicator, part and period, by status (PostgreSQL). Keep
-- in step with ../../sqlite/.
--
-- The figures engine reads these instead of summing every county's row: a programme's
-- whole history is a few thousand rows here, whatever the number of counties. A trigger
-- keeps them in the same transaction as every write to indicator_values, whichever code
-- makes it, and recounts the group from its rows rather than adding differences, so a
-- total is always exactly what summing the rows gives. Only submitted and approved
-- values count; drafts and returned values are nobody's figure yet, so writing them
-- (a manager's saves and imports) costs nothing here.
CREATE TABLE value_totals (
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    disaggregation TEXT NOT NULL,
    period_start DATE NOT NULL,
    period TEXT NOT NULL,
    approved_sum DOUBLE PRECISION NOT NULL,
    approved_count INTEGER NOT NULL,
    submitted_sum DOUBLE PRECISION NOT NULL,
    submitted_count INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, disaggregation, period_start, period)
);

INSERT INTO value_totals
SELECT indicator_id, disaggregation, period_start, period,
    COALESCE(SUM(value) FILTER (WHERE status = 'approved'), 0),
    COUNT(*) FILTER (WHERE status = 'approved'),
    COALESCE(SUM(value) FILTER (WHERE status = 'submitted'), 0),
    COUNT(*) FILTER (WHERE status = 'submitted')
FROM indicator_values
GROUP BY indicator_id, disaggregation, period_start, period;

-- Recount one group. Two transactions writing different counties of the same group must
-- not each count without the other's row: the total's row is locked first (waiting for
-- the other writer to finish), and the recount is a statement of its own, so under READ
-- COMMITTED it takes a fresh snapshot that sees what that writer committed.
CREATE FUNCTION value_totals_recount(i INTEGER, d TEXT, ps DATE, p TEXT) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO value_totals VALUES (i, d, ps, p, 0, 0, 0, 0) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM value_totals
        WHERE indicator_id = i AND disaggregation = d AND period_start = ps AND period = p
        FOR UPDATE;
    UPDATE value_totals t SET
        approved_sum = s.approved_sum, approved_count = s.approved_count,
        submitted_sum = s.submitted_sum, submitted_count = s.submitted_count
    FROM (
        SELECT COALESCE(SUM(value) FILTER (WHERE status = 'approved'), 0) AS approved_sum,
            COUNT(*) FILTER (WHERE status = 'approved') AS approved_count,
            COALESCE(SUM(value) FILTER (WHERE status = 'submitted'), 0) AS submitted_sum,
            COUNT(*) FILTER (WHERE status = 'submitted') AS submitted_count
        FROM indicator_values
        WHERE indicator_id = i AND disaggregation = d AND period_start = ps AND period = p
    ) s
    WHERE t.indicator_id = i AND t.disaggregation = d AND t.period_start = ps AND t.period = p;
END;
$$;

CREATE FUNCTION value_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM value_totals_recount(NEW.indicator_id, NEW.disaggregation, NEW.period_start, NEW.period);
    ELSIF TG_OP = 'DELETE' THEN
        -- Not when the indicator itself is being deleted: its totals go with it.
        IF EXISTS (SELECT 1 FROM indicators WHERE id = OLD.indicator_id) THEN
            PERFORM value_totals_recount(OLD.indicator_id, OLD.disaggregation, OLD.period_start, OLD.period);
        END IF;
    ELSE
        IF (OLD.indicator_id, OLD.disaggregation, OLD.period_start, OLD.period)
            IS DISTINCT FROM (NEW.indicator_id, NEW.disaggregation, NEW.period_start, NEW.period) THEN
            PERFORM value_totals_recount(OLD.indicator_id, OLD.disaggregation, OLD.period_start, OLD.period);
            PERFORM value_totals_recount(NEW.indicator_id, NEW.disaggregation, NEW.period_start, NEW.period);
        ELSIF OLD.value IS DISTINCT FROM NEW.value OR OLD.status IS DISTINCT FROM NEW.status THEN
            PERFORM value_totals_recount(NEW.indicator_id, NEW.disaggregation, NEW.period_start, NEW.period);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER value_totals_insert AFTER INSERT ON indicator_values FOR EACH ROW
WHEN (NEW.status IN ('submitted', 'approved'))
EXECUTE FUNCTION value_totals_changed();

CREATE TRIGGER value_totals_update
AFTER UPDATE OF indicator_id, disaggregation, period_start, period, value, status
ON indicator_values FOR EACH ROW
WHEN (OLD.status IN ('submitted', 'approved') OR NEW.status IN ('submitted', 'approved'))
EXECUTE FUNCTION value_totals_changed();

CREATE TRIGGER value_totals_delete AFTER DELETE ON indicator_values FOR EACH ROW
WHEN (OLD.status IN ('submitted', 'approved'))
EXECUTE FUNCTION value_totals_changed();
