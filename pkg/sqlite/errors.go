package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	moderncsqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/docsd/docs/pkg/docs"
)

// retryAfter is what a busy or read-only database tells a client to wait.
const retryAfter = 2 * time.Second

var (
	// errBusy is a write that waited busy_timeout for the write lock and
	// did not get it: another process (a backup, an operator's sqlite3
	// shell in a transaction) holds it. It passes when they let go.
	errBusy = &docs.Error{Kind: docs.Unavailable, Detail: "the database is busy: another program has held its write lock longer than docsd waits; try again shortly", RetryAfter: retryAfter}
	// errReadOnly is a write SQLite refused: the file or its file system
	// has become read-only, or the file was moved or replaced while docsd
	// had it open.
	errReadOnly = &docs.Error{Kind: docs.ReadOnly, Detail: "the database is read-only right now: writes are refused, reads still work; try again shortly", RetryAfter: retryAfter}
)

// classify marks err Unavailable when SQLite gave up waiting for the
// write lock (SQLITE_BUSY after busy_timeout) and ReadOnly when it refused
// to write (SQLITE_READONLY), and returns any other error as it is. Errors
// are classified by their code, never by their text. It runs where writes
// fail: the writer's statements (inTx, write) and the reads of stmts.
func classify(err error) error {
	var se *moderncsqlite.Error
	if err == nil || docs.KindOf(err) != docs.Internal || !errors.As(err, &se) {
		return err
	}
	// The low byte is the primary code of an extended one, such as
	// SQLITE_BUSY_SNAPSHOT or SQLITE_READONLY_DBMOVED.
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY:
		return fmt.Errorf("%w: %w", errBusy, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: %w", errReadOnly, err)
	}
	return err
}

// Writable returns nil: SQLite has no standby or read-only mode of its
// own to ask about, and a file that has become read-only shows only when
// a write is refused (classify).
func (d *DB) Writable(ctx context.Context) error { return nil }
