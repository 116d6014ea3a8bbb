package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// ReserveLoginAttempt counts and records in one immediate transaction, so
// concurrent attempts queue on SQLite's write lock and each sees the
// others' failures.
func (d *DB) ReserveLoginAttempt(ctx context.Context, a docs.LoginAttempt) (time.Time, error) {
	var locked time.Time
	err := d.inTx(ctx, "reserve login attempt", func(tx writeTx) error {
		username := strings.ToLower(a.Username)
		since := sqlstore.Micros(a.At.Add(-a.Window))
		for _, key := range []struct {
			column, value string
			max           int
		}{
			{"username", username, a.MaxPerUsername},
			{"address", a.Address, a.MaxPerAddress},
		} {
			if key.max <= 0 || key.value == "" {
				continue
			}
			// The max-th most recent failure in the window: while it is
			// there, the key is locked, until it leaves the window.
			var at int64
			err := tx.QueryRowContext(ctx,
				`SELECT at FROM login_failures WHERE `+key.column+` = ? AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
				key.value, since, key.max-1).Scan(&at)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reserve login attempt: %w", err)
			}
			if until := sqlstore.FromMicros(at).Add(a.Window); until.After(locked) {
				locked = until
			}
		}
		if !locked.IsZero() {
			return nil
		}
		if _, err := tx.ExecContext(ctx,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			 INSERT INTO login_failures (username, address, at) SELECT ?, ?, ? FROM n`,
			a.Failures(), username, a.Address, sqlstore.Micros(a.At)); err != nil {
			return fmt.Errorf("reserve login attempt: %w", err)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return locked, nil
}

// ClearLoginFailures forgets username's failures.
func (d *DB) ClearLoginFailures(ctx context.Context, username string) error {
	if _, err := d.write(ctx, `DELETE FROM login_failures WHERE username = ?`, strings.ToLower(username)); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// DeleteLoginFailuresBefore drops failures too old to matter.
func (d *DB) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.write(ctx, `DELETE FROM login_failures WHERE at < ?`, sqlstore.Micros(before))
	if err != nil {
		return 0, fmt.Errorf("sweep login failures: %w", err)
	}
	return res.RowsAffected()
}
