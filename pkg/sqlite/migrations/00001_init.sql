-- +goose Up
-- Times are Unix microseconds in BIGINT columns: UTC at microsecond
-- precision, as every backend keeps them.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('member', 'editor', 'admin')),
    created_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    BIGINT  NOT NULL DEFAULT 1
);
CREATE INDEX documents_author ON documents (author_id);

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE INDEX sessions_created ON sessions (created_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE sessions;
DROP TABLE documents;
DROP TABLE users;
