-- +goose Up
-- auth_epoch counts changes that can end a session or change what its user
-- may do. Processes that cache sessions read it on every request and drop
-- their cache when it moves, so a logout, a role change, a new password or
-- a removed user holds on every process at its next request. Triggers bump
-- it in the same transaction as the change, whoever makes the change.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

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

-- +goose Down
DROP TRIGGER auth_epoch_user_deleted;
DROP TRIGGER auth_epoch_user_changed;
DROP TRIGGER auth_epoch_session_deleted;
DROP TABLE auth_epoch;
