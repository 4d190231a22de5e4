-- The manager's words on one output's progress in a reporting period: what was done, why
-- it is ahead or behind (SQLite). Keep in step with ../../postgres/.
--
-- Versioned like period_narratives, so two managers never overwrite each other
-- silently. programme_id is the output's programme, kept beside it so a period's
-- narratives are read in one query. A result with narratives is archived, never deleted
-- (see setup::framework), so the cascade only acts when a programme goes.
CREATE TABLE output_narratives (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    narrative TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (result_id, period)
);
CREATE INDEX output_narratives_period ON output_narratives (programme_id, period);
