DROP INDEX issued_reports_version;
DROP TABLE period_narratives;
