-- 0081_rag_terms: back to chunks without stored terms (they are analysed at load).
ALTER TABLE rag_chunks DROP COLUMN terms;
