-- 0080_rag_drop_text_indexes (PostgreSQL): retrieval ranks with BM25 over an in-memory
-- inverted index (src/rag/lexindex.c), so the pg_trgm GIN index of 0003 and the generated
-- tsvector column of 0012 with its GIN index are no longer read; they only cost upkeep on
-- every chunk written. The pg_trgm extension itself stays (0003's down file drops it).
DROP INDEX IF EXISTS ix_rag_chunks_text_tsv;
ALTER TABLE rag_chunks DROP COLUMN IF EXISTS text_tsv;
DROP INDEX IF EXISTS ix_rag_chunks_text_trgm;
