package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RecordLoginFailure stores one failed login.
func (d *DB) RecordLoginFailure(ctx context.Context, username, address string, at time.Time) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)`,
		strings.ToLower(username), address, micros(at))
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// LoginFailures returns failure times for username, or for address when
// username is empty, newest first.
func (d *DB) LoginFailures(ctx context.Context, username, address string, since time.Time, limit int) ([]time.Time, error) {
	q := `SELECT at FROM login_failures WHERE username = ? AND at >= ? ORDER BY at DESC LIMIT ?`
	key := strings.ToLower(username)
	if username == "" {
		q = `SELECT at FROM login_failures WHERE address = ? AND at >= ? ORDER BY at DESC LIMIT ?`
		key = address
	}
	rows, err := d.q.QueryContext(ctx, q, key, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("count login failures: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("count login failures: %w", err)
		}
		out = append(out, fromMicros(at))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count login failures: %w", err)
	}
	return out, nil
}

// ClearLoginFailures forgets username's failures.
func (d *DB) ClearLoginFailures(ctx context.Context, username string) error {
	if _, err := d.q.ExecContext(ctx, `DELETE FROM login_failures WHERE username = ?`, strings.ToLower(username)); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// DeleteLoginFailuresBefore drops failures too old to matter.
func (d *DB) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.q.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("sweep login failures: %w", err)
	}
	return res.RowsAffected()
}
