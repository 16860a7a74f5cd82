-- 0011_rag_vocab (PostgreSQL): nothing to undo.
SELECT 1;
