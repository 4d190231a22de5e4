-- DHIS2 data exchange (sqlite). Keep in step with ../../postgres/.
--
-- What each of a programme's items is called in DHIS2: an indicator's data element, a
-- county's organisation unit, a disaggregation option's (or the total's) category option
-- combo, the programme's attribute option combo, and for ADX a category's and an
-- option's code. `item` is the Mipaka side: an indicator code, a county code, "" (the
-- total, the programme) or "sex=female", a category code "sex".
CREATE TABLE dhis2_mappings (
    id INTEGER PRIMARY KEY NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    code TEXT NOT NULL,
    uid TEXT NOT NULL,
    UNIQUE (programme_id, kind, item)
);
-- One version per programme's mapping set: every change names the version it read.
CREATE TABLE dhis2_mapping_sets (
    programme_id INTEGER PRIMARY KEY NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
