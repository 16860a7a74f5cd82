DROP TABLE IF EXISTS run_artifacts;
