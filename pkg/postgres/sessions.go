package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateSession stores s if its user still has passwordHash. Under READ
// COMMITTED the SELECT would judge the user row as of the statement's
// start, and a password change committing meanwhile would miss the new
// session; FOR SHARE makes the SELECT wait for such a change and read the
// row as it commits, so either the session exists before the change
// (which ends it) or the check sees the change and nothing is stored.
func (d *DB) CreateSession(ctx context.Context, s *docs.Session, passwordHash []byte) error {
	tag, err := d.pool.Exec(ctx,
		`INSERT INTO sessions (id, user_id, created_at, last_seen, client_address, user_agent)
		 SELECT $1, id, $2, $3, $4, $5 FROM users WHERE id = $6 AND password_hash = $7 FOR SHARE`,
		s.ID, sqlstore.Micros(s.CreatedAt), sqlstore.Micros(s.LastSeen), s.ClientAddress, s.UserAgent, s.UserID, string(passwordHash))
	if err != nil {
		return d.wrap("create session", err)
	}
	if tag.RowsAffected() == 0 {
		return docs.StaleLogin(s.UserID)
	}
	return nil
}

// SessionUser returns the session with id and its user, joined in one
// query, or a NotFound error.
func (d *DB) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	s, u, _, err := d.SessionUserWithEpoch(ctx, id)
	return s, u, err
}

// SessionUserWithEpoch returns the session with id, its user and the auth
// epoch, read in one statement, so the pair is exactly what the epoch
// names; or a NotFound error.
func (d *DB) SessionUserWithEpoch(ctx context.Context, id string) (*docs.Session, *docs.User, int64, error) {
	s, u, epoch, err := sqlstore.ScanSessionUser(d.pool.QueryRow(ctx,
		`SELECT `+sqlstore.SessionUserColumns+`
		 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, 0, docs.SessionNotFound()
	}
	if err != nil {
		return nil, nil, 0, d.wrap("load session", err)
	}
	return s, u, epoch, nil
}

// TouchSession records that the session was used at seen.
func (d *DB) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if _, err := d.pool.Exec(ctx, `UPDATE sessions SET last_seen = $1 WHERE id = $2`, sqlstore.Micros(seen), id); err != nil {
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
		`DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2`, sqlstore.Micros(idleBefore), sqlstore.Micros(createdBefore))
	if err != nil {
		return 0, d.wrap("sweep sessions", err)
	}
	return tag.RowsAffected(), nil
}

// UserSessions returns every session of the user, oldest first.
func (d *DB) UserSessions(ctx context.Context, userID int64) ([]*docs.Session, error) {
	rows, err := d.pool.Query(ctx,
		`SELECT `+sqlstore.SessionColumns+` FROM sessions WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, d.wrap("list sessions", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanSession)
	if err != nil {
		return nil, d.wrap("list sessions", err)
	}
	return out, nil
}

// DeleteUserSessions ends every session of the user; the epoch triggers
// move with each deleted row, in the same statement.
func (d *DB) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, d.wrap("end sessions", err)
	}
	return tag.RowsAffected(), nil
}
