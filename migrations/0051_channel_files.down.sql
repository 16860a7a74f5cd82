DROP TABLE IF EXISTS channel_files;
DROP TABLE IF EXISTS channel_revisions;
