-- Evidence files (PostgreSQL). Keep in step with ../../sqlite/.
--
-- A file's bytes are kept once per SHA-256 (content-addressed): with SQLite under the
-- data folder (data/evidence/ab/abcdef…), with PostgreSQL in evidence_blobs so that
-- several servers share them. The table exists on both backends so the schema is one;
-- SQLite leaves it empty.
CREATE TABLE evidence_blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One attachment of a file to a county's figure for a period (indicator, county,
-- period), a programme milestone or an activity. Removing is archiving: the row and the
-- bytes stay, so a report that listed the file can always be checked against it.
CREATE TABLE evidence_files (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    target TEXT NOT NULL CHECK (target IN ('figure', 'milestone', 'activity')),
    indicator_id INTEGER REFERENCES indicators (id),
    location_id INTEGER REFERENCES locations (id),
    period TEXT,
    period_start DATE,
    period_end DATE,
    milestone_id INTEGER REFERENCES programme_milestones (id),
    activity_id INTEGER REFERENCES activities (id),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    archived_by INTEGER REFERENCES users (id),
    archived_at TIMESTAMP,
    archive_reason TEXT,
    CHECK (
        (target = 'figure' AND indicator_id IS NOT NULL AND location_id IS NOT NULL
            AND period IS NOT NULL AND milestone_id IS NULL AND activity_id IS NULL)
        OR (target = 'milestone' AND milestone_id IS NOT NULL AND indicator_id IS NULL
            AND activity_id IS NULL)
        OR (target = 'activity' AND activity_id IS NOT NULL AND indicator_id IS NULL
            AND milestone_id IS NULL)
    )
);
CREATE INDEX evidence_files_figure ON evidence_files (indicator_id, period, location_id);
CREATE INDEX evidence_files_milestone ON evidence_files (milestone_id);
CREATE INDEX evidence_files_activity ON evidence_files (activity_id);
CREATE INDEX evidence_files_programme ON evidence_files (programme_id, period_start);
CREATE INDEX evidence_files_sha256 ON evidence_files (sha256);
