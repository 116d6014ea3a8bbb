package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateSession stores s if its user still has passwordHash. The check is
// the insert's own SELECT: SQLite runs one writer at a time, so no password
// change or user removal can fall between the two.
func (d *DB) CreateSession(ctx context.Context, s *docs.Session, passwordHash []byte) error {
	res, err := d.write(ctx,
		`INSERT INTO sessions (id, user_id, created_at, last_seen, client_address, user_agent)
		 SELECT ?, id, ?, ?, ?, ? FROM users WHERE id = ? AND password_hash = ?`,
		s.ID, sqlstore.Micros(s.CreatedAt), sqlstore.Micros(s.LastSeen), s.ClientAddress, s.UserAgent, s.UserID, string(passwordHash))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	if n == 0 {
		return docs.StaleLogin(s.UserID)
	}
	return nil
}

// SessionUser returns the session with id and its user, joined in one
// prepared query, or a NotFound error.
func (d *DB) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	s, u, _, err := d.SessionUserWithEpoch(ctx, id)
	return s, u, err
}

// SessionUserWithEpoch returns the session with id, its user and the auth
// epoch, read in one statement, so the pair is exactly what the epoch
// names; or a NotFound error.
func (d *DB) SessionUserWithEpoch(ctx context.Context, id string) (*docs.Session, *docs.User, int64, error) {
	s, u, epoch, err := sqlstore.ScanSessionUser(d.q.QueryRowContext(ctx,
		`SELECT `+sqlstore.SessionUserColumns+`
		 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, 0, docs.SessionNotFound()
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("load session: %w", err)
	}
	return s, u, epoch, nil
}

// TouchSession records that the session was used at seen.
func (d *DB) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if _, err := d.write(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, sqlstore.Micros(seen), id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession removes the session with id; a missing one is not an error.
func (d *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := d.write(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (d *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := d.write(ctx,
		`DELETE FROM sessions WHERE last_seen < ? OR created_at < ?`, sqlstore.Micros(idleBefore), sqlstore.Micros(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	return res.RowsAffected()
}

// UserSessions returns every session of the user, oldest first.
func (d *DB) UserSessions(ctx context.Context, userID int64) ([]*docs.Session, error) {
	rows, err := d.q.QueryContext(ctx,
		`SELECT `+sqlstore.SessionColumns+` FROM sessions WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanSession)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// DeleteUserSessions ends every session of the user.
func (d *DB) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := d.write(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return res.RowsAffected()
}
