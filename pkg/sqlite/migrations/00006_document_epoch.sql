-- +goose Up
-- document_epoch counts changes to what a document shows: its insert,
-- update and delete (a reassignment of its author included), and a change
-- to an author's name. Processes that keep encoded documents in memory read
-- it with auth_epoch, in one statement, on every request, and look further
-- only when it moves, so an edit made through any process, or by `docsd
-- user rm --reassign-to`, is seen everywhere at the next request. Triggers
-- bump it in the same transaction as the change, whoever makes it.
CREATE TABLE document_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO document_epoch (id, n) VALUES (1, 0);

-- document_shard_epoch is the same count for each of 64 shards of the
-- documents (id % 64), bumped with document_epoch: when that moves, a cache
-- reads these and forgets only the shards that changed.
CREATE TABLE document_shard_epoch (
    shard INTEGER PRIMARY KEY CHECK (shard >= 0 AND shard < 64),
    n     BIGINT  NOT NULL
);
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 63)
INSERT INTO document_shard_epoch (shard, n) SELECT k, 0 FROM s;

-- +goose StatementBegin
CREATE TRIGGER document_epoch_inserted AFTER INSERT ON documents
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    UPDATE document_shard_epoch SET n = n + 1 WHERE shard = NEW.id % 64;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_updated AFTER UPDATE ON documents
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    UPDATE document_shard_epoch SET n = n + 1 WHERE shard IN (OLD.id % 64, NEW.id % 64);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_deleted AFTER DELETE ON documents
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    UPDATE document_shard_epoch SET n = n + 1 WHERE shard = OLD.id % 64;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_author_renamed AFTER UPDATE OF username ON users
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    UPDATE document_shard_epoch SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER document_epoch_author_renamed;
DROP TRIGGER document_epoch_deleted;
DROP TRIGGER document_epoch_updated;
DROP TRIGGER document_epoch_inserted;
DROP TABLE document_shard_epoch;
DROP TABLE document_epoch;
