-- 0080_rag_drop_text_indexes (SQLite): retrieval ranks with BM25 over an in-memory inverted
-- index (src/rag/lexindex.c), so the FTS5 trigram table of 0003, its vocabulary table (0011)
-- and the triggers that kept it in step are no longer read; they only cost upkeep on every
-- chunk written. The down file rebuilds them from rag_chunks.
DROP TRIGGER IF EXISTS rag_chunks_au;
DROP TRIGGER IF EXISTS rag_chunks_ad;
DROP TRIGGER IF EXISTS rag_chunks_ai;
DROP TABLE IF EXISTS rag_chunks_vocab;
DROP TABLE IF EXISTS rag_chunks_fts;
