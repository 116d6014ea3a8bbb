package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/docs/storetest"
	"github.com/docsd/docs/pkg/search"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
	})
}

func TestRevisions(t *testing.T) {
	storetest.RunRevisions(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		path := filepath.Join(t.TempDir(), "docs.db")
		return mustOpenMigrated(t, path), mustOpen(t, path)
	})
}

// mustOpen opens a database file and closes it when the test ends.
func mustOpen(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close(%s) = %v", path, err)
		}
	})
	return db
}

func mustOpenMigrated(t *testing.T, path string) *DB {
	t.Helper()
	db := mustOpen(t, path)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate(%s) = %v", path, err)
	}
	return db
}

// embeddedVersions is the number of migrations shipped in the binary.
func embeddedVersions(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations = %v, %v; want at least one", files, err)
	}
	return len(files)
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()

	t.Run("Migrate applies every migration once and a second call applies nothing", func(t *testing.T) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "docs.db"))
		want := embeddedVersions(t)
		first, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("first Migrate = %v; want nil", err)
		}
		if len(first) != want {
			t.Errorf("first Migrate applied %d migrations (%+v); want %d", len(first), first, want)
		}
		for _, m := range first {
			if !m.Applied || m.Version <= 0 || m.Name == "" {
				t.Errorf("first Migrate reported %+v; want Applied, a version and a name", m)
			}
		}
		second, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("second Migrate = %v; want nil", err)
		}
		if len(second) != 0 {
			t.Errorf("second Migrate applied %+v; want nothing", second)
		}
	})

	t.Run("Migrations reports pending before Migrate and applied after", func(t *testing.T) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "docs.db"))
		want := embeddedVersions(t)
		before, err := db.Migrations(ctx)
		if err != nil {
			t.Fatalf("Migrations on a new database = %v; want nil", err)
		}
		if len(before) != want {
			t.Errorf("Migrations on a new database listed %d; want %d", len(before), want)
		}
		for _, m := range before {
			if m.Applied || !m.AppliedAt.IsZero() {
				t.Errorf("Migrations on a new database reported %+v; want not applied", m)
			}
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		after, err := db.Migrations(ctx)
		if err != nil {
			t.Fatalf("Migrations after Migrate = %v; want nil", err)
		}
		if len(after) != want {
			t.Errorf("Migrations after Migrate listed %d; want %d", len(after), want)
		}
		for i, m := range after {
			if !m.Applied || m.AppliedAt.IsZero() {
				t.Errorf("Migrations after Migrate reported %+v; want applied with a time", m)
			}
			if i < len(applied) && (m.Version != applied[i].Version || m.Name != applied[i].Name) {
				t.Errorf("Migrations()[%d] = version %d %q; Migrate applied version %d %q", i, m.Version, m.Name, applied[i].Version, applied[i].Name)
			}
		}
	})
}

func TestSetting(t *testing.T) {
	ctx := context.Background()

	t.Run("Setting creates a value once and returns it afterwards", func(t *testing.T) {
		db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
		got, err := db.Setting(ctx, "k", func() (string, error) { return "first", nil })
		if err != nil || got != "first" {
			t.Fatalf("Setting(k) on an empty table = %q, %v; want %q, nil", got, err, "first")
		}
		got, err = db.Setting(ctx, "k", func() (string, error) {
			t.Error("Setting(k) called create although k is stored")
			return "second", nil
		})
		if err != nil || got != "first" {
			t.Errorf("second Setting(k) = %q, %v; want %q, nil", got, err, "first")
		}
		other, err := db.Setting(ctx, "other", func() (string, error) { return "o", nil })
		if err != nil || other != "o" {
			t.Errorf("Setting(other) = %q, %v; want %q, nil", other, err, "o")
		}
	})

	t.Run("Setting stores nothing when create fails", func(t *testing.T) {
		db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
		boom := fmt.Errorf("no entropy")
		if _, err := db.Setting(ctx, "k", func() (string, error) { return "", boom }); !errors.Is(err, boom) {
			t.Fatalf("Setting(k) with failing create = %v; want %v", err, boom)
		}
		got, err := db.Setting(ctx, "k", func() (string, error) { return "later", nil })
		if err != nil || got != "later" {
			t.Errorf("Setting(k) after a failed create = %q, %v; want %q, nil", got, err, "later")
		}
	})

	t.Run("concurrent Setting callers on two handles all get the first stored value", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docs.db")
		handles := []*DB{mustOpenMigrated(t, path), mustOpen(t, path)}
		const callers = 32
		var (
			start = make(chan struct{})
			wg    sync.WaitGroup
			got   = make([]string, callers)
			errs  = make([]error, callers)
		)
		for i := range callers {
			wg.Go(func() {
				<-start
				got[i], errs[i] = handles[i%2].Setting(ctx, "secret", func() (string, error) {
					return fmt.Sprintf("value from caller %d", i), nil
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: Setting(secret) = %v; want nil", i, err)
			}
		}
		stored, err := handles[0].Setting(ctx, "secret", func() (string, error) { return "too late", nil })
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if errs[i] == nil && v != stored {
				t.Errorf("caller %d: Setting(secret) = %q; stored value is %q", i, v, stored)
			}
		}
	})
}

func TestPersistence(t *testing.T) {
	t.Run("data and schema survive Close and Open", func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "docs.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		created := time.Date(2025, 1, 2, 3, 4, 5, 6789, time.UTC)
		u := &docs.User{Username: "Kept", Role: docs.RoleAdmin, PasswordHash: []byte("h"), CreatedAt: created}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		d := &docs.Document{Title: "kept", Body: "body", Author: docs.Author{ID: u.ID}, CreatedAt: created, UpdatedAt: created}
		if err := db.CreateDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Setting(ctx, "k", func() (string, error) { return "v", nil }); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}

		db = mustOpen(t, path)
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Errorf("Migrate after reopening = %+v, %v; want nothing applied", applied, err)
		}
		gotU, err := db.UserByName(ctx, "kept")
		if err != nil || gotU.ID != u.ID || !gotU.CreatedAt.Equal(created.Truncate(time.Microsecond)) {
			t.Errorf("UserByName(kept) after reopening = %+v, %v; want user %d created %v", gotU, err, u.ID, created.Truncate(time.Microsecond))
		}
		gotD, err := db.DocumentByID(ctx, d.ID)
		if err != nil || gotD.Body != "body" || gotD.Author.Username != "Kept" {
			t.Errorf("DocumentByID(%d) after reopening = %+v, %v; want body %q by Kept", d.ID, gotD, err, "body")
		}
		v, err := db.Setting(ctx, "k", func() (string, error) { return "new", nil })
		if err != nil || v != "v" {
			t.Errorf("Setting(k) after reopening = %q, %v; want %q", v, err, "v")
		}
	})
}

func TestOpen(t *testing.T) {
	// SQLite reads a "file:" name as a URI; these names hold the characters
	// that mean something there.
	for _, dir := range []string{"plain", "with space", "hash#1", "query?x=1", "percent%41", "percent%", "amp&x"} {
		t.Run(fmt.Sprintf("Open creates the database at the path it is given: %q", dir), func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, dir, "docs.db")
			if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			db := mustOpenMigrated(t, path)
			u := &docs.User{Username: "u", Role: docs.RoleAdmin, PasswordHash: []byte("h"), CreatedAt: time.Now()}
			if err := db.CreateUser(context.Background(), u); err != nil {
				t.Fatalf("CreateUser in %s = %v", path, err)
			}
			if _, err := os.Stat(path); err != nil {
				entries, _ := os.ReadDir(parent)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("after Open(%q) and a write: %v; %s holds %q", path, err, parent, names)
			}
		})
	}

	t.Run("Open and OpenExisting give up when their context is done", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docs.db")
		mustOpen(t, path) // so that OpenExisting finds a file
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for name, open := range map[string]func(context.Context, string) (*DB, error){"Open": Open, "OpenExisting": OpenExisting} {
			if db, err := open(ctx, path); !errors.Is(err, context.Canceled) {
				if err == nil {
					db.Close()
				}
				t.Errorf("%s(cancelled context, %s) = %v; want context.Canceled", name, path, err)
			}
		}
	})

	t.Run("every pooled connection runs with WAL, foreign keys, full sync and a busy timeout", func(t *testing.T) {
		ctx := context.Background()
		db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
		conns := make([]*sql.Conn, 3)
		for i := range conns {
			c, err := db.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			conns[i] = c
		}
		for i, c := range conns {
			for _, p := range []struct{ pragma, want string }{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"synchronous", "2"}, // FULL
				{"busy_timeout", "10000"},
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatalf("connection %d: PRAGMA %s: %v", i, p.pragma, err)
				}
				if got != p.want {
					t.Errorf("connection %d: PRAGMA %s = %s; want %s", i, p.pragma, got, p.want)
				}
			}
		}
	})
}

func TestForeignKeys(t *testing.T) {
	// SQLite enforces foreign keys only on connections that turn them on,
	// and database/sql opens connections as it pleases.
	t.Run("deleting a user row removes its sessions on every pooled connection", func(t *testing.T) {
		ctx := context.Background()
		db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
		const users = 4
		ids := make([]int64, users)
		for i := range users {
			u := &docs.User{Username: fmt.Sprintf("u%d", i), Role: docs.RoleMember, PasswordHash: []byte("h"), CreatedAt: time.Now()}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			ids[i] = u.ID
			if err := db.CreateSession(ctx, &docs.Session{ID: fmt.Sprintf("s%d", i), UserID: u.ID, CreatedAt: time.Now(), LastSeen: time.Now()}, u.PasswordHash); err != nil {
				t.Fatal(err)
			}
		}
		// Take distinct connections from the pool at once and delete one
		// user on each, so every connection must have foreign keys on.
		conns := make([]*sql.Conn, users)
		for i := range conns {
			c, err := db.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns[i] = c
		}
		for i, c := range conns {
			if _, err := c.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, ids[i]); err != nil {
				t.Fatalf("delete user %d on connection %d: %v", ids[i], i, err)
			}
		}
		// Give the connections back: the pool is bounded, and the checks
		// below need one.
		for _, c := range conns {
			c.Close()
		}
		for i := range users {
			if _, _, err := db.SessionUser(ctx, fmt.Sprintf("s%d", i)); !docs.IsNotFound(err) {
				t.Errorf("SessionUser(s%d) after deleting its user = %v; want NotFound", i, err)
			}
		}
	})

	t.Run("a document cannot name an author that does not exist", func(t *testing.T) {
		ctx := context.Background()
		db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
		d := &docs.Document{Title: "orphan", Author: docs.Author{ID: 42}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := db.CreateDocument(ctx, d); err == nil {
			t.Errorf("CreateDocument by missing author 42 = nil (id %d); want an error", d.ID)
		}
	})
}

// TestIsUniqueViolation: a taken username is told from other failures by
// the driver's result code, whatever the message says.
func TestIsUniqueViolation(t *testing.T) {
	ctx := context.Background()
	db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
	insertUser := `INSERT INTO users (username, password_hash, role, created_at) VALUES (?, 'h', 'member', 0)`
	if _, err := db.db.ExecContext(ctx, insertUser, "ann"); err != nil {
		t.Fatal(err)
	}
	_, unique := db.db.ExecContext(ctx, insertUser, "ANN")
	_, foreignKey := db.db.ExecContext(ctx, `INSERT INTO documents (title, body, author_id, created_at, updated_at, version) VALUES ('t', '', 999, 0, 0, 1)`)
	if unique == nil || foreignKey == nil {
		t.Fatalf("duplicate username: %v, unknown author: %v; want both to fail", unique, foreignKey)
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"a second username differing in case", unique, true},
		{"a wrapped unique failure", fmt.Errorf("create user: %w", unique), true},
		{"a foreign key failure is another constraint", foreignKey, false},
		{"an error that only reads like one", errors.New("UNIQUE constraint failed: users.username"), false},
		{"no error", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isUniqueViolation(tc.err); got != tc.want {
				t.Errorf("isUniqueViolation(%v) = %v; want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	storetest.RunSearch(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		path := filepath.Join(t.TempDir(), "docs.db")
		return mustOpenMigrated(t, path), mustOpen(t, path)
	})
}

// TestSearchTitlesByFilter runs the search suite with the second rank
// found through {title} filters on search_text alone, the way a search
// takes when many titles hold a term, which the suite's few documents
// would not otherwise reach.
func TestSearchTitlesByFilter(t *testing.T) {
	defer func(n int) { titleDriveCap = n }(titleDriveCap)
	titleDriveCap = 0
	TestSearch(t)
}

func TestMigrateIndexesExistingDocuments(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t, filepath.Join(t.TempDir(), "docs.db"))
	p, err := db.migrator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatalf("UpTo(9) = %v", err)
	}
	u := &docs.User{Username: "u", Role: docs.RoleEditor, PasswordHash: []byte("x")}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// More than one batch, written as a docsd without search wrote them.
	const n = 2500
	for i := range n {
		if _, err := db.db.ExecContext(ctx, `INSERT INTO documents (title, body, author_id, created_at, updated_at) VALUES (?, 'old zebra', ?, 0, 0)`,
			fmt.Sprintf("Old %d", i), u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	q, _ := search.Parse("zebra")
	got, err := db.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: n + 1})
	if err != nil || len(got) != n {
		t.Errorf("after Migrate, zebra is found in %d documents (%v); want %d", len(got), err, n)
	}
	var pending int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("after Migrate, %d documents pending (%v); want 0", pending, err)
	}
}
