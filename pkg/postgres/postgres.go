// Package postgres stores docsd's users, documents, sessions and settings in
// PostgreSQL, so that several docsd processes can share one database. It
// keeps the same tables and promises as pkg/sqlite (the conformance suite
// in pkg/docs/storetest runs against both); its schema lives in
// migrations/ and is embedded in the binary.
//
// It talks to PostgreSQL through a pgxpool.Pool rather than database/sql:
// pgx prepares and caches every statement per connection by itself, and a
// batch can carry several statements in one round trip, which is what a
// request that needs more than one read will want. goose gets a
// database/sql handle over the same pool for migrations.
//
// Isolation is READ COMMITTED, PostgreSQL's default; where a check and a
// write must not interleave (the login throttle, the last admin), the
// transaction takes a lock first, and where a statement decides alone (the
// If-Match update) the check is in its WHERE clause.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config sets up the connection pool.
type Config struct {
	// MaxConns bounds the pool; DefaultMaxConns when zero.
	MaxConns int
	// ConnectTimeout is how long Open keeps trying to reach a database
	// that does not answer; DefaultConnectTimeout when zero.
	ConnectTimeout time.Duration
	// QueryTimeout bounds each statement or transaction, the wait for a
	// connection included: past it the call fails as Unavailable.
	// DefaultQueryTimeout when zero.
	QueryTimeout time.Duration
}

// Defaults that suit a small PostgreSQL: three replicas at the default
// pool size stay far below its default of 100 connections.
const (
	DefaultMaxConns       = 10
	DefaultConnectTimeout = 30 * time.Second
	// DefaultQueryTimeout is far above what any statement of a request
	// takes on a healthy server, and short enough that a request to a
	// hung one is answered (503) before a client or a proxy gives up.
	DefaultQueryTimeout = 5 * time.Second
)

// dialTimeout bounds one attempt to open a connection, so that a request
// needing a new connection to a database that has gone answers 503 in
// seconds rather than waiting for the operating system to give up.
const dialTimeout = 3 * time.Second

// DB is a docsd database on PostgreSQL: a docs.Backend.
type DB struct {
	pool *boundedPool
	// readOnlyReset is when resetReadOnly last dropped the connections,
	// in Unix nanoseconds.
	readOnlyReset atomic.Int64
}

// Open connects to the database at rawURL, trying again while it cannot be
// reached or is starting up, for up to cfg.ConnectTimeout. A server that
// refuses for good (no such database or role, a wrong password) ends it at
// once with the server's words. It does not migrate; call Migrate. Errors
// name the host and port and never show the password.
func Open(ctx context.Context, rawURL string, cfg Config) (*DB, error) {
	pc, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", Redact(rawURL), err)
	}
	pc.MaxConns = int32(DefaultMaxConns)
	if cfg.MaxConns > 0 {
		pc.MaxConns = int32(min(cfg.MaxConns, math.MaxInt32)) //nolint:gosec // clamped to int32 on the line itself
	}
	pc.ConnConfig.ConnectTimeout = dialTimeout
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	queryTimeout := cfg.QueryTimeout
	if queryTimeout <= 0 {
		queryTimeout = DefaultQueryTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", Redact(rawURL), err)
	}
	d := &DB{pool: &boundedPool{Pool: pool, timeout: queryTimeout}}
	deadline := time.Now().Add(timeout)
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := pool.Ping(ctx)
		if err == nil {
			return d, nil
		}
		host := net.JoinHostPort(pc.ConnConfig.Host, strconv.Itoa(int(pc.ConnConfig.Port)))
		if pe, ok := refused(err); ok {
			pool.Close()
			return nil, fmt.Errorf("database at %s refused the connection: %w", host, pe)
		}
		if !unreachable(err) || time.Now().Add(wait).After(deadline) || ctx.Err() != nil {
			pool.Close()
			return nil, fmt.Errorf("database at %s did not answer within %s: %w", host, timeout, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// Redact returns rawURL with its password replaced, fit for a log line or
// an error message.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a database URL that does not parse)"
	}
	return u.Redacted()
}

// PoolStat returns the connection pool's statistics, which docsd exports
// as metrics.
func (d *DB) PoolStat() *pgxpool.Stat { return d.pool.Stat() }

// Close closes every connection.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// migrate runs fn with goose over the pool, holding an advisory lock (one
// per schema) so that replicas starting together migrate one at a time.
func (d *DB) migrate(ctx context.Context, fn func(*goose.Provider) error) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return d.wrap("lock for migrations", err)
	}
	defer conn.Release()
	const key = `hashtext('docsd migrate ' || current_schema())`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return d.wrap("lock for migrations", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`) //nolint:errcheck // the lock also ends with the session
	db := stdlib.OpenDBFromPool(d.pool.Pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		return err
	}
	return fn(p)
}

// Migrate applies every pending migration and returns those it applied,
// then indexes for search whatever documents are not indexed yet, under
// the same lock.
func (d *DB) Migrate(ctx context.Context) ([]docs.Migration, error) {
	var out []docs.Migration
	err := d.migrate(ctx, func(p *goose.Provider) error {
		res, err := p.Up(ctx)
		out = sqlstore.Applied(res)
		if err != nil {
			return err
		}
		return d.indexPending(ctx)
	})
	if err != nil {
		return nil, d.wrap("migrate", err)
	}
	return out, nil
}

// Migrations returns every known migration and whether it is applied.
func (d *DB) Migrations(ctx context.Context) ([]docs.Migration, error) {
	var out []docs.Migration
	err := d.migrate(ctx, func(p *goose.Provider) error {
		st, err := p.Status(ctx)
		out = sqlstore.Status(st)
		return err
	})
	if err != nil {
		return nil, d.wrap("migration status", err)
	}
	return out, nil
}

// Setting returns the value stored under key, creating it with create()
// when absent: see docs.Backend.
func (d *DB) Setting(ctx context.Context, key string, create func() (string, error)) (string, error) {
	read := func(ctx context.Context) (string, bool, error) {
		var v string
		switch err := d.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); {
		case errors.Is(err, pgx.ErrNoRows):
			return "", false, nil
		case err != nil:
			return "", false, d.wrap("read setting "+key, err)
		}
		return v, true, nil
	}
	insert := func(ctx context.Context, v string) error {
		if _, err := d.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, v); err != nil {
			return d.wrap("store setting "+key, err)
		}
		return nil
	}
	return sqlstore.Setting(ctx, read, insert, create)
}

// Writable returns nil when the database takes writes, and a ReadOnly
// error when new transactions are read-only: a hot standby, or a primary
// demoted with default_transaction_read_only.
func (d *DB) Writable(ctx context.Context) error {
	var readOnly string
	if err := d.pool.QueryRow(ctx, `SELECT current_setting('transaction_read_only')`).Scan(&readOnly); err != nil {
		return d.wrap("check for writes", err)
	}
	if readOnly == "on" {
		d.resetReadOnly()
		return fmt.Errorf("check for writes: %w", errReadOnly)
	}
	return nil
}

// inTx runs fn in a transaction and commits it, all within the query
// timeout (see boundedPool). A serialization failure or a deadlock runs fn
// again from the start, a few times; fn's own kinded errors pass through,
// any other is wrapped with what.
func (d *DB) inTx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	ctx, cancel := d.pool.bound(ctx)
	defer cancel()
	const attempts = 3
	for i := 1; ; i++ {
		err := pgx.BeginFunc(ctx, d.pool, fn)
		switch {
		case err == nil:
			return nil
		case docs.KindOf(err) != docs.Internal:
			return err
		case i < attempts && retryable(err):
			continue
		}
		return d.wrap(what, err)
	}
}

// DB is a whole backend.
var _ docs.Backend = (*DB)(nil)
