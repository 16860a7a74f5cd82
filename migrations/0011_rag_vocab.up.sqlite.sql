-- 0011_rag_vocab (SQLite): the document frequency of every trigram in rag_chunks_fts, read
-- at query time so a question keeps only its rarest (most telling) trigrams: a few short
-- posting lists instead of OR-ing common trigrams that match most of the index.
CREATE VIRTUAL TABLE rag_chunks_vocab USING fts5vocab(rag_chunks_fts, row);
