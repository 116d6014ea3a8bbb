-- +goose Up
-- auth_epoch counts changes that can end a session or change what its user
-- may do. Processes that cache sessions read it on every request and drop
-- their cache when it moves, so a logout, a role change, a new password or
-- a removed user holds on every replica at its next request. Triggers bump
-- it in the same transaction as the change, whoever makes the change.
--
-- The bump takes the row lock on auth_epoch until the transaction ends.
-- Row triggers run at the end of their statement, after the statement has
-- locked its own rows; the store therefore makes every change that moves
-- the epoch in the last statement of its transaction, so no transaction
-- holds the epoch while it waits for another row, and two cannot deadlock
-- on it.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER auth_epoch_session_deleted AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION auth_epoch_bump();
CREATE TRIGGER auth_epoch_user_changed AFTER UPDATE OF username, role, password_hash ON users
    FOR EACH ROW EXECUTE FUNCTION auth_epoch_bump();
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION auth_epoch_bump();

-- +goose Down
DROP TRIGGER auth_epoch_user_deleted ON users;
DROP TRIGGER auth_epoch_user_changed ON users;
DROP TRIGGER auth_epoch_session_deleted ON sessions;
DROP FUNCTION auth_epoch_bump();
DROP TABLE auth_epoch;
