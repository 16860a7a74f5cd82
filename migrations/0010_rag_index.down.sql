-- 0010_rag_index: back to the plain rag_chunks of 0003.
DROP TABLE IF EXISTS rag_index_state;
DROP INDEX IF EXISTS ix_rag_chunks_channel_embedder;
ALTER TABLE rag_chunks DROP COLUMN dim;
ALTER TABLE rag_chunks DROP COLUMN content_hash;
