-- +goose Up
-- document_epoch counts changes to what a document shows: its insert,
-- update and delete (a reassignment of its author included), and a change
-- to an author's name. Processes that keep encoded documents in memory read
-- it with auth_epoch, in one statement, on every request, and forget their
-- documents when it moves, so an edit made through any replica, or by
-- `docsd user rm --reassign-to`, is seen everywhere at the next request.
-- Triggers bump it in the same transaction as the change, whoever makes it.
--
-- The bump holds the row lock on document_epoch until the transaction
-- ends, so document writes commit one at a time: that is what makes the
-- counter's order the commit order, which a sequence would not be. A
-- transaction that also changes users takes the user row first (see
-- DeleteUser), in the same order as an insert's foreign-key check, so the
-- two cannot deadlock.
CREATE TABLE document_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO document_epoch (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER document_epoch_changed AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION document_epoch_bump();
CREATE TRIGGER document_epoch_author_renamed AFTER UPDATE OF username ON users
    FOR EACH ROW EXECUTE FUNCTION document_epoch_bump();

-- +goose Down
DROP TRIGGER document_epoch_author_renamed ON users;
DROP TRIGGER document_epoch_changed ON documents;
DROP FUNCTION document_epoch_bump();
DROP TABLE document_epoch;
