-- Setting up real programmes (PostgreSQL). Keep in step with ../../sqlite/ of the same name.

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
ALTER TABLE organisations ADD COLUMN iati_type TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN iati_identifier TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE organisations SET iati_type =
    CASE kind WHEN 'government' THEN '10' WHEN 'donor' THEN '10' WHEN 'un_agency' THEN '40'
              WHEN 'private' THEN '70' WHEN 'committee' THEN '15' WHEN 'civil_society' THEN '22' ELSE '' END;
ALTER TABLE organisations DROP COLUMN kind;

-- A partner's role is the IATI OrganisationRole: funding 1, accountable 2, extending 3,
-- implementing 4.
ALTER TABLE programme_organisations DROP CONSTRAINT programme_organisations_role_check;
UPDATE programme_organisations SET role =
    CASE role WHEN 'donor' THEN 'funding' WHEN 'lead_ministry' THEN 'accountable'
              WHEN 'implementing_partner' THEN 'extending' ELSE 'implementing' END;
ALTER TABLE programme_organisations ADD CONSTRAINT programme_organisations_role_check
    CHECK (role IN ('funding', 'accountable', 'extending', 'implementing'));

ALTER TABLE results ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE results ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Indicators: a decimal 'number' unit beside the whole 'count'; end target date, data
-- source, archiving and a version.
ALTER TABLE indicators DROP CONSTRAINT indicators_unit_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_unit_check
    CHECK (unit IN ('count', 'number', 'percentage', 'currency', 'yes_no'));
ALTER TABLE indicators ADD COLUMN end_target_date DATE;
ALTER TABLE indicators ADD COLUMN data_source TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE indicators ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Interim targets (logframe milestones) for the programme, or for one county and/or
-- one disaggregation option ('sex=female'); one per indicator, period, county, part.
ALTER TABLE indicator_targets DROP CONSTRAINT indicator_targets_indicator_id_period_key;
ALTER TABLE indicator_targets ADD COLUMN location_id INTEGER REFERENCES locations (id);
ALTER TABLE indicator_targets ADD COLUMN disaggregation TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator_targets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX indicator_targets_key
    ON indicator_targets (indicator_id, period, COALESCE(location_id, 0), disaggregation);

-- Disaggregation categories (sex, age band, agency, border post …) per programme,
-- each with its options; an indicator lists the codes of the categories it uses.
CREATE TABLE disaggregation_categories (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (programme_id, code)
);
CREATE TABLE disaggregation_options (
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    plan_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
