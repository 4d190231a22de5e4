-- Setting up real programmes (SQLite). Keep in step with ../../postgres/ of the same name.
-- Tables whose CHECK constraints change are rebuilt the way SQLite documents it
-- (new table, copy, drop, rename) with foreign keys off, so no cascade fires.
PRAGMA foreign_keys = OFF;
BEGIN;

-- Programmes: what a real programme is set up with, its status and a version.
ALTER TABLE programmes ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN funder TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN reporting_frequency TEXT NOT NULL DEFAULT 'quarterly'
    CHECK (reporting_frequency IN ('quarterly', 'monthly'));
ALTER TABLE programmes ADD COLUMN iati_identifier TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN donor_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'closed', 'archived'));
ALTER TABLE programmes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

ALTER TABLE phases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Organisations carry the IATI organisation type (codelist OrganisationType) and
-- identifier instead of a kind of our own.
CREATE TABLE organisations_new (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    iati_type TEXT NOT NULL DEFAULT '',
    iati_identifier TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO organisations_new (id, code, name, short_name, iati_type)
SELECT id, code, name, short_name,
       CASE kind WHEN 'government' THEN '10' WHEN 'donor' THEN '10' WHEN 'un_agency' THEN '40'
                 WHEN 'private' THEN '70' WHEN 'committee' THEN '15' WHEN 'civil_society' THEN '22' ELSE '' END
FROM organisations;
DROP TABLE organisations;
ALTER TABLE organisations_new RENAME TO organisations;

-- A partner's role is the IATI OrganisationRole: funding 1, accountable 2, extending 3,
-- implementing 4.
CREATE TABLE programme_organisations_new (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('funding', 'accountable', 'extending', 'implementing')),
    UNIQUE (programme_id, organisation_id, role)
);
INSERT INTO programme_organisations_new (id, programme_id, organisation_id, role)
SELECT id, programme_id, organisation_id,
       CASE role WHEN 'donor' THEN 'funding' WHEN 'lead_ministry' THEN 'accountable'
                 WHEN 'implementing_partner' THEN 'extending' ELSE 'implementing' END
FROM programme_organisations;
DROP TABLE programme_organisations;
ALTER TABLE programme_organisations_new RENAME TO programme_organisations;

ALTER TABLE results ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE results ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Indicators: a decimal 'number' unit beside the whole 'count'; end target date, data
-- source, archiving and a version.
CREATE TABLE indicators_new (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL CHECK (unit IN ('count', 'number', 'percentage', 'currency', 'yes_no')),
    direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    county_aggregation TEXT NOT NULL CHECK (county_aggregation IN ('sum', 'mean')),
    period_aggregation TEXT NOT NULL CHECK (period_aggregation IN ('sum', 'mean', 'latest')),
    baseline_value DOUBLE,
    baseline_date DATE,
    end_target DOUBLE,
    means_of_verification TEXT NOT NULL DEFAULT '',
    disaggregations TEXT NOT NULL DEFAULT '',
    is_key BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL DEFAULT 0,
    end_target_date DATE,
    data_source TEXT NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (programme_id, code)
);
INSERT INTO indicators_new (id, programme_id, result_id, code, title, definition, unit, direction,
    county_aggregation, period_aggregation, baseline_value, baseline_date, end_target,
    means_of_verification, disaggregations, is_key, position)
SELECT id, programme_id, result_id, code, title, definition, unit, direction,
    county_aggregation, period_aggregation, baseline_value, baseline_date, end_target,
    means_of_verification, disaggregations, is_key, position
FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;

-- Interim targets (logframe milestones) for the programme, or for one county and/or
-- one disaggregation option ('sex=female'); one per indicator, period, county, part.
CREATE TABLE indicator_targets_new (
    id INTEGER PRIMARY KEY NOT NULL,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE NOT NULL,
    location_id INTEGER REFERENCES locations (id),
    disaggregation TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO indicator_targets_new (id, indicator_id, period, period_start, period_end, value)
SELECT id, indicator_id, period, period_start, period_end, value FROM indicator_targets;
DROP TABLE indicator_targets;
ALTER TABLE indicator_targets_new RENAME TO indicator_targets;
CREATE UNIQUE INDEX indicator_targets_key
    ON indicator_targets (indicator_id, period, COALESCE(location_id, 0), disaggregation);

-- Disaggregation categories (sex, age band, agency, border post …) per programme,
-- each with its options; an indicator lists the codes of the categories it uses.
CREATE TABLE disaggregation_categories (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (programme_id, code)
);
CREATE TABLE disaggregation_options (
    id INTEGER PRIMARY KEY NOT NULL,
    category_id INTEGER NOT NULL REFERENCES disaggregation_categories (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (category_id, code)
);
-- The two categories the tracker knew before they were data.
INSERT INTO disaggregation_categories (programme_id, code, label, position)
SELECT DISTINCT programme_id, 'sex', 'Sex', 1 FROM indicators
WHERE (',' || disaggregations || ',') LIKE '%,sex,%';
INSERT INTO disaggregation_categories (programme_id, code, label, position)
SELECT DISTINCT programme_id, 'agency', 'Agency', 2 FROM indicators
WHERE (',' || disaggregations || ',') LIKE '%,agency,%';
INSERT INTO disaggregation_options (category_id, code, label, position)
SELECT id, 'female', 'Female', 1 FROM disaggregation_categories WHERE code = 'sex'
UNION ALL SELECT id, 'male', 'Male', 2 FROM disaggregation_categories WHERE code = 'sex'
UNION ALL SELECT id, 'border_police', 'Border police', 1 FROM disaggregation_categories WHERE code = 'agency'
UNION ALL SELECT id, 'immigration', 'Immigration', 2 FROM disaggregation_categories WHERE code = 'agency'
UNION ALL SELECT id, 'customs', 'Customs', 3 FROM disaggregation_categories WHERE code = 'agency'
UNION ALL SELECT id, 'other', 'Other', 4 FROM disaggregation_categories WHERE code = 'agency';

-- Budget: lines per output (and optionally one of its activities) per Kenyan fiscal
-- year ('2025July' is July 2025 to June 2026), in the programme's currency.
CREATE TABLE budget_lines (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    activity_id INTEGER REFERENCES activities (id) ON DELETE CASCADE,
    fiscal_year TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    description TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX budget_lines_key
    ON budget_lines (programme_id, result_id, COALESCE(activity_id, 0), fiscal_year);

-- A logframe spreadsheet between preview and commit: the commit applies exactly the
-- bytes that were previewed, and only if the plan is still the one previewed.
CREATE TABLE logframe_uploads (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    plan_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

COMMIT;
PRAGMA foreign_keys = ON;
