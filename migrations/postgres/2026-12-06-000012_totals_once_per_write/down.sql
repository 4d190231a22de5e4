DROP TABLE value_totals_held;
