-- 0080_rag_drop_text_indexes (SQLite): the FTS5 trigram index of 0003, its triggers and the
-- vocabulary table of 0011 again, filled from the chunks already stored.
CREATE VIRTUAL TABLE rag_chunks_fts USING fts5(
    text, content = 'rag_chunks', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER rag_chunks_ai AFTER INSERT ON rag_chunks BEGIN
    INSERT INTO rag_chunks_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER rag_chunks_ad AFTER DELETE ON rag_chunks BEGIN
    INSERT INTO rag_chunks_fts (rag_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER rag_chunks_au AFTER UPDATE OF text ON rag_chunks BEGIN
    INSERT INTO rag_chunks_fts (rag_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO rag_chunks_fts (rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO rag_chunks_fts (rag_chunks_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE rag_chunks_vocab USING fts5vocab(rag_chunks_fts, row);
