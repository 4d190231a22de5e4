-- A version per programme of everything its figures and dashboard are made from
-- (SQLite). Keep in step with ../../postgres/.
--
-- Servers keep what they computed from a programme's data (the dashboard's figures) under
-- the programme's data_version, and read the version from the database on every
-- request: a write through any server, or by hand, bumps it in the same transaction,
-- so no server ever serves a figure from before another's change. Triggers bump it,
-- whichever code writes: on the programme row itself and on every table of its set-up,
-- plan and figures. Values count only where a total changes (submitted and approved
-- values, through the kept totals of 000009): drafts are nobody's figure yet, so saving
-- them bumps nothing.
ALTER TABLE programmes ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

-- The programme row itself: any change but the bump is a new version.
CREATE TRIGGER data_version_programme AFTER UPDATE ON programmes
WHEN NEW.data_version = OLD.data_version
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.id; END;

-- A kept total written (INSERT OR REPLACE: every recount is an insert). Totals go only
-- with their indicator, whose own deletion bumps the version.
CREATE TRIGGER data_version_value_totals AFTER INSERT ON value_totals
BEGIN
    UPDATE programmes SET data_version = data_version + 1
    WHERE id = (SELECT programme_id FROM indicators WHERE id = NEW.indicator_id);
END;

-- Rows of the programme's set-up, plan and progress; county and organisation names
-- (reference data every programme shows) bump every programme.
CREATE TRIGGER data_version_phases_insert AFTER INSERT ON phases
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_phases_update AFTER UPDATE ON phases
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_phases_delete AFTER DELETE ON phases
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_results_insert AFTER INSERT ON results
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_results_update AFTER UPDATE ON results
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_results_delete AFTER DELETE ON results
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_indicators_insert AFTER INSERT ON indicators
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_indicators_update AFTER UPDATE ON indicators
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_indicators_delete AFTER DELETE ON indicators
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_disaggregation_categories_insert AFTER INSERT ON disaggregation_categories
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_disaggregation_categories_update AFTER UPDATE ON disaggregation_categories
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_disaggregation_categories_delete AFTER DELETE ON disaggregation_categories
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_programme_milestones_insert AFTER INSERT ON programme_milestones
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_programme_milestones_update AFTER UPDATE ON programme_milestones
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_programme_milestones_delete AFTER DELETE ON programme_milestones
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_activities_insert AFTER INSERT ON activities
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_activities_update AFTER UPDATE ON activities
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_activities_delete AFTER DELETE ON activities
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_budget_lines_insert AFTER INSERT ON budget_lines
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_budget_lines_update AFTER UPDATE ON budget_lines
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_budget_lines_delete AFTER DELETE ON budget_lines
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_programme_organisations_insert AFTER INSERT ON programme_organisations
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = NEW.programme_id; END;
CREATE TRIGGER data_version_programme_organisations_update AFTER UPDATE ON programme_organisations
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN (OLD.programme_id, NEW.programme_id); END;
CREATE TRIGGER data_version_programme_organisations_delete AFTER DELETE ON programme_organisations
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = OLD.programme_id; END;

CREATE TRIGGER data_version_indicator_targets_insert AFTER INSERT ON indicator_targets
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM indicators WHERE id = NEW.indicator_id); END;
CREATE TRIGGER data_version_indicator_targets_update AFTER UPDATE ON indicator_targets
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN ((SELECT programme_id FROM indicators WHERE id = OLD.indicator_id), (SELECT programme_id FROM indicators WHERE id = NEW.indicator_id)); END;
CREATE TRIGGER data_version_indicator_targets_delete AFTER DELETE ON indicator_targets
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM indicators WHERE id = OLD.indicator_id); END;

CREATE TRIGGER data_version_phase_counties_insert AFTER INSERT ON phase_counties
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM phases WHERE id = NEW.phase_id); END;
CREATE TRIGGER data_version_phase_counties_update AFTER UPDATE ON phase_counties
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN ((SELECT programme_id FROM phases WHERE id = OLD.phase_id), (SELECT programme_id FROM phases WHERE id = NEW.phase_id)); END;
CREATE TRIGGER data_version_phase_counties_delete AFTER DELETE ON phase_counties
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM phases WHERE id = OLD.phase_id); END;

CREATE TRIGGER data_version_disaggregation_options_insert AFTER INSERT ON disaggregation_options
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM disaggregation_categories WHERE id = NEW.category_id); END;
CREATE TRIGGER data_version_disaggregation_options_update AFTER UPDATE ON disaggregation_options
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN ((SELECT programme_id FROM disaggregation_categories WHERE id = OLD.category_id), (SELECT programme_id FROM disaggregation_categories WHERE id = NEW.category_id)); END;
CREATE TRIGGER data_version_disaggregation_options_delete AFTER DELETE ON disaggregation_options
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM disaggregation_categories WHERE id = OLD.category_id); END;

CREATE TRIGGER data_version_activity_progress_insert AFTER INSERT ON activity_progress
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM activities WHERE id = NEW.activity_id); END;
CREATE TRIGGER data_version_activity_progress_update AFTER UPDATE ON activity_progress
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id IN ((SELECT programme_id FROM activities WHERE id = OLD.activity_id), (SELECT programme_id FROM activities WHERE id = NEW.activity_id)); END;
CREATE TRIGGER data_version_activity_progress_delete AFTER DELETE ON activity_progress
BEGIN UPDATE programmes SET data_version = data_version + 1 WHERE id = (SELECT programme_id FROM activities WHERE id = OLD.activity_id); END;

CREATE TRIGGER data_version_locations_update AFTER UPDATE ON locations
BEGIN UPDATE programmes SET data_version = data_version + 1; END;
CREATE TRIGGER data_version_locations_delete AFTER DELETE ON locations
BEGIN UPDATE programmes SET data_version = data_version + 1; END;

CREATE TRIGGER data_version_organisations_update AFTER UPDATE ON organisations
BEGIN UPDATE programmes SET data_version = data_version + 1; END;
CREATE TRIGGER data_version_organisations_delete AFTER DELETE ON organisations
BEGIN UPDATE programmes SET data_version = data_version + 1; END;

