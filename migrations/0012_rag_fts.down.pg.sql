-- 0012_rag_fts (PostgreSQL)
DROP INDEX IF EXISTS ix_rag_chunks_text_tsv;
ALTER TABLE rag_chunks DROP COLUMN IF EXISTS text_tsv;
