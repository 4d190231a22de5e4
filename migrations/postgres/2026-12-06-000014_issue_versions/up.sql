-- What an issued version says about itself beyond its file (PostgreSQL). Keep in step with
-- ../../sqlite/.
--
-- reason: why a version after the first was issued (required then; printed in its
-- change log). approval: set when the report was issued before every county-quarter it
-- covers was approved, with how many were (the issuer confirmed it; the cover says so).
-- snapshot: what the report showed — every table cell, text and "data as of" under its
-- heading — as gzip-compressed JSON, so that the next version can list what changed.
ALTER TABLE issued_reports ADD COLUMN reason TEXT;
ALTER TABLE issued_reports ADD COLUMN approval TEXT;
ALTER TABLE issued_reports ADD COLUMN snapshot BYTEA;
