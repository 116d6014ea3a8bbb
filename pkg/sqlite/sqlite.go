// Package sqlite stores docsd's users, documents, sessions, login failures
// and settings in an embedded SQLite database (modernc.org/sqlite, no cgo).
// Its schema lives in migrations/ and is embedded in the binary.
//
// Times are Unix microseconds in BIGINT columns and usernames are unique by
// lower(username): what pkg/docs/storetest holds every backend to.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a docsd database: a docs.Backend.
type DB struct {
	db *sql.DB
	q  *stmts
	w  *writer
}

// Open opens (creating if needed) the SQLite database at path and
// connects to it once within ctx, so that a file SQLite cannot open is
// reported here rather than at its first use. It does not migrate; call
// Migrate. The file, its WAL and its shared memory are readable by their
// owner only: see ownerOnly.
func Open(ctx context.Context, path string) (*DB, error) { return open(ctx, path, true) }

// OpenExisting is Open for a database that must already be there: a file
// that does not exist is an error (wrapping fs.ErrNotExist) and nothing is
// created, so a mistyped path is not taken for a new, empty database.
func OpenExisting(ctx context.Context, path string) (*DB, error) { return open(ctx, path, false) }

func open(ctx context.Context, path string, create bool) (*DB, error) {
	if err := ownerOnly(path, create); err != nil {
		if !create && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s: %w", path, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	q := url.Values{}
	if !create {
		// SQLite itself refuses to create the file as it opens it, so no
		// check of ours can race the open.
		q.Set("mode", "rw")
	}
	// WAL lets readers run beside the one writer. synchronous(FULL) fsyncs
	// the WAL at every commit, so a write that was acknowledged survives a
	// power cut as well as a crash; NORMAL would be faster per write but
	// could lose the last commits on power loss.
	for _, p := range []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(FULL)",
		// Reads go through a memory map of the file instead of a read
		// system call and a copy per page: random reads over a large
		// database stay as cheap as over a small one.
		"mmap_size(1073741824)",
	} {
		q.Add("_pragma", p)
	}
	// A transaction on the pool (a migration's) takes the write lock when
	// it begins, as the writer's BEGIN IMMEDIATE does, so two writers
	// queue on busy_timeout instead of failing to upgrade a read lock.
	q.Set("_txlock", "immediate")
	// The driver hands a "file:" name to SQLite as a URI, which reads '?'
	// as the start of the query, '#' as a fragment and '%' as an escape;
	// escaped, they stay part of the file name.
	name := uriPath.Replace(path)
	db, err := sql.Open("sqlite", "file:"+name+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if _, serr := os.Stat(path); !create && errors.Is(serr, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s: %w", path, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// WAL readers run in parallel, one per connection. Keep every
	// connection open: opening one runs the pragmas and empties its
	// statement cache, which database/sql's default of two idle
	// connections would do over and over under load.
	// One more is the writer's.
	n := max(4, 2*runtime.GOMAXPROCS(0)) + 1
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(0)
	return &DB{db: db, q: newStmts(db), w: newWriter(db)}, nil
}

// busyTimeout is how long a write waits for SQLite's write lock, which
// another program (a backup, an operator's sqlite3 shell) may hold, before
// it fails with errBusy.
const busyTimeout = 10 * time.Second

var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// ownerOnly creates the database file 0600 when it is missing and create
// is set (else a missing file is an error wrapping fs.ErrNotExist), and makes
// it and the files SQLite keeps beside it 0600 when they are open to
// others. The database holds the session secret and every password hash;
// SQLite would create the file 0644 less the umask, and creates the -wal
// and -shm with the main file's mode, so the main file's mode decides all
// three. An existing file open to others (made by a docsd before this
// rule, or copied in place) is tightened rather than only warned about: a
// warning would leave the secret readable. When docsd cannot tighten it
// (another user owns it), Open refuses, naming the file.
func ownerOnly(path string, create bool) error {
	flags := os.O_RDONLY
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o600) //nolint:gosec // G304: the database file the operator configured
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tighten(f); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		g, err := os.Open(path + suffix) //nolint:gosec // G304: beside the configured database file
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = tighten(g)
		g.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// tighten takes every permission from group and others on f.
func tighten(f *os.File) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	mode := info.Mode().Perm()
	if mode&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(mode &^ 0o077); err != nil {
		return fmt.Errorf("%s has mode %#o, open to other users, and cannot be made owner-only (run chmod 600 on it as its owner): %w", f.Name(), mode, err)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.w.close()
	d.q.close()
	return d.db.Close()
}

func (d *DB) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, d.db, sub)
}

// Migrate applies every pending migration and returns those it applied,
// then indexes for search whatever documents are not indexed yet.
func (d *DB) Migrate(ctx context.Context) ([]docs.Migration, error) {
	p, err := d.migrator()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := d.indexPending(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return sqlstore.Applied(res), nil
}

// Migrations returns every known migration and whether it is applied.
func (d *DB) Migrations(ctx context.Context) ([]docs.Migration, error) {
	p, err := d.migrator()
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	return sqlstore.Status(st), nil
}

// Setting returns the value stored under key, creating it with create()
// when absent: see docs.Backend.
func (d *DB) Setting(ctx context.Context, key string, create func() (string, error)) (string, error) {
	read := func(ctx context.Context) (string, bool, error) {
		var v string
		switch err := d.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); {
		case errors.Is(err, sql.ErrNoRows):
			return "", false, nil
		case err != nil:
			return "", false, fmt.Errorf("read setting %s: %w", key, err)
		}
		return v, true, nil
	}
	insert := func(ctx context.Context, v string) error {
		if _, err := d.write(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, v); err != nil {
			return fmt.Errorf("store setting %s: %w", key, err)
		}
		return nil
	}
	return sqlstore.Setting(ctx, read, insert, create)
}

// DB is a whole backend.
var _ docs.Backend = (*DB)(nil)

// Stats returns the connection pool's statistics.
func (d *DB) Stats() sql.DBStats { return d.db.Stats() }

// Backup writes a consistent copy of the database to path, which must not
// exist: every transaction committed when it begins and none after. It is
// one read transaction (VACUUM INTO), so writers carry on meanwhile. The
// copy is compacted and in rollback-journal mode; Open turns WAL back on.
// The copy holds what the database does, so it is 0600 like the database:
// the file is created so before SQLite writes into it, which VACUUM INTO
// allows of an empty file.
func (d *DB) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: the backup file the operator named
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
