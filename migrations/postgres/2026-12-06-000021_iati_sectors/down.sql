ALTER TABLE programmes DROP COLUMN iati_sectors;
