-- The dashboard sums county totals per indicator and period over a recent window:
-- a covering index lets both backends answer from the index alone.
CREATE INDEX indicator_values_totals ON indicator_values (indicator_id, disaggregation, period_start, period, status, value);
