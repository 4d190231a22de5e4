-- A version per programme of everything its figures and dashboard are made from
-- (PostgreSQL). Keep in step with ../../sqlite/.
--
-- Servers keep what they computed from a programme's data (the dashboard's figures) under
-- the programme's data_version, and read the version from the database on every
-- request: a write through any server, or by hand, bumps it in the same transaction,
-- so no server ever serves a figure from before another's change. Triggers bump it,
-- whichever code writes: on the programme row itself and on every table of its set-up,
-- plan and figures. Values count only where a total changes (submitted and approved
-- values): drafts are nobody's figure yet, so saving them bumps nothing.
--
-- The kept totals (value_totals, 000009) are maintained here per statement instead of
-- per row: one recount of every group a statement touched, through the transition
-- tables. Writers of one programme's figures take its programme row first (the version
-- bump), so they wait for each other in one order instead of deadlocking on totals.
ALTER TABLE programmes ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

-- The programme row itself: any change but the bump is a new version.
CREATE FUNCTION data_version_programme() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.data_version = OLD.data_version THEN
        NEW.data_version := OLD.data_version + 1;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER data_version_programme BEFORE UPDATE ON programmes
FOR EACH ROW EXECUTE FUNCTION data_version_programme();

CREATE FUNCTION data_version_bump(programme INTEGER) RETURNS void LANGUAGE sql AS $$
    UPDATE programmes SET data_version = data_version + 1 WHERE id = programme;
$$;

-- Rows that name their programme.
CREATE FUNCTION data_version_by_programme() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM data_version_bump(OLD.programme_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.programme_id <> OLD.programme_id) THEN
        PERFORM data_version_bump(NEW.programme_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION data_version_indicator_targets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM data_version_bump((SELECT programme_id FROM indicators WHERE id = OLD.indicator_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.indicator_id <> OLD.indicator_id) THEN
        PERFORM data_version_bump((SELECT programme_id FROM indicators WHERE id = NEW.indicator_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION data_version_phase_counties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM data_version_bump((SELECT programme_id FROM phases WHERE id = OLD.phase_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.phase_id <> OLD.phase_id) THEN
        PERFORM data_version_bump((SELECT programme_id FROM phases WHERE id = NEW.phase_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION data_version_disaggregation_options() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM data_version_bump((SELECT programme_id FROM disaggregation_categories WHERE id = OLD.category_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.category_id <> OLD.category_id) THEN
        PERFORM data_version_bump((SELECT programme_id FROM disaggregation_categories WHERE id = NEW.category_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION data_version_activity_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM data_version_bump((SELECT programme_id FROM activities WHERE id = OLD.activity_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.activity_id <> OLD.activity_id) THEN
        PERFORM data_version_bump((SELECT programme_id FROM activities WHERE id = NEW.activity_id));
    END IF;
    RETURN NULL;
END;
$$;

-- Reference data every programme shows (county and organisation names).
CREATE FUNCTION data_version_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE programmes SET data_version = data_version + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER data_version_phases AFTER INSERT OR UPDATE OR DELETE ON phases
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_results AFTER INSERT OR UPDATE OR DELETE ON results
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_indicators AFTER INSERT OR UPDATE OR DELETE ON indicators
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_disaggregation_categories AFTER INSERT OR UPDATE OR DELETE ON disaggregation_categories
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_programme_milestones AFTER INSERT OR UPDATE OR DELETE ON programme_milestones
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_activities AFTER INSERT OR UPDATE OR DELETE ON activities
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_budget_lines AFTER INSERT OR UPDATE OR DELETE ON budget_lines
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_programme_organisations AFTER INSERT OR UPDATE OR DELETE ON programme_organisations
FOR EACH ROW EXECUTE FUNCTION data_version_by_programme();
CREATE TRIGGER data_version_indicator_targets AFTER INSERT OR UPDATE OR DELETE ON indicator_targets
FOR EACH ROW EXECUTE FUNCTION data_version_indicator_targets();
CREATE TRIGGER data_version_phase_counties AFTER INSERT OR UPDATE OR DELETE ON phase_counties
FOR EACH ROW EXECUTE FUNCTION data_version_phase_counties();
CREATE TRIGGER data_version_disaggregation_options AFTER INSERT OR UPDATE OR DELETE ON disaggregation_options
FOR EACH ROW EXECUTE FUNCTION data_version_disaggregation_options();
CREATE TRIGGER data_version_activity_progress AFTER INSERT OR UPDATE OR DELETE ON activity_progress
FOR EACH ROW EXECUTE FUNCTION data_version_activity_progress();
CREATE TRIGGER data_version_locations AFTER UPDATE OR DELETE ON locations
FOR EACH STATEMENT EXECUTE FUNCTION data_version_all();
CREATE TRIGGER data_version_organisations AFTER UPDATE OR DELETE ON organisations
FOR EACH STATEMENT EXECUTE FUNCTION data_version_all();

-- Kept totals per statement. The groups a statement touched are recounted from their
-- rows in one upsert, after the programmes' versions are bumped (which also makes the
-- writers of one programme's figures wait for each other: under READ COMMITTED the
-- recount, a statement of its own, then sees what an earlier writer committed).
DROP TRIGGER value_totals_insert ON indicator_values;
DROP TRIGGER value_totals_update ON indicator_values;
DROP TRIGGER value_totals_delete ON indicator_values;
DROP FUNCTION value_totals_changed();
DROP FUNCTION value_totals_recount(INTEGER, TEXT, DATE, TEXT);

CREATE TYPE value_total_key AS (
    indicator_id INTEGER, disaggregation TEXT, period_start DATE, period TEXT
);

CREATE FUNCTION value_totals_recount(keys value_total_key[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    UPDATE programmes SET data_version = data_version + 1
    WHERE id IN (
        SELECT i.programme_id FROM indicators i
        WHERE i.id IN (SELECT k.indicator_id FROM unnest(keys) k)
    );
    INSERT INTO value_totals AS t (indicator_id, disaggregation, period_start, period,
        approved_sum, approved_count, submitted_sum, submitted_count)
    SELECT k.indicator_id, k.disaggregation, k.period_start, k.period,
        COALESCE(SUM(v.value) FILTER (WHERE v.status = 'approved'), 0),
        COUNT(v.id) FILTER (WHERE v.status = 'approved'),
        COALESCE(SUM(v.value) FILTER (WHERE v.status = 'submitted'), 0),
        COUNT(v.id) FILTER (WHERE v.status = 'submitted')
    FROM unnest(keys) k
    -- Not for an indicator being deleted: its totals go with it.
    JOIN indicators i ON i.id = k.indicator_id
    LEFT JOIN indicator_values v ON v.indicator_id = k.indicator_id
        AND v.disaggregation = k.disaggregation AND v.period_start = k.period_start
        AND v.period = k.period
    GROUP BY k.indicator_id, k.disaggregation, k.period_start, k.period
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (indicator_id, disaggregation, period_start, period) DO UPDATE SET
        approved_sum = EXCLUDED.approved_sum, approved_count = EXCLUDED.approved_count,
        submitted_sum = EXCLUDED.submitted_sum, submitted_count = EXCLUDED.submitted_count;
END;
$$;

CREATE FUNCTION value_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM value_totals_recount(ARRAY(
        SELECT DISTINCT ROW(n.indicator_id, n.disaggregation, n.period_start, n.period)::value_total_key
        FROM new_rows n WHERE n.status IN ('submitted', 'approved')
    ));
    RETURN NULL;
END;
$$;

CREATE FUNCTION value_totals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM value_totals_recount(ARRAY(
        SELECT DISTINCT ROW(o.indicator_id, o.disaggregation, o.period_start, o.period)::value_total_key
        FROM old_rows o WHERE o.status IN ('submitted', 'approved')
    ));
    RETURN NULL;
END;
$$;

-- A change of value or status, or a row moved to another group (both groups): a
-- comment, a version or a draft's value alone changes no total.
CREATE FUNCTION value_totals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM value_totals_recount(ARRAY(
        SELECT DISTINCT k FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES
            (ROW(o.indicator_id, o.disaggregation, o.period_start, o.period)::value_total_key),
            (ROW(n.indicator_id, n.disaggregation, n.period_start, n.period)::value_total_key)
        ) AS g (k)
        WHERE (o.status IN ('submitted', 'approved') OR n.status IN ('submitted', 'approved'))
            AND (o.value IS DISTINCT FROM n.value OR o.status IS DISTINCT FROM n.status
                OR (o.indicator_id, o.disaggregation, o.period_start, o.period)
                    IS DISTINCT FROM (n.indicator_id, n.disaggregation, n.period_start, n.period))
    ));
    RETURN NULL;
END;
$$;

CREATE TRIGGER value_totals_insert AFTER INSERT ON indicator_values
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION value_totals_inserted();
CREATE TRIGGER value_totals_update AFTER UPDATE ON indicator_values
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION value_totals_updated();
CREATE TRIGGER value_totals_delete AFTER DELETE ON indicator_values
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION value_totals_deleted();
