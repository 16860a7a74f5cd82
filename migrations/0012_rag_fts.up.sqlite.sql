-- 0012_rag_fts (SQLite): nothing to do; FTS5 (0003) already serves lexical retrieval.
SELECT 1;
