package sqlite

import (
	"errors"
	"fmt"
	"time"

	moderncsqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/docsd/docs/pkg/docs"
)

// retryAfter is what a busy database tells a client to wait.
const retryAfter = 2 * time.Second

// errBusy is a write that waited busy_timeout for the write lock and did
// not get it: another process (a backup, an operator's sqlite3 shell in a
// transaction) holds it. It passes when they let go.
var errBusy = &docs.Error{Kind: docs.Unavailable, Detail: "the database is busy: another program has held its write lock longer than docsd waits; try again shortly", RetryAfter: retryAfter}

// classify marks err Unavailable when SQLite gave up waiting for the
// write lock (SQLITE_BUSY after busy_timeout), and returns any other error
// as it is. Errors are classified by their code, never by their text. It
// runs where writes fail: the statements of stmts, inTx, and the writes
// that return rows.
func classify(err error) error {
	var se *moderncsqlite.Error
	if err == nil || docs.KindOf(err) != docs.Internal || !errors.As(err, &se) {
		return err
	}
	// The low byte is the primary code of an extended one, such as
	// SQLITE_BUSY_SNAPSHOT.
	if se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return fmt.Errorf("%w: %w", errBusy, err)
	}
	return err
}
