-- 0081_rag_terms: the analysed lexical terms of each chunk, computed when it is indexed
-- (src/rag/analyze.c: "<analyser tag>\t<term> <term> ..."), so loading a channel's in-memory
-- BM25 index reads them instead of running the Korean dictionary over every chunk on the first
-- query. NULL (rows of older versions) or another tag: the text is analysed at load instead,
-- and the next `yaa rag index` fills the column.
ALTER TABLE rag_chunks ADD COLUMN terms TEXT;
