-- 0003_rag_chunks (PostgreSQL): the table and its indexes (pg_trgm stays: others may use it).
DROP TABLE IF EXISTS rag_chunks;
