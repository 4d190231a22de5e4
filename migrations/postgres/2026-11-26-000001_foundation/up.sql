-- Foundation schema (PostgreSQL). Keep in step with ../../sqlite/ of the same name:
-- a test compares the tables and columns both create.

CREATE TABLE locations (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('country', 'county')),
    parent_id INTEGER REFERENCES locations (id),
    mou_initial BOOLEAN NOT NULL DEFAULT FALSE,
    borders TEXT NOT NULL DEFAULT ''
);

CREATE TABLE organisations (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government', 'donor', 'un_agency', 'private', 'committee', 'civil_society'))
);

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);

CREATE TABLE programmes (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    rag_green_within DOUBLE PRECISION NOT NULL DEFAULT 15,
    rag_amber_within DOUBLE PRECISION NOT NULL DEFAULT 30,
    created_at TIMESTAMP NOT NULL,
    CHECK (end_date >= start_date)
);

CREATE TABLE programme_organisations (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('donor', 'lead_ministry', 'implementing_partner', 'partner')),
    UNIQUE (programme_id, organisation_id, role)
);

CREATE TABLE phases (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    CHECK (end_date >= start_date)
);

CREATE TABLE phase_counties (
    phase_id INTEGER NOT NULL REFERENCES phases (id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    PRIMARY KEY (phase_id, location_id)
);

CREATE TABLE results (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES results (id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('impact', 'outcome', 'output')),
    code TEXT NOT NULL,
    statement TEXT NOT NULL,
    impact_weighting DOUBLE PRECISION,
    risk_rating TEXT CHECK (risk_rating IN ('low', 'medium', 'high')),
    assumptions TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (programme_id, code)
);

CREATE TABLE indicators (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL CHECK (unit IN ('count', 'percentage', 'currency', 'yes_no')),
    direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    county_aggregation TEXT NOT NULL CHECK (county_aggregation IN ('sum', 'mean')),
    period_aggregation TEXT NOT NULL CHECK (period_aggregation IN ('sum', 'mean', 'latest')),
    baseline_value DOUBLE PRECISION,
    baseline_date DATE,
    end_target DOUBLE PRECISION,
    means_of_verification TEXT NOT NULL DEFAULT '',
    disaggregations TEXT NOT NULL DEFAULT '',
    is_key BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (programme_id, code)
);

-- The logframe's "milestones": planned values of an indicator for a period.
CREATE TABLE indicator_targets (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    UNIQUE (indicator_id, period)
);

CREATE TABLE indicator_values (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    disaggregation TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION NOT NULL,
    comment TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    status_reason TEXT,
    entered_by INTEGER REFERENCES users (id),
    entered_at TIMESTAMP NOT NULL,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (indicator_id, period, location_id, disaggregation)
);
CREATE INDEX indicator_values_latest ON indicator_values (indicator_id, period_end);

-- A programme milestone is an event with a due date, not an interim target.
CREATE TABLE programme_milestones (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER REFERENCES results (id) ON DELETE SET NULL,
    location_id INTEGER REFERENCES locations (id),
    title TEXT NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'delayed', 'cancelled')),
    completed_date DATE,
    evidence_note TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX programme_milestones_due ON programme_milestones (programme_id, due_date);

CREATE TABLE activities (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER REFERENCES results (id) ON DELETE SET NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    lead_organisation_id INTEGER REFERENCES organisations (id),
    location_id INTEGER REFERENCES locations (id),
    planned_start DATE NOT NULL,
    planned_end DATE NOT NULL,
    actual_start DATE,
    actual_end DATE,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'delayed', 'cancelled')),
    percent_complete INTEGER NOT NULL DEFAULT 0 CHECK (percent_complete BETWEEN 0 AND 100),
    budget_minor BIGINT NOT NULL DEFAULT 0,
    spend_minor BIGINT NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, code)
);

CREATE TABLE user_roles (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('manager', 'me_officer', 'evaluator', 'donor')),
    UNIQUE (user_id, programme_id, role)
);

-- No foreign keys: the audit trail outlives what it describes.
CREATE TABLE audit_log (
    id SERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    programme_id INTEGER,
    before_json TEXT,
    after_json TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE issued_reports (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER REFERENCES programmes (id),
    kind TEXT NOT NULL CHECK (kind IN ('donor', 'ministry')),
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    file_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data_hash TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    issued_by INTEGER REFERENCES users (id),
    issued_at TIMESTAMP NOT NULL
);
