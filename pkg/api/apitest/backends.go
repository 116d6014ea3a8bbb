package apitest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/docsd/docs/pkg/backend"
	"github.com/docsd/docs/pkg/docs"
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

func openMigrated(t testing.TB, database string) docs.Backend {
	t.Helper()
	ctx := context.Background()
	db, err := backend.Open(ctx, database, backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
