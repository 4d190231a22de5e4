ALTER TABLE indicators DROP COLUMN small_number_below;
ALTER TABLE indicators DROP COLUMN small_number_rule;
ALTER TABLE indicators DROP COLUMN publication_level;
