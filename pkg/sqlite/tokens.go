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

// CreateToken stores t and sets its ID. The name check and the insert are
// one transaction, which holds the write lock from its start (BEGIN
// IMMEDIATE): no other token can take the name between them, so a unique
// violation of the insert can only be the hash's, and the two are told
// apart without reading SQLite's message. The insert selects the user, so
// a user removed before it stores nothing.
func (d *DB) CreateToken(ctx context.Context, t *docs.Token) error {
	return d.inTx(ctx, "create token", func(tx writeTx) error {
		var taken int
		if err := tx.QueryRowContext(ctx,
			`SELECT count(*) FROM tokens WHERE user_id = ? AND lower(name) = lower(?)`, t.UserID, t.Name,
		).Scan(&taken); err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		if taken > 0 {
			return docs.TokenNameTaken(t.Name)
		}
		err := tx.QueryRowContext(ctx,
			`INSERT INTO tokens (user_id, name, hash, scopes, created_at, expires_at, last_used_at, last_used_from)
			 SELECT id, ?, ?, ?, ?, ?, ?, ? FROM users WHERE id = ?
			 RETURNING id`,
			t.Name, t.Hash, docs.JoinScopes(t.Scopes), sqlstore.Micros(t.CreatedAt), sqlstore.MicrosOrZero(t.ExpiresAt),
			sqlstore.MicrosOrZero(t.LastUsedAt), t.LastUsedFrom, t.UserID,
		).Scan(&t.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return docs.AuthorRemoved(t.UserID)
		}
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return nil
	})
}

// TokenUser returns the token whose secret hashes to hash and its user,
// joined in one prepared query, or a NotFound error.
func (d *DB) TokenUser(ctx context.Context, hash string) (*docs.Token, *docs.User, error) {
	t, u, _, err := d.TokenUserWithEpoch(ctx, hash)
	return t, u, err
}

// TokenUserWithEpoch returns the token whose secret hashes to hash, its
// user and the auth epoch, read in one statement, so the pair is exactly
// what the epoch names; or a NotFound error and the epoch of a state in
// which no token has the secret.
func (d *DB) TokenUserWithEpoch(ctx context.Context, hash string) (*docs.Token, *docs.User, int64, error) {
	t, u, epoch, err := sqlstore.TokenUserOrAbsence(
		func() sqlstore.Scanner {
			return d.q.QueryRowContext(ctx, `SELECT `+sqlstore.TokenUserColumns+`
				 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hash)
		},
		func() sqlstore.Scanner { return d.q.QueryRowContext(ctx, sqlstore.TokenAbsentQuery("?"), hash) },
		func(err error) bool { return errors.Is(err, sql.ErrNoRows) })
	if err != nil && !docs.IsNotFound(err) {
		return nil, nil, 0, fmt.Errorf("load token: %w", err)
	}
	return t, u, epoch, err
}

// UserTokens returns every token of the user, oldest first.
func (d *DB) UserTokens(ctx context.Context, userID int64) ([]*docs.Token, error) {
	rows, err := d.q.QueryContext(ctx,
		`SELECT `+sqlstore.TokenColumns+` FROM tokens t WHERE t.user_id = ? ORDER BY t.created_at, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanToken)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// DeleteToken deletes the token with id if it belongs to userID; a token
// of another user is as missing as one that does not exist.
func (d *DB) DeleteToken(ctx context.Context, userID, id int64) error {
	res, err := d.write(ctx, `DELETE FROM tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n == 0 {
		return docs.TokenNotFound(id)
	}
	return nil
}

// TouchToken records a use of the token at at from the address from; a
// token revoked meanwhile is not an error. No trigger watches these
// columns, so the auth epoch stays.
func (d *DB) TouchToken(ctx context.Context, id int64, at time.Time, from string) error {
	if _, err := d.write(ctx,
		`UPDATE tokens SET last_used_at = ?, last_used_from = ? WHERE id = ?`, sqlstore.Micros(at), from, id); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}
