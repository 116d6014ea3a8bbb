-- +goose Up
-- GET /documents?author=NAME pages through one author's documents in id
-- order: (author_id, id) makes each page a range scan of this index.
CREATE INDEX documents_author_id ON documents (author_id, id);
DROP INDEX documents_author;

-- +goose Down
CREATE INDEX documents_author ON documents (author_id);
DROP INDEX documents_author_id;
