-- Activity progress per reporting period (PostgreSQL). Keep in step with ../../sqlite/.

-- Where an activity stood at the end of one reporting period (a quarter): its status,
-- % complete and spend to date, entered beside the period's indicator values and
-- submitted, approved, returned and unlocked with them. Reports read the newest
-- approved row for a period ending on or before the date they are "as at".
CREATE TABLE activity_progress (
    id SERIAL PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'delayed', 'completed', 'cancelled')),
    percent_complete INTEGER NOT NULL CHECK (percent_complete BETWEEN 0 AND 100),
    spend_to_date_minor BIGINT NOT NULL CHECK (spend_to_date_minor >= 0),
    note TEXT NOT NULL DEFAULT '',
    workflow_status TEXT NOT NULL CHECK (workflow_status IN ('draft', 'submitted', 'approved', 'returned')),
    status_reason TEXT,
    entered_by INTEGER REFERENCES users (id),
    entered_at TIMESTAMP NOT NULL,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (activity_id, period)
);
CREATE INDEX activity_progress_period ON activity_progress (period, activity_id);
