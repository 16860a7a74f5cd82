-- 0080_rag_drop_text_indexes (PostgreSQL): the pg_trgm GIN index of 0003 and the tsvector
-- column of 0012 with its GIN index again (both are computed from the stored text).
CREATE INDEX ix_rag_chunks_text_trgm ON rag_chunks USING gin (text gin_trgm_ops);
ALTER TABLE rag_chunks ADD COLUMN text_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
CREATE INDEX ix_rag_chunks_text_tsv ON rag_chunks USING gin (text_tsv);
