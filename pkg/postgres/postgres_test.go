package postgres_test

import (
	"context"
	"testing"

	"github.com/docsd/docs/pkg/docs/storetest"
	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// mustOpenMigrated opens a fresh schema, migrated, closed when the test ends.
func mustOpenMigrated(t *testing.T) *postgres.DB {
	t.Helper()
	return mustOpenMigratedAt(t, pgtest.URL(t))
}

// mustOpenMigratedAt opens the schema at url, migrated, closed when the
// test ends.
func mustOpenMigratedAt(t *testing.T, url string) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return mustOpenMigrated(t) })
}

func TestSearch(t *testing.T) {
	storetest.RunSearch(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		url := pgtest.URL(t)
		return mustOpenMigratedAt(t, url), mustOpenMigratedAt(t, url)
	})
}

// TestSearchPastTheWalk runs the search suite with no walk of the newest
// documents first, so that every page takes the capped statement, which
// the suite's few documents would not otherwise reach.
func TestSearchPastTheWalk(t *testing.T) {
	defer postgres.SetSearchWalk(0)()
	TestSearch(t)
}

func TestRevisions(t *testing.T) {
	storetest.RunRevisions(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		url := pgtest.URL(t)
		return mustOpenMigratedAt(t, url), mustOpenMigratedAt(t, url)
	})
}
