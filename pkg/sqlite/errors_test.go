package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// oneConn limits db's readers to one connection and runs pragma on it and
// on the writer's, so that the pragma holds for every statement the test
// makes through db.
func oneConn(t *testing.T, db *DB, pragma string) {
	t.Helper()
	ctx := context.Background()
	if err := db.w.take(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := db.w.exec(ctx, pragma)
	db.w.give()
	if err != nil {
		t.Fatalf("%s on the writer: %v", pragma, err)
	}
	db.db.SetMaxOpenConns(2)
	if _, err := db.db.ExecContext(ctx, pragma); err != nil {
		t.Fatalf("%s: %v", pragma, err)
	}
}

// writes are the statements of every shape a write takes here: a prepared
// statement, a transaction, an INSERT that returns a row.
func writes(db *DB, user *docs.User) map[string]func(context.Context) error {
	now := time.Now()
	return map[string]func(context.Context) error{
		"TouchSession": func(ctx context.Context) error { return db.TouchSession(ctx, "s", now) },
		"UpdateDocument": func(ctx context.Context) error {
			_, err := db.UpdateDocument(ctx, 1, docs.DocumentUpdate{}, 0, 0, now)
			return err
		},
		"CreateDocument": func(ctx context.Context) error {
			return db.CreateDocument(ctx, &docs.Document{Title: "t", Author: docs.Author{ID: user.ID}, CreatedAt: now, UpdatedAt: now})
		},
		"CreateUser": func(ctx context.Context) error {
			return db.CreateUser(ctx, &docs.User{Username: "erin", PasswordHash: []byte("x"), Role: docs.RoleMember, CreatedAt: now})
		},
	}
}

func seeded(t *testing.T) (*DB, string, *docs.User) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "docs.db")
	db := mustOpenMigrated(t, path)
	ctx := context.Background()
	u := &docs.User{Username: "carol", PasswordHash: []byte("x"), Role: docs.RoleMember, CreatedAt: time.Now()}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateDocument(ctx, &docs.Document{Title: "t", Author: docs.Author{ID: u.ID}, CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	return db, path, u
}

func TestUnavailableWrites(t *testing.T) {
	ctx := context.Background()

	t.Run("a write refused as read-only is ReadOnly, and reads go on", func(t *testing.T) {
		db, _, u := seeded(t)
		oneConn(t, db, `PRAGMA query_only = 1`)
		for name, write := range writes(db, u) {
			if err := write(ctx); docs.KindOf(err) != docs.ReadOnly {
				t.Errorf("%s on a read-only database = %v (kind %d); want kind ReadOnly", name, err, docs.KindOf(err))
			}
		}
		if _, err := db.DocumentByID(ctx, 1); err != nil {
			t.Errorf("DocumentByID(1) on a read-only database = %v; want the document", err)
		}
	})

	t.Run("a write that cannot get the lock is Unavailable", func(t *testing.T) {
		db, path, u := seeded(t)
		oneConn(t, db, `PRAGMA busy_timeout = 1`)
		other, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `ROLLBACK`) //nolint:errcheck // the connection closes next
		for name, write := range writes(db, u) {
			if err := write(ctx); docs.KindOf(err) != docs.Unavailable {
				t.Errorf("%s with the write lock held elsewhere = %v (kind %d); want kind Unavailable", name, err, docs.KindOf(err))
			}
		}
	})
}
