package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
)

// CreateSession stores s.
func (d *DB) CreateSession(ctx context.Context, s *docs.Session) error {
	_, err := d.pool.Exec(ctx,
		`INSERT INTO sessions (id, user_id, created_at, last_seen) VALUES ($1, $2, $3, $4)`,
		s.ID, s.UserID, micros(s.CreatedAt), micros(s.LastSeen))
	if err != nil {
		return d.wrap("create session", err)
	}
	return nil
}

// SessionByID returns the session with id, or a NotFound error.
func (d *DB) SessionByID(ctx context.Context, id string) (*docs.Session, error) {
	var (
		s             docs.Session
		created, seen int64
	)
	err := d.pool.QueryRow(ctx,
		`SELECT id, user_id, created_at, last_seen FROM sessions WHERE id = $1`, id,
	).Scan(&s.ID, &s.UserID, &created, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, docs.Errorf(docs.NotFound, "session not found")
	}
	if err != nil {
		return nil, d.wrap("load session", err)
	}
	s.CreatedAt, s.LastSeen = fromMicros(created), fromMicros(seen)
	return &s, nil
}

// SessionUser returns the session with id and its user, joined in one
// query, or a NotFound error.
func (d *DB) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	var (
		s                 docs.Session
		u                 docs.User
		created, seen, uc int64
		hash, role        string
	)
	err := d.pool.QueryRow(ctx,
		`SELECT s.id, s.user_id, s.created_at, s.last_seen, u.username, u.password_hash, u.role, u.created_at
		 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id,
	).Scan(&s.ID, &s.UserID, &created, &seen, &u.Username, &hash, &role, &uc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, docs.Errorf(docs.NotFound, "session not found")
	}
	if err != nil {
		return nil, nil, d.wrap("load session", err)
	}
	s.CreatedAt, s.LastSeen = fromMicros(created), fromMicros(seen)
	u.ID, u.PasswordHash, u.Role, u.CreatedAt = s.UserID, []byte(hash), docs.Role(role), fromMicros(uc)
	return &s, &u, nil
}

// TouchSession records that the session was used at seen.
func (d *DB) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if _, err := d.pool.Exec(ctx, `UPDATE sessions SET last_seen = $1 WHERE id = $2`, micros(seen), id); err != nil {
		return d.wrap("touch session", err)
	}
	return nil
}

// DeleteSession removes the session with id; a missing one is not an error.
func (d *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := d.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return d.wrap("delete session", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (d *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	tag, err := d.pool.Exec(ctx,
		`DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2`, micros(idleBefore), micros(createdBefore))
	if err != nil {
		return 0, d.wrap("sweep sessions", err)
	}
	return tag.RowsAffected(), nil
}
