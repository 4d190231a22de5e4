DROP INDEX indicator_values_totals;
