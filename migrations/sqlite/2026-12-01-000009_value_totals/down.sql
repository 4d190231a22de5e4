DROP TRIGGER value_totals_delete;
DROP TRIGGER value_totals_move;
DROP TRIGGER value_totals_update;
DROP TRIGGER value_totals_insert;
DROP TABLE value_totals;
