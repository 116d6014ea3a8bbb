// Package storage opens the storage engine the database setting names: a
// file path means SQLite, a postgres:// or postgresql:// URL means
// PostgreSQL. docsd (pkg/docsdcmd) and the test harness open their database through
// it, so both run on whichever engine is configured.
package storage

import (
	"context"
	"strings"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/sqlite"
)

// IsPostgres reports whether database is a PostgreSQL URL rather than a
// SQLite file path.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Options are the engines' own settings.
type Options struct {
	Postgres postgres.Config
	// MustExist refuses a SQLite file that does not exist (an error
	// wrapping fs.ErrNotExist) instead of creating it. PostgreSQL
	// databases are never created.
	MustExist bool
}

// Open opens the database without migrating it.
func Open(ctx context.Context, database string, o Options) (docs.Backend, error) {
	if IsPostgres(database) {
		return postgres.Open(ctx, database, o.Postgres)
	}
	if o.MustExist {
		return sqlite.OpenExisting(ctx, database)
	}
	return sqlite.Open(ctx, database)
}

// Redact returns database fit for a log line or an error message: a URL
// without its password, or the path as it is.
func Redact(database string) string {
	if IsPostgres(database) {
		return postgres.Redact(database)
	}
	return database
}
