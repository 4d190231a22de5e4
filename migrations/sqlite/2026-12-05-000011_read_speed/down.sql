DROP INDEX IF EXISTS indicator_values_approved;
DROP INDEX IF EXISTS indicator_values_counties;
CREATE INDEX indicator_values_totals ON indicator_values (indicator_id, disaggregation, period_start, period, status, value);
