package apitest

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres/pgtest"
	"github.com/docsd/docs/pkg/storage"
)

// Backend is a storage engine the harness can run a Server on.
type Backend struct {
	Name string
	// Open returns an empty, migrated database that no other test uses,
	// closed (and removed) when the test ends.
	Open func(t testing.TB) docs.Backend
}

// SQLite is a fresh SQLite file in t.TempDir().
var SQLite = Backend{Name: "sqlite", Open: func(t testing.TB) docs.Backend {
	return openMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
}}

// Postgres is a fresh schema on the server pgtest.EnvVar names; without
// it, the test is skipped and says how to run it.
var Postgres = Backend{Name: "postgres", Open: func(t testing.TB) docs.Backend {
	return openMigrated(t, pgtest.URL(t))
}}

// Database is the engine that database names (a path or a postgres://
// URL), migrated; the caller provides the empty database.
func Database(name, database string) Backend {
	return Backend{Name: name, Open: func(t testing.TB) docs.Backend { return openMigrated(t, database) }}
}

// Backends are every engine docsd runs on.
var Backends = []Backend{SQLite, Postgres}

// chosen maps the name of a ForEachBackend subtest to its backend.
var chosen sync.Map

// ForEachBackend runs f as one subtest per backend, named for it. Every
// Server started inside it, at any depth of subtests, without
// Options.Backend runs on that subtest's backend, so a suite runs on every
// engine without passing the backend to each NewServer.
func ForEachBackend(t *testing.T, f func(t *testing.T)) {
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) {
			chosen.Store(t.Name(), b)
			t.Cleanup(func() { chosen.Delete(t.Name()) })
			f(t)
		})
	}
}

// backendFor returns the backend of the ForEachBackend subtest t runs
// under, or SQLite.
func backendFor(t testing.TB) Backend {
	for name := t.Name(); name != ""; {
		if b, ok := chosen.Load(name); ok {
			return b.(Backend)
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	return SQLite
}

func openMigrated(t testing.TB, database string) docs.Backend {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, database, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
