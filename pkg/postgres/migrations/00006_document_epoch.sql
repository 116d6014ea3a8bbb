-- +goose Up
-- document_epoch counts changes to what a document shows: its insert,
-- update and delete (a reassignment of its author included), and a change
-- to an author's name. Processes that keep encoded documents in memory read
-- it with auth_epoch, in one statement, on every request, and look further
-- only when it moves, so an edit made through any replica, or by `docsd
-- user rm --reassign-to`, is seen everywhere at the next request. Triggers
-- bump it in the same transaction as the change, whoever makes it.
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

-- document_shard_epoch is the same count for each of 64 shards of the
-- documents (id % 64), bumped after document_epoch (whose lock orders
-- them): when that moves, a cache reads these and forgets only the shards
-- that changed.
CREATE TABLE document_shard_epoch (
    shard INTEGER PRIMARY KEY CHECK (shard >= 0 AND shard < 64),
    n     BIGINT  NOT NULL
);
INSERT INTO document_shard_epoch (shard, n) SELECT k, 0 FROM generate_series(0, 63) AS k;

-- +goose StatementBegin
CREATE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    IF TG_TABLE_NAME = 'users' THEN
        UPDATE document_shard_epoch SET n = n + 1;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard = OLD.id % 64;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard IN (OLD.id % 64, NEW.id % 64);
    ELSE
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard = NEW.id % 64;
    END IF;
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
DROP TABLE document_shard_epoch;
DROP TABLE document_epoch;
