package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateUser inserts u and sets its ID. A taken username (in any case) is a
// Conflict.
func (d *DB) CreateUser(ctx context.Context, u *docs.User) error {
	return d.inTx(ctx, "create user "+u.Username, func(tx writeTx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			u.Username, string(u.PasswordHash), string(u.Role), sqlstore.Micros(u.CreatedAt),
		).Scan(&u.ID)
		if isUniqueViolation(err) {
			return docs.UsernameTaken(u.Username)
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", u.Username, err)
		}
		return nil
	})
}

// UserByID returns the user with id, or a NotFound error.
func (d *DB) UserByID(ctx context.Context, id int64) (*docs.User, error) {
	return userByID(ctx, d.q, id)
}

func userByID(ctx context.Context, q queryRower, id int64) (*docs.User, error) {
	u, err := sqlstore.ScanUser(q.QueryRowContext(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, docs.UserNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

// UserByName returns the user called username in any case, or a NotFound error.
func (d *DB) UserByName(ctx context.Context, username string) (*docs.User, error) {
	u, err := sqlstore.ScanUser(d.q.QueryRowContext(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE lower(username) = lower(?)`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, docs.UsernameNotFound(username)
	}
	if err != nil {
		return nil, fmt.Errorf("load user %s: %w", username, err)
	}
	return u, nil
}

// ListUsers returns users in id order.
func (d *DB) ListUsers(ctx context.Context, p docs.Page) ([]*docs.User, error) {
	rows, err := d.q.QueryContext(ctx, `SELECT `+sqlstore.UserColumns+` FROM users WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanUser)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetRole changes a user's role. Demoting the last admin is a Conflict: a
// server with no admin could never grant the role again.
func (d *DB) SetRole(ctx context.Context, id int64, role docs.Role) (*docs.User, error) {
	var u *docs.User
	err := d.inTx(ctx, "set role", func(tx writeTx) error {
		var err error
		if u, err = userByID(ctx, tx, id); err != nil {
			return err
		}
		if role != docs.RoleAdmin {
			if err := keepAnAdmin(ctx, tx, u); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(role), id); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	u.Role = role
	return u, nil
}

// keepAnAdmin returns a Conflict when u is the last admin, who is about to
// be demoted or removed: a server with no admin could never grant the role
// again. It runs in the transaction that makes the change, whose write lock
// (BEGIN IMMEDIATE) keeps two admins from removing each other at once.
func keepAnAdmin(ctx context.Context, tx writeTx, u *docs.User) error {
	if u.Role != docs.RoleAdmin {
		return nil
	}
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin'`).Scan(&admins); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if admins <= 1 {
		return docs.LastAdmin(u.Username)
	}
	return nil
}

// isUniqueViolation tells a UNIQUE constraint failure by the driver's
// result code, not by its message text.
func isUniqueViolation(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// isForeignKeyViolation tells a FOREIGN KEY constraint failure the same way.
func isForeignKeyViolation(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// DeleteUser removes a user, moving their documents to reassignTo (0: refuse
// if they own any), each as a new version updated at now, and their deleted
// documents with them. Their sessions go with them (ON DELETE CASCADE).
func (d *DB) DeleteUser(ctx context.Context, id, reassignTo int64, now time.Time) error {
	return d.inTx(ctx, "delete user", func(tx writeTx) error {
		u, err := userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if reassignTo == id {
			return docs.ReassignToSelf(u.Username)
		}
		if reassignTo != 0 {
			if _, err := userByID(ctx, tx, reassignTo); err != nil {
				return err
			}
			// The revisions of the versions the move makes, written
			// before it while the removed user's documents can still be
			// told from the new author's own. No user makes them: the
			// operator does (by 0).
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO revisions (document_id, version, title, body, author_id, author_name, by_id, by_name, created_at)
				 SELECT d.id, d.version + 1, d.title, d.body, a.id, a.username, 0, '', ?
				 FROM documents d JOIN users a ON a.id = ? WHERE d.author_id = ?`,
				sqlstore.Micros(now), reassignTo, id); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
			if _, err := tx.ExecContext(ctx,
				`UPDATE documents SET author_id = ?, updated_at = ?, version = version + 1 WHERE author_id = ?`,
				reassignTo, sqlstore.Micros(now), id); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
			// Their deleted documents move too, so that the new author
			// may restore them.
			if _, err := tx.ExecContext(ctx,
				`UPDATE deleted_documents SET author_id = ? WHERE author_id = ?`, reassignTo, id); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
		} else {
			var owned int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE author_id = ?`, id).Scan(&owned); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
			if owned > 0 {
				return docs.OwnsDocuments(u.Username, owned)
			}
		}
		if err := keepAnAdmin(ctx, tx, u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
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
// when current is not nil. The condition is part of the UPDATE, so two
// changes from one current hash cannot both apply.
func (d *DB) setPassword(ctx context.Context, id int64, current, hash []byte) error {
	return d.inTx(ctx, "set password", func(tx writeTx) error {
		query, args := `UPDATE users SET password_hash = ? WHERE id = ?`, []any{string(hash), id}
		if current != nil {
			query, args = query+` AND password_hash = ?`, append(args, string(current))
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("set password: %w", err)
		} else if n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&exists); err != nil {
				return fmt.Errorf("set password: %w", err)
			}
			if exists == 0 {
				return docs.UserNotFound(id)
			}
			return docs.PasswordChanged(id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return nil
	})
}
