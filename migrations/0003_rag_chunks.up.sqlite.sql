-- 0003_rag_chunks (SQLite): brand-guide chunks with their embeddings, and an FTS5 index on
-- text with the trigram tokenizer (matches Korean, which has no spaces between morphemes).
-- rag_chunks_fts is an external-content table kept in step by the triggers below; query it
-- with `rag_chunks_fts MATCH ?` and join on rag_chunks.id = rag_chunks_fts.rowid.
CREATE TABLE rag_chunks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    source     TEXT NOT NULL,
    section    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    embedding  BLOB,
    embedder   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX ix_rag_chunks_channel_id ON rag_chunks (channel_id);

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
