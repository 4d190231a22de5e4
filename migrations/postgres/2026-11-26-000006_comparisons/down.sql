DROP TABLE saved_comparisons;
DROP TABLE indicator_links;
