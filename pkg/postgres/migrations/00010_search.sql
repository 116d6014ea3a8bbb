-- +goose Up
-- Full-text search. The words are docsd's own (pkg/search), lower case and
-- without diacritics: the store writes each tsvector itself, in the same
-- statement as the text, so PostgreSQL's parser and dictionaries never
-- see the text and it indexes exactly the words SQLite does.
-- search_title holds the title's words from position 1, search_body the
-- body's from position 2: concatenated (||, which shifts the body's past
-- the title's), one position stays empty between them, and no phrase
-- crosses from title to body. A PATCH of one of them rewrites one vector.
-- An empty vector matches nothing, so a row is not found until indexed.
ALTER TABLE documents
    ADD COLUMN search_title tsvector NOT NULL DEFAULT '',
    ADD COLUMN search_body  tsvector NOT NULL DEFAULT '';
-- The title alone ranks a document above the rest; the text is both.
CREATE INDEX documents_search_title ON documents USING gin (search_title);
CREATE INDEX documents_search_text ON documents USING gin ((search_title || search_body));

-- The documents that are not indexed yet: Migrate indexes them in Go right
-- after this migration, in batches, and an interrupted run goes on where
-- it stopped the next time.
CREATE TABLE search_pending (id BIGINT PRIMARY KEY);
INSERT INTO search_pending (id) SELECT id FROM documents;

-- +goose Down
DROP TABLE search_pending;
DROP INDEX documents_search_text;
DROP INDEX documents_search_title;
ALTER TABLE documents DROP COLUMN search_body, DROP COLUMN search_title;
