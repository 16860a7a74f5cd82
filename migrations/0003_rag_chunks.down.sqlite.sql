-- 0003_rag_chunks (SQLite): triggers, the FTS index, then the table.
DROP TRIGGER IF EXISTS rag_chunks_au;
DROP TRIGGER IF EXISTS rag_chunks_ad;
DROP TRIGGER IF EXISTS rag_chunks_ai;
DROP TABLE IF EXISTS rag_chunks_fts;
DROP TABLE IF EXISTS rag_chunks;
