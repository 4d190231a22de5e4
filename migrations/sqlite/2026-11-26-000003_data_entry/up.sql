-- Period locks and CSV uploads awaiting commit (SQLite). Keep in step with ../../postgres/.

-- A period of a programme is locked when the ministry approves it. Unlocking keeps the
-- row (who, when, why) so the history of locks is never lost.
CREATE TABLE period_locks (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    locked_by INTEGER REFERENCES users (id),
    locked_at TIMESTAMP NOT NULL,
    unlocked_by INTEGER REFERENCES users (id),
    unlocked_at TIMESTAMP,
    unlock_reason TEXT
);
CREATE INDEX period_locks_programme ON period_locks (programme_id, period);

-- An uploaded CSV between preview and commit: the commit applies exactly the bytes
-- that were previewed.
CREATE TABLE csv_uploads (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
