-- How far each indicator's figures may travel, and its small-number rule (postgres).
-- Keep in step with ../../sqlite/.
--
-- publication_level: public (anything shared, the IATI file included), partners (donor and
-- ministry reports, DHIS2, exports), internal (the tracker's own pages only). Partners by
-- default: an existing programme's reports go on as before, and nothing reaches the public
-- file until a manager says so.
-- small_number_rule: none, fewer_than (a county figure below N shown as "fewer than N"),
-- withhold (the county withheld, only the total published); N in small_number_below.
ALTER TABLE indicators ADD COLUMN publication_level TEXT NOT NULL DEFAULT 'partners'
    CHECK (publication_level IN ('public', 'partners', 'internal'));
ALTER TABLE indicators ADD COLUMN small_number_rule TEXT NOT NULL DEFAULT 'none'
    CHECK (small_number_rule IN ('none', 'fewer_than', 'withhold'));
ALTER TABLE indicators ADD COLUMN small_number_below INTEGER
    CHECK (small_number_below IS NULL OR small_number_below BETWEEN 2 AND 1000);
