-- Kept totals recounted once per bulk write (PostgreSQL). Keep in step with ../../sqlite/.
--
-- PostgreSQL's triggers of 000010 already run once per statement, with the statement's
-- rows as transition tables, so they need no change. SQLite's per-row triggers stand
-- aside while a row of value_totals_held exists, and Mipaka's bulk writes recount the
-- groups they touched themselves; the table is made here too so that both backends
-- have the same tables (the bulk writes use it on SQLite only).
CREATE TABLE value_totals_held (held INTEGER PRIMARY KEY NOT NULL CHECK (held = 1));
