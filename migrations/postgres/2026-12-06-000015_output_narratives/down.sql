DROP TABLE output_narratives;
