-- Indexes for the reads of reports and comparisons (SQLite). Keep in step with
-- ../../postgres/.
--
-- A county subset (a comparison split into county groups, a report's per-county
-- figures) is read from indicator_values. The index of 000004 had no county, so every
-- entry in the span sent the read to the table row to learn its county. This is that
-- index with the county added at the end: the reads seek and group on the same leading
-- columns, test the county in the index without visiting the table, and add a group's
-- values in the same order as before.
-- It replaces the old one, which every read of it can use exactly as before: still one
-- such index for writes to keep up.
DROP INDEX IF EXISTS indicator_values_totals;
CREATE INDEX indicator_values_counties ON indicator_values (indicator_id, disaggregation, period_start, period, status, value, location_id);

-- A report's "data as of": the newest approval of the programme's values up to the end
-- of its period. Per indicator, the newest approved entry whose period ended by then is
-- found at the end of this index instead of by reading every approved value. Only
-- approved values are in it, so saving drafts and submitting (the daily writes) never
-- touch it.
CREATE INDEX indicator_values_approved ON indicator_values (indicator_id, reviewed_at, period_end) WHERE status = 'approved';
