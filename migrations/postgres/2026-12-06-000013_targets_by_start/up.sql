-- A figures read takes the programme-wide targets of a window of quarters (a dashboard's
-- nine, a report's history). The only index was the unique key (indicator_id, period,
-- county, part), whose period is text that does not order by date across kinds, so
-- every target of each indicator was visited and its row read to test its start: 4,000
-- rows for 800 at 100 indicators × 40 quarters, 1.6–4 ms of a dashboard's 8 (sqlite3
-- shell). This index seeks each indicator's window by date and holds what the read
-- returns, so the table is not visited. Keep in step with ../../sqlite/
CREATE INDEX indicator_targets_by_start ON indicator_targets (indicator_id, period_start, location_id, disaggregation, period, period_end, value);
