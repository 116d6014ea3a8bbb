// Package backend opens the storage engine the database setting names: a
// file path means SQLite, a postgres:// or postgresql:// URL means
// PostgreSQL. cmd/docsd and the test harness open their database through
// it, so both run on whichever engine is configured.
package backend

import (
	"context"
	"fmt"
	"strings"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/sqlite"
)

// IsPostgres reports whether database is a PostgreSQL URL rather than a
// SQLite file path.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Open opens the database without migrating it.
func Open(_ context.Context, database string) (docs.Backend, error) {
	if IsPostgres(database) {
		return nil, fmt.Errorf("database %s: PostgreSQL is not supported yet; give a SQLite file path", database)
	}
	return sqlite.Open(database)
}
