package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateUser inserts u and sets its ID. A taken username (in any case) is a
// Conflict.
func (d *DB) CreateUser(ctx context.Context, u *docs.User) error {
	err := d.pool.QueryRow(ctx,
		`INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.Username, string(u.PasswordHash), string(u.Role), sqlstore.Micros(u.CreatedAt),
	).Scan(&u.ID)
	if sqlState(err) == uniqueViolation {
		return docs.UsernameTaken(u.Username)
	}
	if err != nil {
		return d.wrap("create user "+u.Username, err)
	}
	return nil
}

// UserByID returns the user with id, or a NotFound error.
func (d *DB) UserByID(ctx context.Context, id int64) (*docs.User, error) {
	u, err := sqlstore.ScanUser(d.pool.QueryRow(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, docs.UserNotFound(id)
	}
	if err != nil {
		return nil, d.wrap(fmt.Sprintf("load user %d", id), err)
	}
	return u, nil
}

// UserByName returns the user called username in any case, or a NotFound error.
func (d *DB) UserByName(ctx context.Context, username string) (*docs.User, error) {
	u, err := sqlstore.ScanUser(d.pool.QueryRow(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE lower(username) = lower($1)`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, docs.UsernameNotFound(username)
	}
	if err != nil {
		return nil, d.wrap("load user "+username, err)
	}
	return u, nil
}

// ListUsers returns users in id order.
func (d *DB) ListUsers(ctx context.Context, p docs.Page) ([]*docs.User, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id > $1 ORDER BY id LIMIT $2`, p.After, p.Limit)
	if err != nil {
		return nil, d.wrap("list users", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanUser)
	if err != nil {
		return nil, d.wrap("list users", err)
	}
	return out, nil
}

// lockAdmins locks every admin's row, in id order so that two transactions
// cannot deadlock over them, and returns how many there are. Under READ
// COMMITTED two demotions would each count two admins and both go ahead;
// with the rows locked, the second waits, then counts again without the
// admin the first one demoted.
func lockAdmins(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return len(ids), err
}

// SetRole changes a user's role. Demoting the last admin is a Conflict: a
// server with no admin could never grant the role again.
func (d *DB) SetRole(ctx context.Context, id int64, role docs.Role) (*docs.User, error) {
	var u *docs.User
	err := d.inTx(ctx, "set role", func(tx pgx.Tx) error {
		admins := 0
		if role != docs.RoleAdmin {
			var err error
			if admins, err = lockAdmins(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		u, err = sqlstore.ScanUser(tx.QueryRow(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return docs.UserNotFound(id)
		}
		if err != nil {
			return err
		}
		if u.Role == docs.RoleAdmin && role != docs.RoleAdmin && admins <= 1 {
			return docs.LastAdmin(u.Username)
		}
		if u.Role == role {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE users SET role = $1 WHERE id = $2`, string(role), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	u.Role = role
	return u, nil
}

// DeleteUser removes a user, moving their documents to reassignTo (0: refuse
// if they own any), each as a new version updated at now, and their deleted
// documents with them. Their sessions go
// with them (ON DELETE CASCADE), in the last statement, which moves the
// auth epoch.
func (d *DB) DeleteUser(ctx context.Context, id, reassignTo int64, now time.Time) error {
	return d.inTx(ctx, "delete user", func(tx pgx.Tx) error {
		admins, err := lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		// FOR UPDATE takes the user's row before the documents: the order
		// in which a document insert takes them (its foreign-key check,
		// then its shard's epoch), so the two cannot deadlock.
		u, err := sqlstore.ScanUser(tx.QueryRow(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return docs.UserNotFound(id)
		}
		if err != nil {
			return err
		}
		if reassignTo == id {
			return docs.ReassignToSelf(u.Username)
		}
		if reassignTo != 0 {
			// FOR SHARE keeps the new author from being removed before
			// this transaction commits.
			var found int64
			err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR SHARE`, reassignTo).Scan(&found)
			if errors.Is(err, pgx.ErrNoRows) {
				return docs.UserNotFound(reassignTo)
			}
			if err != nil {
				return err
			}
			// The new versions and their revisions, in one statement. No
			// user makes them: the operator does (by 0).
			if _, err := tx.Exec(ctx,
				`WITH d AS (
				   UPDATE documents SET author_id = $1, updated_at = $2, version = version + 1 WHERE author_id = $3
				   RETURNING *)
				 `+addRevisionSQL+`, 0, '', d.updated_at FROM d JOIN users u ON u.id = d.author_id`,
				reassignTo, sqlstore.Micros(now), id); err != nil {
				return err
			}
			// Their deleted documents move too, so that the new author
			// may restore them.
			if _, err := tx.Exec(ctx, `UPDATE deleted_documents SET author_id = $1 WHERE author_id = $2`, reassignTo, id); err != nil {
				return err
			}
		} else {
			var owned int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM documents WHERE author_id = $1`, id).Scan(&owned); err != nil {
				return err
			}
			if owned > 0 {
				return docs.OwnsDocuments(u.Username, owned)
			}
		}
		if u.Role == docs.RoleAdmin && admins <= 1 {
			return docs.LastAdmin(u.Username)
		}
		_, err = tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		if sqlState(err) == foreignKeyViolation {
			// A document was created for the user after the count.
			return docs.Errorf(docs.Conflict, "%s has just written a document; try again", u.Username)
		}
		return err
	})
}

// SetPassword replaces the hash and deletes every session of the user.
func (d *DB) SetPassword(ctx context.Context, id int64, hash []byte) error {
	return d.setPassword(ctx, id, nil, hash)
}

// ChangePassword replaces the hash if it is still current and deletes every
// session of the user.
func (d *DB) ChangePassword(ctx context.Context, id int64, current, hash []byte) error {
	return d.setPassword(ctx, id, current, hash)
}

// setPassword sets the hash, on condition that the stored one is current
// when current is not nil, and ends the user's sessions. The first
// statement locks the user row: it waits for a CreateSession that holds
// it (FOR SHARE) to commit, and keeps new ones out until this commits, so
// the second statement, with a snapshot taken after the lock, sees and
// ends every session made with the old password. The second statement
// moves the epoch only after locking its own rows (see migration 00003).
func (d *DB) setPassword(ctx context.Context, id int64, current, hash []byte) error {
	return d.inTx(ctx, "set password", func(tx pgx.Tx) error {
		var matches bool
		err := tx.QueryRow(ctx, `SELECT $2::text IS NULL OR password_hash = $2::text FROM users WHERE id = $1 FOR UPDATE`,
			id, nullable(current)).Scan(&matches)
		if errors.Is(err, pgx.ErrNoRows) {
			return docs.UserNotFound(id)
		}
		if err != nil {
			return err
		}
		if !matches {
			return docs.PasswordChanged(id)
		}
		_, err = tx.Exec(ctx,
			`WITH changed AS (UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING id)
			 DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed)`, string(hash), id)
		return err
	})
}

// nullable is b as text, or NULL for nil.
func nullable(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}
