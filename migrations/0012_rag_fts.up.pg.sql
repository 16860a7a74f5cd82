-- 0012_rag_fts (PostgreSQL): full-text search for lexical retrieval at scale. A stored
-- tsvector ('simple' configuration: no stemming or stop words, so Korean and English are
-- treated alike) with a GIN index; queries are OR'ed word prefixes ranked by ts_rank. The
-- pg_trgm index of 0003 stays for similarity queries, but rechecking word_similarity on every
-- candidate row is too slow past a few thousand chunks.
ALTER TABLE rag_chunks ADD COLUMN text_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
CREATE INDEX ix_rag_chunks_text_tsv ON rag_chunks USING gin (text_tsv);
