-- Each published version of a programme's IATI activity file, kept as published (sqlite).
-- Keep in step with ../../postgres/.
--
-- /iati/CODE.xml serves the newest one byte for byte until the next publication; kept
-- in the database so that several servers serve the same file.
CREATE TABLE iati_publications (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    results INTEGER NOT NULL,
    actuals INTEGER NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, version)
);
