-- Indicator continuity: an indicator that continues an earlier one (Deris Wanaag ->
-- Land Border Programme), or whose own definition changed from a period on.
-- Comparisons follow the first and flag both.
CREATE TABLE indicator_links (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    -- The earlier indicator this one continues; NULL for a change of definition in place.
    continues_id INTEGER REFERENCES indicators (id) ON DELETE CASCADE,
    -- For a change in place: the first period measured under the new definition.
    effective_period TEXT,
    definition_changed BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((continues_id IS NOT NULL AND effective_period IS NULL)
        OR (continues_id IS NULL AND effective_period IS NOT NULL AND definition_changed)),
    CHECK (continues_id IS NULL OR continues_id <> indicator_id)
);
CREATE UNIQUE INDEX indicator_links_continues ON indicator_links (indicator_id, continues_id) WHERE continues_id IS NOT NULL;
CREATE UNIQUE INDEX indicator_links_changes ON indicator_links (indicator_id, effective_period) WHERE effective_period IS NOT NULL;
CREATE INDEX indicator_links_earlier ON indicator_links (continues_id);

-- A comparison an evaluator saved to come back to or share: its question as the query
-- string of the comparison page, so the saved link shows what the page shows.
CREATE TABLE saved_comparisons (
    id SERIAL PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX saved_comparisons_programme ON saved_comparisons (programme_id);
