DROP TABLE dhis2_mapping_sets;
DROP TABLE dhis2_mappings;
