-- +goose Up
-- The epochs become values that never repeat: each change sets a new
-- random 64-bit one (SQLite's random()) instead of adding one. A cache
-- compares the value it holds with the database's only for equality, so
-- the value must name one state of the database, whatever history it took:
-- after a backup is restored, counters would start again from an older
-- value and, with new traffic, reach numbers a process has already seen in
-- a history that no longer exists. For the same reason a new session moves
-- the auth epoch too.
DROP TRIGGER auth_epoch_session_deleted;
DROP TRIGGER auth_epoch_user_changed;
DROP TRIGGER auth_epoch_user_deleted;
DROP TRIGGER document_epoch_inserted;
DROP TRIGGER document_epoch_updated;
DROP TRIGGER document_epoch_deleted;
DROP TRIGGER document_epoch_author_renamed;

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_session_created AFTER INSERT ON sessions
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_session_deleted AFTER DELETE ON sessions
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_user_changed AFTER UPDATE OF username, role, password_hash ON users
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON users
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_inserted AFTER INSERT ON documents
BEGIN
    UPDATE document_epoch SET n = random() WHERE id = 1;
    UPDATE document_shard_epoch SET n = random() WHERE shard = NEW.id % 64;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_updated AFTER UPDATE ON documents
BEGIN
    UPDATE document_epoch SET n = random() WHERE id = 1;
    UPDATE document_shard_epoch SET n = random() WHERE shard IN (OLD.id % 64, NEW.id % 64);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_deleted AFTER DELETE ON documents
BEGIN
    UPDATE document_epoch SET n = random() WHERE id = 1;
    UPDATE document_shard_epoch SET n = random() WHERE shard = OLD.id % 64;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER document_epoch_author_renamed AFTER UPDATE OF username ON users
BEGIN
    UPDATE document_epoch SET n = random() WHERE id = 1;
    UPDATE document_shard_epoch SET n = random();
END;
-- +goose StatementEnd

-- Every database starts its own history.
UPDATE auth_epoch SET n = random();
UPDATE document_epoch SET n = random();
UPDATE document_shard_epoch SET n = random();

-- +goose Down
DROP TRIGGER auth_epoch_session_created;
DROP TRIGGER auth_epoch_session_deleted;
DROP TRIGGER auth_epoch_user_changed;
DROP TRIGGER auth_epoch_user_deleted;
DROP TRIGGER document_epoch_inserted;
DROP TRIGGER document_epoch_updated;
DROP TRIGGER document_epoch_deleted;
DROP TRIGGER document_epoch_author_renamed;

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_session_deleted AFTER DELETE ON sessions
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_user_changed AFTER UPDATE OF username, role, password_hash ON users
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON users
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

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
