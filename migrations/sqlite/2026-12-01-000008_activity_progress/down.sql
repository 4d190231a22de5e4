DROP TABLE activity_progress;
