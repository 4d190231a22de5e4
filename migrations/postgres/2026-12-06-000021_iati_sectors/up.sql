-- The programme's DAC sectors for its IATI file (postgres). Keep in step with ../../sqlite/.
-- Canonical text "15210 60; 15190 40" (DAC 5-digit code and percentage), checked by
-- iati::sector before it is saved; empty until a manager sets it.
ALTER TABLE programmes ADD COLUMN iati_sectors TEXT NOT NULL DEFAULT '';
