-- +goose Up
-- Personal access tokens: credentials a user makes for scripts and CI.
-- Only the SHA-256 of a token's secret is kept (hash), so the table alone
-- cannot be replayed; a request's token is found by it. scopes is
-- "read,write" (docs.JoinScopes). Times are Unix microseconds, as in every
-- table; expires_at 0 is a token that never expires, last_used_at 0 one
-- never used. AUTOINCREMENT never hands out an id twice: `docs token
-- revoke ID` must not reach a newer token that took a revoked one's id.
CREATE TABLE tokens (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    last_used_at   BIGINT  NOT NULL DEFAULT 0,
    last_used_from TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
-- A user's token names are unique regardless of case, as usernames are
-- (and as there, SQLite's lower() folds ASCII letters only): a name is a
-- label read in a list, and "CI" beside "ci" would be two tokens told
-- apart by case alone.
CREATE UNIQUE INDEX tokens_user_name ON tokens (user_id, lower(name));
-- A user's tokens, oldest first, are a range scan of this index.
CREATE INDEX tokens_user_created ON tokens (user_id, created_at, id);

-- A new or deleted token moves the auth epoch, as a session does: a
-- process caches a token's lookup under the epoch it read it with, so a
-- revocation holds on every process at its next request, and a restore
-- can undo a creation as well as a revocation (see 00007). Recording a
-- use, an UPDATE of last_used_at and last_used_from, moves nothing: use
-- must not empty every process's cache, and it is the only change made to
-- a token after its insert.

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_token_created AFTER INSERT ON tokens
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER auth_epoch_token_deleted AFTER DELETE ON tokens
BEGIN
    UPDATE auth_epoch SET n = random() WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER auth_epoch_token_deleted;
DROP TRIGGER auth_epoch_token_created;
DROP TABLE tokens;
