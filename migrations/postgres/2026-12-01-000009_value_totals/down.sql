DROP TRIGGER value_totals_delete ON indicator_values;
DROP TRIGGER value_totals_update ON indicator_values;
DROP TRIGGER value_totals_insert ON indicator_values;
DROP FUNCTION value_totals_changed();
DROP FUNCTION value_totals_recount(INTEGER, TEXT, DATE, TEXT);
DROP TABLE value_totals;
