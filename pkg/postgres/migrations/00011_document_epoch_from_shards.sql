-- +goose Up
-- Document writes stop taking one row. Every document write used to set
-- document_epoch, one row whose lock it held until commit, so document
-- writes on every replica committed one at a time, each waiting for its
-- own flush. Now a write sets only the epochs of the shards it touches
-- (document_shard_epoch, 64 rows), and readers derive the document epoch
-- from the 64 in the statement they already make on every request:
-- bit_xor(n) over them (pkg/postgres/epochs.go). Each shard's value is
-- random and new at every change (00007), so their XOR changes with any
-- of them and is itself a random value that never comes back: it names
-- one state of the documents, as document_epoch's did. Writes to
-- different shards no longer wait for each other; writes to one shard
-- still do, which orders a document's changes as before. Reading 64 rows
-- instead of one costs each read of the epochs a few microseconds of
-- PostgreSQL's CPU, and requests that ask together share that read.
--
-- Without the one row that every write took first, two transactions that
-- change several shards could take them in opposite orders and deadlock.
-- So a statement takes its shards' rows together, at its end, in shard
-- order: the triggers run once per statement and see the documents it
-- changed in its transition tables. A statement that changes no document
-- (an update refused for a stale version) takes and moves nothing. A
-- transaction that changes documents in several statements takes every
-- shard in order first (ImportDocuments); the others change documents in
-- one statement. As before, a statement locks its documents' rows before
-- its shards', and a transaction that also changes users takes the user's
-- row first (see DeleteUser).

-- +goose StatementBegin
CREATE FUNCTION document_shards_bump(shards bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM document_shard_epoch WHERE shard = ANY (shards) ORDER BY shard FOR UPDATE;
    UPDATE document_shard_epoch SET n = epoch_next() WHERE shard = ANY (shards);
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM document_shards_bump(array(SELECT generate_series(0, 63)));
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM document_shards_bump(array(SELECT DISTINCT id % 64 FROM new_documents));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM document_shards_bump(array(SELECT DISTINCT id % 64 FROM old_documents));
    ELSE
        PERFORM document_shards_bump(array(SELECT id % 64 FROM old_documents UNION SELECT id % 64 FROM new_documents));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER document_epoch_changed ON documents;
CREATE TRIGGER document_epoch_inserted AFTER INSERT ON documents
    REFERENCING NEW TABLE AS new_documents
    FOR EACH STATEMENT EXECUTE FUNCTION document_epoch_bump();
CREATE TRIGGER document_epoch_updated AFTER UPDATE ON documents
    REFERENCING OLD TABLE AS old_documents NEW TABLE AS new_documents
    FOR EACH STATEMENT EXECUTE FUNCTION document_epoch_bump();
CREATE TRIGGER document_epoch_deleted AFTER DELETE ON documents
    REFERENCING OLD TABLE AS old_documents
    FOR EACH STATEMENT EXECUTE FUNCTION document_epoch_bump();

DROP TABLE document_epoch;

-- +goose Down
CREATE TABLE document_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO document_epoch (id, n) VALUES (1, epoch_next());

DROP TRIGGER document_epoch_deleted ON documents;
DROP TRIGGER document_epoch_updated ON documents;
DROP TRIGGER document_epoch_inserted ON documents;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_epoch SET n = epoch_next() WHERE id = 1;
    IF TG_TABLE_NAME = 'users' THEN
        UPDATE document_shard_epoch SET n = epoch_next();
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard = OLD.id % 64;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard IN (OLD.id % 64, NEW.id % 64);
    ELSE
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard = NEW.id % 64;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER document_epoch_changed AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION document_epoch_bump();

DROP FUNCTION document_shards_bump(bigint[]);
