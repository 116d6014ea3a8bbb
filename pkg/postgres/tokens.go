package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// tokensUserName is the unique index on a user's token names (migration
// 00008), which a violation names.
const tokensUserName = "tokens_user_name"

// CreateToken stores t and sets its ID. The insert selects the user FOR
// KEY SHARE: against a DeleteUser, which locks the row FOR UPDATE, it
// either waits for the removal, then finds no user and stores nothing, or
// holds the row until it commits, and the removal then deletes the token
// with its user. Without the lock, the SELECT would read the user from
// the statement's snapshot and only the foreign-key check would wait,
// then fail (23503), an error of no kind for what is AuthorRemoved. It is
// the lock that check takes, taken while the user row is read, before
// the trigger takes the auth epoch: the order DeleteUser takes them in,
// so the two cannot deadlock. A role change does not conflict with it
// and need not wait.
func (d *DB) CreateToken(ctx context.Context, t *docs.Token) error {
	err := d.pool.QueryRow(ctx,
		`INSERT INTO tokens (user_id, name, hash, scopes, created_at, expires_at, last_used_at, last_used_from)
		 SELECT id, $1, $2, $3, $4, $5, $6, $7 FROM users WHERE id = $8 FOR KEY SHARE
		 RETURNING id`,
		t.Name, t.Hash, docs.JoinScopes(t.Scopes), sqlstore.Micros(t.CreatedAt), sqlstore.MicrosOrZero(t.ExpiresAt),
		sqlstore.MicrosOrZero(t.LastUsedAt), t.LastUsedFrom, t.UserID,
	).Scan(&t.ID)
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return docs.AuthorRemoved(t.UserID)
	case errors.As(err, &pe) && pe.Code == uniqueViolation && pe.ConstraintName == tokensUserName:
		return docs.TokenNameTaken(t.Name)
	case err != nil:
		return d.wrap("create token", err)
	}
	return nil
}

// TokenUser returns the token whose secret hashes to hash and its user,
// joined in one query, or a NotFound error.
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
			return d.pool.QueryRow(ctx, `SELECT `+sqlstore.TokenUserColumns+`
				 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash)
		},
		func() sqlstore.Scanner { return d.pool.QueryRow(ctx, sqlstore.TokenAbsentQuery("$1"), hash) },
		func(err error) bool { return errors.Is(err, pgx.ErrNoRows) })
	if err != nil && !docs.IsNotFound(err) {
		return nil, nil, 0, d.wrap("load token", err)
	}
	return t, u, epoch, err
}

// UserTokens returns every token of the user, oldest first.
func (d *DB) UserTokens(ctx context.Context, userID int64) ([]*docs.Token, error) {
	rows, err := d.pool.Query(ctx,
		`SELECT `+sqlstore.TokenColumns+` FROM tokens t WHERE t.user_id = $1 ORDER BY t.created_at, t.id`, userID)
	if err != nil {
		return nil, d.wrap("list tokens", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanToken)
	if err != nil {
		return nil, d.wrap("list tokens", err)
	}
	return out, nil
}

// DeleteToken deletes the token with id if it belongs to userID; a token
// of another user is as missing as one that does not exist. The trigger
// moves the epoch in the same statement.
func (d *DB) DeleteToken(ctx context.Context, userID, id int64) error {
	tag, err := d.pool.Exec(ctx, `DELETE FROM tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return d.wrap("revoke token", err)
	}
	if tag.RowsAffected() == 0 {
		return docs.TokenNotFound(id)
	}
	return nil
}

// TouchToken records a use of the token at at from the address from; a
// token revoked meanwhile is not an error. No trigger watches these
// columns, so the auth epoch stays.
func (d *DB) TouchToken(ctx context.Context, id int64, at time.Time, from string) error {
	if _, err := d.pool.Exec(ctx,
		`UPDATE tokens SET last_used_at = $1, last_used_from = $2 WHERE id = $3`, sqlstore.Micros(at), from, id); err != nil {
		return d.wrap("touch token", err)
	}
	return nil
}
