package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// writer is the connection every write of this process runs on, one
// write at a time, with the statements it has prepared on it.
//
// SQLite takes one writer at a time anyway. Left to the pool, writers
// would each hold a connection while they wait for the write lock in
// SQLite's busy handler, which sleeps between tries (1, 2, 5, 10 ms...):
// the lock sat free while they slept, and readers waited for the
// connections they held. Here they wait for their turn in Go, which hands
// it over at once and holds no connection, and a transaction runs
// prepared statements instead of parsing its SQL again each time.
// Several processes on one file still meet at SQLite's lock, as before.
type writer struct {
	db *sql.DB
	// turn holds a token while a write runs: whoever put it there has the
	// connection and its statements.
	turn chan struct{}
	// patience is how long a write waits for its turn: busyTimeout, as it
	// then waits for SQLite's lock. While another program holds the lock,
	// a write gives up within twice that, however many are queued here.
	patience time.Duration
	// conn is nil until the first write, and after one left it unusable.
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func newWriter(db *sql.DB) *writer {
	return &writer{db: db, turn: make(chan struct{}, 1), patience: busyTimeout, stmts: map[string]*sql.Stmt{}}
}

// take waits for the writer's turn, for at most its patience (then the
// database is busy, errBusy) or until ctx ends, and makes sure it has a
// connection. The caller must call give when it is done.
func (w *writer) take(ctx context.Context) error {
	select {
	case w.turn <- struct{}{}:
	default:
		t := time.NewTimer(w.patience)
		defer t.Stop()
		select {
		case w.turn <- struct{}{}:
		case <-t.C:
			return fmt.Errorf("%w (waited %s for this process's earlier writes)", errBusy, w.patience)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if w.conn != nil {
		return nil
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		<-w.turn
		return err
	}
	w.conn = conn
	return nil
}

// give ends the turn.
func (w *writer) give() { <-w.turn }

// stmt returns query prepared on the connection. Call it in turn.
func (w *writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(ctx, query) //nolint:sqlclosecheck // kept with the connection; drop closes it
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs query on the connection. Call it in turn.
func (w *writer) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query) //nolint:sqlclosecheck // kept with the connection
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// rollback ends the open transaction, if SQLite has not ended it already
// (an interrupted or failed statement can). Either way the connection
// must be back in autocommit mode for the next write; when ROLLBACK fails
// nobody can tell that it is, so the connection is dropped and the next
// write opens another. It runs whether or not ctx has ended.
func (w *writer) rollback(ctx context.Context) {
	if _, err := w.exec(context.WithoutCancel(ctx), `ROLLBACK`); err != nil {
		w.drop()
	}
}

// failed drops the connection when err says it is unusable, and returns
// err. Call it in turn.
func (w *writer) failed(err error) error {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		w.drop()
	}
	return err
}

// drop closes the connection and its statements for good. Call it in
// turn.
func (w *writer) drop() {
	for q, st := range w.stmts {
		st.Close()
		delete(w.stmts, q)
	}
	if w.conn == nil {
		return
	}
	// A Raw function returning ErrBadConn makes database/sql close the
	// connection instead of keeping it in the pool.
	_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	w.conn.Close()
	w.conn = nil
}

// close waits for the running write, if any, and drops the connection.
func (w *writer) close() {
	w.turn <- struct{}{}
	w.drop()
}

// writeTx is a write transaction: its statements run on the writer's
// connection, prepared once for the life of the connection.
type writeTx struct{ w *writer }

// ExecContext runs a statement that returns no rows.
func (t writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.w.exec(ctx, query, args...)
}

// QueryRowContext runs a statement that returns at most one row. A
// statement that fails to prepare runs unprepared, so that the caller sees
// the error through the row as usual.
func (t writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.w.stmt(ctx, query) //nolint:sqlclosecheck // kept with the connection
	if err != nil {
		return t.w.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a statement that returns rows.
func (t writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.w.stmt(ctx, query) //nolint:sqlclosecheck // kept with the connection
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// inTx runs fn in one transaction on the writer's connection: committed
// when fn returns nil, rolled back when it returns an error or panics.
// BEGIN IMMEDIATE takes SQLite's write lock at once, so what fn reads
// cannot change before it writes, even when another process shares the
// file. Errors from BEGIN and COMMIT are prefixed with what; fn's own
// errors are returned as they are. A busy or read-only database is
// classified (see classify) wherever it shows.
func (d *DB) inTx(ctx context.Context, what string, fn func(writeTx) error) error {
	if err := d.w.take(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer d.w.give()
	if _, err := d.w.exec(ctx, `BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("%s: %w", what, classify(d.w.failed(err)))
	}
	done := false
	defer func() {
		if !done {
			d.w.rollback(ctx)
		}
	}()
	if err := fn(writeTx{d.w}); err != nil {
		return classify(err)
	}
	if _, err := d.w.exec(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("%s: %w", what, classify(err))
	}
	done = true
	return nil
}

// write runs one statement that writes, in its own transaction, on the
// writer's connection. Its errors are classified (see classify).
func (d *DB) write(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := d.w.take(ctx); err != nil {
		return nil, err
	}
	defer d.w.give()
	res, err := d.w.exec(ctx, query, args...)
	return res, classify(d.w.failed(err))
}
