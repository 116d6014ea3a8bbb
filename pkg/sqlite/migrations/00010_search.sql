-- +goose Up
-- Full-text search. The words are docsd's own (pkg/search), lower case and
-- without diacritics, written by the store in the same transaction as the
-- document, separated by spaces: the ascii tokenizer splits them at the
-- spaces and nowhere else, since they hold no other ASCII but letters and
-- digits, so FTS5 indexes exactly the words PostgreSQL does. Contentless
-- tables keep only the index, not a second copy of every text.
-- search_title ranks a document whose title alone matches above the rest;
-- search_text is title and body, two columns that no phrase crosses.
CREATE VIRTUAL TABLE search_title USING fts5(title, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE search_text USING fts5(title, body, content='', contentless_delete=1, tokenize='ascii');

-- A document leaves the index with its row, however it leaves.
-- +goose StatementBegin
CREATE TRIGGER search_document_deleted AFTER DELETE ON documents
BEGIN
    DELETE FROM search_title WHERE rowid = OLD.id;
    DELETE FROM search_text WHERE rowid = OLD.id;
END;
-- +goose StatementEnd

-- The documents that are not indexed yet: Migrate indexes them in Go right
-- after this migration, in batches, and an interrupted run goes on where
-- it stopped the next time.
CREATE TABLE search_pending (id INTEGER PRIMARY KEY);
INSERT INTO search_pending (id) SELECT id FROM documents;

-- +goose Down
DROP TABLE search_pending;
DROP TRIGGER search_document_deleted;
DROP TABLE search_text;
DROP TABLE search_title;
