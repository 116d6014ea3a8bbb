package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/docsd/docs/pkg/docs"
)

// SQLSTATEs the store acts on (PostgreSQL manual, appendix A).
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	// readOnlyTransaction is a write in a read-only transaction: on a hot
	// standby, or with default_transaction_read_only on.
	readOnlyTransaction = "25006"
)

// RetryAfter is what an Unavailable error tells a client to wait.
const RetryAfter = 2 * time.Second

// errUnavailable is the kind every failure to reach the database carries.
var errUnavailable = &docs.Error{Kind: docs.Unavailable, Detail: "the database cannot be reached right now; try again shortly", RetryAfter: RetryAfter}

// errReadOnly is the kind of a write the database refused as read-only.
var errReadOnly = &docs.Error{Kind: docs.ReadOnly, Detail: "the database is read-only right now (a standby, or a primary being demoted): writes are refused, reads still work; try again shortly", RetryAfter: RetryAfter}

// wrap names what failed and, when the database could not be reached,
// marks the error Unavailable; when the connection itself broke, it also
// drops every pooled connection: they may all lead to a server that has
// gone, and fresh ones are dialed for the next requests. A deadline spent
// drops nothing: pgx closes the connection whose statement it cancelled,
// and the others are as good as they were. A write refused as read-only is marked ReadOnly (and
// see resetReadOnly). Errors are classified by type and SQLSTATE, never by
// their text.
func (d *DB) wrap(what string, err error) error {
	switch {
	case unreachable(err):
		if broken(err) {
			d.pool.Reset()
		}
		return fmt.Errorf("%s: %w: %w", what, errUnavailable, err)
	case sqlState(err) == readOnlyTransaction:
		d.resetReadOnly()
		return fmt.Errorf("%s: %w: %w", what, errReadOnly, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// resetReadOnly drops every pooled connection after the database was found
// read-only, so that the next connections find the server as it is by
// then: a setting such as ALTER DATABASE ... SET
// default_transaction_read_only reaches only connections made after it,
// in either direction. It does so at most once per RetryAfter: while the
// database stays read-only, every read request with a session to touch
// finds it so, and dialing for each would load the server with new
// connections.
func (d *DB) resetReadOnly() {
	now := time.Now().UnixNano()
	last := d.readOnlyReset.Load()
	if now-last >= int64(RetryAfter) && d.readOnlyReset.CompareAndSwap(last, now) {
		d.pool.Reset()
	}
}

// unreachable reports whether err says the database is out of reach (no
// connection, a connection lost, the server shutting down or full, a
// deadline spent waiting for it) rather than that a query was wrong.
func unreachable(err error) bool {
	var (
		ce *pgconn.ConnectError
		ne net.Error
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return passing(sqlState(err))
}

// broken reports whether err means the connection it came on is no good:
// a failed dial, a network error other than a timeout, a connection cut
// mid-answer, or the server ending it (class 08, 57P01-57P03). A deadline
// spent, or a server too full to take one more connection (53300), says
// nothing about the connections already made.
func broken(err error) bool {
	var (
		ce *pgconn.ConnectError
		ne net.Error
	)
	switch {
	case errors.As(err, &ce):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &ne):
		return !ne.Timeout()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	code := sqlState(err)
	return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
}

// passing reports whether SQLSTATE code says the server cannot take us now
// but may shortly: class 08, connection exceptions; 57P01-57P03, an
// administrator or crash shutdown, or a server still starting; 53300, too
// many connections.
func passing(code string) bool {
	return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
}

// refused returns the server's own error when it answered err with one
// that waiting will not change: a database or role that does not exist
// (3D000, 28000), a wrong password (28P01), a missing privilege, anything
// but the passing states.
func refused(err error) (*pgconn.PgError, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && !passing(pe.Code) {
		return pe, true
	}
	return nil, false
}

// retryable reports whether a transaction failed only because it raced
// another and may simply run again.
func retryable(err error) bool {
	code := sqlState(err)
	return code == serializationFailure || code == deadlockDetected
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
