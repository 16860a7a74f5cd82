-- 0012_rag_fts (SQLite): nothing to undo.
SELECT 1;
