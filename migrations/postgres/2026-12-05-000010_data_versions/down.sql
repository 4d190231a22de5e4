-- Back to 000009's row-level kept totals.
DROP TRIGGER value_totals_insert ON indicator_values;
DROP TRIGGER value_totals_update ON indicator_values;
DROP TRIGGER value_totals_delete ON indicator_values;
DROP FUNCTION value_totals_inserted();
DROP FUNCTION value_totals_deleted();
DROP FUNCTION value_totals_updated();
DROP FUNCTION value_totals_recount(value_total_key[]);
DROP TYPE value_total_key;
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

DROP TRIGGER data_version_programme ON programmes;
DROP TRIGGER data_version_phases ON phases;
DROP TRIGGER data_version_results ON results;
DROP TRIGGER data_version_indicators ON indicators;
DROP TRIGGER data_version_disaggregation_categories ON disaggregation_categories;
DROP TRIGGER data_version_programme_milestones ON programme_milestones;
DROP TRIGGER data_version_activities ON activities;
DROP TRIGGER data_version_budget_lines ON budget_lines;
DROP TRIGGER data_version_programme_organisations ON programme_organisations;
DROP TRIGGER data_version_indicator_targets ON indicator_targets;
DROP TRIGGER data_version_phase_counties ON phase_counties;
DROP TRIGGER data_version_disaggregation_options ON disaggregation_options;
DROP TRIGGER data_version_activity_progress ON activity_progress;
DROP TRIGGER data_version_locations ON locations;
DROP TRIGGER data_version_organisations ON organisations;
DROP FUNCTION data_version_all();
DROP FUNCTION data_version_by_programme();
DROP FUNCTION data_version_indicator_targets();
DROP FUNCTION data_version_phase_counties();
DROP FUNCTION data_version_disaggregation_options();
DROP FUNCTION data_version_activity_progress();
DROP FUNCTION data_version_bump(INTEGER);
DROP FUNCTION data_version_programme();
ALTER TABLE programmes DROP COLUMN data_version;
