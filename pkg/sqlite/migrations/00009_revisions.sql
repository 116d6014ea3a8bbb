-- +goose Up
-- Every version of every document: the store writes a document's revision
-- in the same transaction as the change that makes the version (creation,
-- an edit, the reassignment of its author, a revert, a restore), so a
-- change that rolls back leaves none. Rows are never updated; pruning
-- (documents.keep_revisions) deletes the oldest of a document's revisions
-- and never its newest, the current version. Names are copied as they are
-- at the change, so that a revision never changes and may be cached
-- forever. by_id 0 (by_name '') is a change no user made through the API:
-- `docsd user rm --reassign-to`, or the version kept below. There is no
-- foreign key to documents or users: the history outlives both.
CREATE TABLE revisions (
    document_id INTEGER NOT NULL,
    version     BIGINT  NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL,
    by_id       INTEGER NOT NULL,
    by_name     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (document_id, version)
);

-- A deleted document leaves the documents table, so that every read of
-- documents (and the epochs' triggers) stays as it was, and leaves here
-- what restoring it needs beside its last revision: its author (moved by
-- a reassignment like a document's), its creation time and last version.
CREATE TABLE deleted_documents (
    id         INTEGER PRIMARY KEY,
    author_id  INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    version    BIGINT  NOT NULL
);
CREATE INDEX deleted_documents_author ON deleted_documents (author_id);

-- History starts with the version each document has now.
INSERT INTO revisions (document_id, version, title, body, author_id, author_name, by_id, by_name, created_at)
SELECT d.id, d.version, d.title, d.body, d.author_id, u.username, 0, '', d.updated_at
FROM documents d JOIN users u ON u.id = d.author_id;

-- +goose Down
DROP TABLE deleted_documents;
DROP TABLE revisions;
