-- 0011_rag_vocab (SQLite)
DROP TABLE IF EXISTS rag_chunks_vocab;
