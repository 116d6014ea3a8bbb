package cache_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/sqlite"
	"github.com/docsd/docs/pkg/testclock"
)

// counting is the real SQLite store, counting the reads the caches are
// meant to save: the joined session-and-user reads, the document reads
// and the epochs.
type counting struct {
	*sqlite.DB
	reads, documentReads, epochReads, tokenReads atomic.Int64
}

func (c *counting) TokenUserWithEpoch(ctx context.Context, hash string) (*docs.Token, *docs.User, int64, error) {
	c.tokenReads.Add(1)
	return c.DB.TokenUserWithEpoch(ctx, hash)
}

func (c *counting) SessionUserWithEpoch(ctx context.Context, id string) (*docs.Session, *docs.User, int64, error) {
	c.reads.Add(1)
	return c.DB.SessionUserWithEpoch(ctx, id)
}

func (c *counting) DocumentWithEpoch(ctx context.Context, id int64) (*docs.Document, int64, error) {
	c.documentReads.Add(1)
	return c.DB.DocumentWithEpoch(ctx, id)
}

func (c *counting) Epochs(ctx context.Context) (docs.Epochs, error) {
	c.epochReads.Add(1)
	return c.DB.Epochs(ctx)
}

type fixture struct {
	// epochs is the reader of the epochs cache holds, as one process has one.
	epochs *cache.Shared
	cache  *cache.Sessions
	store  *counting
	// other is a second handle on the same file, as another docsd process
	// or `docsd user set-role` would have.
	other *sqlite.DB
	clock *testclock.Clock
	user  *docs.User
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "docs.db")
	open := func() *sqlite.DB {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	f := &fixture{store: &counting{DB: open()}, clock: testclock.New(time.Now().UTC().Truncate(time.Microsecond))}
	f.other = open()
	f.epochs = cache.NewShared(f.store)
	f.cache = cache.NewSessions(f.store, f.epochs, time.Minute, f.clock.Now)
	for _, name := range []string{"alice", "carol"} {
		role := docs.RoleMember
		if name == "alice" {
			role = docs.RoleAdmin
		}
		u := &docs.User{Username: name, Role: role, PasswordHash: []byte("h"), CreatedAt: f.clock.Now()}
		if err := f.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.user = u
		if err := f.store.CreateSession(ctx, &docs.Session{ID: name, UserID: u.ID, CreatedAt: f.clock.Now(), LastSeen: f.clock.Now()}, []byte("h")); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) read(t *testing.T, id string) (*docs.User, error) {
	t.Helper()
	_, u, err := f.cache.SessionUser(context.Background(), id)
	return u, err
}

func TestCache(t *testing.T) {
	ctx := context.Background()

	t.Run("a fresh session is served from memory", func(t *testing.T) {
		f := setup(t)
		for range 5 {
			if u, err := f.read(t, "carol"); err != nil || u.Username != "carol" {
				t.Fatalf("SessionUser(carol) = %v, %v; want carol", u, err)
			}
		}
		if n := f.store.reads.Load(); n != 1 {
			t.Errorf("backend reads after 5 lookups = %d; want 1", n)
		}
	})

	changes := []struct {
		name   string
		change func(*fixture) error
		check  func(*docs.User, error) bool
		want   string
	}{
		{"a role change by another process holds at the next read", func(f *fixture) error {
			_, err := f.other.SetRole(ctx, f.user.ID, docs.RoleEditor)
			return err
		}, func(u *docs.User, err error) bool { return err == nil && u.Role == docs.RoleEditor }, "carol as editor"},
		{"a logout by another process holds at the next read", func(f *fixture) error {
			return f.other.DeleteSession(ctx, "carol")
		}, func(_ *docs.User, err error) bool { return docs.IsNotFound(err) }, "NotFound"},
		{"a password change by another process ends the session", func(f *fixture) error {
			return f.other.SetPassword(ctx, f.user.ID, []byte("new"))
		}, func(_ *docs.User, err error) bool { return docs.IsNotFound(err) }, "NotFound"},
		{"a user removed by another process loses the session", func(f *fixture) error {
			return f.other.DeleteUser(ctx, f.user.ID, 0, time.Now())
		}, func(_ *docs.User, err error) bool { return docs.IsNotFound(err) }, "NotFound"},
		{"sessions expired by another process's sweep are gone", func(f *fixture) error {
			_, err := f.other.DeleteExpiredSessions(ctx, f.clock.Now().Add(time.Hour), f.clock.Now().Add(time.Hour))
			return err
		}, func(_ *docs.User, err error) bool { return docs.IsNotFound(err) }, "NotFound"},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			if _, err := f.read(t, "carol"); err != nil {
				t.Fatal(err)
			}
			if err := tc.change(f); err != nil {
				t.Fatal(err)
			}
			if u, err := f.read(t, "carol"); !tc.check(u, err) {
				t.Errorf("SessionUser(carol) after the change = %+v, %v; want %s", u, err, tc.want)
			}
		})
	}

	t.Run("an entry past its freshness is read again, with another process's last_seen", func(t *testing.T) {
		f := setup(t)
		if _, err := f.read(t, "carol"); err != nil {
			t.Fatal(err)
		}
		seen := f.clock.Now().Add(50 * time.Second)
		if err := f.other.TouchSession(ctx, "carol", seen); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(61 * time.Second)
		_, err := f.read(t, "carol")
		if err != nil {
			t.Fatal(err)
		}
		s, _, _ := f.cache.SessionUser(ctx, "carol")
		if n := f.store.reads.Load(); n != 2 || !s.LastSeen.Equal(seen) {
			t.Errorf("backend reads = %d, last_seen = %v; want 2 and %v", n, s.LastSeen, seen)
		}
	})

	t.Run("a touch through the cache keeps the entry fresh", func(t *testing.T) {
		f := setup(t)
		if _, err := f.read(t, "carol"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(61 * time.Second)
		if err := f.cache.TouchSession(ctx, "carol", f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := f.read(t, "carol"); err != nil {
			t.Fatal(err)
		}
		if n := f.store.reads.Load(); n != 1 {
			t.Errorf("backend reads = %d; want 1", n)
		}
	})

	t.Run("a new session created elsewhere is found", func(t *testing.T) {
		f := setup(t)
		if _, err := f.read(t, "carol"); err != nil {
			t.Fatal(err)
		}
		if err := f.other.CreateSession(ctx, &docs.Session{ID: "carol-2", UserID: f.user.ID, CreatedAt: f.clock.Now(), LastSeen: f.clock.Now()}, []byte("h")); err != nil {
			t.Fatal(err)
		}
		if u, err := f.read(t, "carol-2"); err != nil || u.ID != f.user.ID {
			t.Errorf("SessionUser(carol-2) = %v, %v; want carol", u, err)
		}
	})
}

// request returns ctx carrying one reading of the epochs, as the API gives
// each request that sends a credential.
func (f *fixture) request(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	r, err := f.epochs.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cache.WithReading(ctx, r)
}
