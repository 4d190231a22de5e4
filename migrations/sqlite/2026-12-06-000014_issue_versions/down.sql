ALTER TABLE issued_reports DROP COLUMN snapshot;
ALTER TABLE issued_reports DROP COLUMN approval;
ALTER TABLE issued_reports DROP COLUMN reason;
