package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)),
// so that a username and an address never share a lock.
const (
	lockUsername = 1
	lockAddress  = 2
)

// ReserveLoginAttempt counts and records in one transaction. Under READ
// COMMITTED parallel attempts could all count before any inserts, so it
// first takes a transaction advisory lock per username and per address:
// attempts on one key queue and each sees the others' failures. Every
// transaction takes the username lock before the address lock, so two
// cannot deadlock.
func (d *DB) ReserveLoginAttempt(ctx context.Context, a docs.LoginAttempt) (time.Time, error) {
	username := strings.ToLower(a.Username)
	since := sqlstore.Micros(a.At.Add(-a.Window))
	var locked time.Time
	err := d.inTx(ctx, "reserve login attempt", func(tx pgx.Tx) error {
		locked = time.Time{}
		for _, key := range []struct {
			class         int
			column, value string
			max           int
		}{
			{lockUsername, "username", username, a.MaxPerUsername},
			{lockAddress, "address", a.Address, a.MaxPerAddress},
		} {
			if key.max <= 0 || key.value == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, key.class, key.value); err != nil {
				return err
			}
			// The max-th most recent failure in the window: while it is
			// there, the key is locked, until it leaves the window.
			var at int64
			err := tx.QueryRow(ctx,
				`SELECT at FROM login_failures WHERE `+key.column+` = $1 AND at >= $2 ORDER BY at DESC LIMIT 1 OFFSET $3`,
				key.value, since, key.max-1).Scan(&at)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if until := sqlstore.FromMicros(at).Add(a.Window); until.After(locked) {
				locked = until
			}
		}
		if !locked.IsZero() {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO login_failures (username, address, at) SELECT $1, $2, $3 FROM generate_series(1, $4)`,
			username, a.Address, sqlstore.Micros(a.At), a.Failures())
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	return locked, nil
}

// ClearLoginFailures forgets username's failures.
func (d *DB) ClearLoginFailures(ctx context.Context, username string) error {
	if _, err := d.pool.Exec(ctx, `DELETE FROM login_failures WHERE username = $1`, strings.ToLower(username)); err != nil {
		return d.wrap("clear login failures", err)
	}
	return nil
}

// DeleteLoginFailuresBefore drops failures too old to matter.
func (d *DB) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int64, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, sqlstore.Micros(before))
	if err != nil {
		return 0, d.wrap("sweep login failures", err)
	}
	return tag.RowsAffected(), nil
}
