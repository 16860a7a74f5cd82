-- 0010_rag_index: what incremental re-indexing and the vector cache need on top of
-- rag_chunks (0003). content_hash (SHA-256 of source, section and text) lets an unchanged
-- chunk keep its embedding; dim is the embedding's dimension. rag_index_state records, per
-- channel, the embedder the index was built with (queries with another one are refused) and
-- a generation bumped on every change, which tells every process when its cached vector
-- matrix is stale.
ALTER TABLE rag_chunks ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE rag_chunks ADD COLUMN dim INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_rag_chunks_channel_embedder ON rag_chunks (channel_id, embedder);
CREATE TABLE rag_index_state (
    channel_id TEXT PRIMARY KEY,
    embedder   TEXT NOT NULL,
    dim        INTEGER NOT NULL DEFAULT 0,
    chunks     INTEGER NOT NULL DEFAULT 0,
    generation BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
