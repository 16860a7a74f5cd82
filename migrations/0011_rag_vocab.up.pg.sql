-- 0011_rag_vocab (PostgreSQL): nothing to do; pg_trgm's GIN index needs no vocabulary table.
SELECT 1;
