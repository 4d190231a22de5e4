DROP TABLE csv_uploads;
DROP TABLE period_locks;
