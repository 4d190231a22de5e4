-- The manager's narrative for a reporting period: what the donor report says in words.
CREATE TABLE period_narratives (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    achievements TEXT NOT NULL DEFAULT '',
    issues TEXT NOT NULL DEFAULT '',
    risks TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (programme_id, period)
);

-- An issued report is never replaced: a correction is the next version.
CREATE UNIQUE INDEX issued_reports_version ON issued_reports (kind, period, COALESCE(programme_id, 0), version);
