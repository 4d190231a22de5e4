DROP TABLE iati_publications;
