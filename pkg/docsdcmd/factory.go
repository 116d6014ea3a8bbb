package docsdcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/term"

	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/storage"
)

// IOStreams is what a command may read and write: data to Out, messages
// and errors to ErrOut. TTY is standard input's descriptor when it is a
// terminal, else -1: decided once, so no command looks at the terminal
// itself.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	TTY    int
}

// systemIO returns the process's standard streams.
func systemIO() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, TTY: -1}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		s.TTY = int(os.Stdin.Fd())
	}
	return s
}

// factory holds what commands need from the outside world: Run fills it
// with the process's, tests with buffers.
type factory struct {
	IO      *IOStreams
	Environ []string
	cfg     *config.Config // loaded by the root before any command runs
}

// cmdEnv is what every command's options carry from the factory, so that
// a run function can be called in tests without cobra.
type cmdEnv struct {
	IO *IOStreams
	// Config is the configuration loaded for the command line.
	Config func() *config.Config
}

func (f *factory) env() cmdEnv {
	return cmdEnv{IO: f.IO, Config: func() *config.Config { return f.cfg }}
}

// openStore opens the configured database without migrating it. A SQLite
// file that does not exist is refused, naming it: only the commands that
// set a database up (migrate, seed, serve) create one, with createStore,
// so that an admin command run in the wrong directory, or with a mistyped
// path, does not answer from a new, empty database and leave it behind.
func (e cmdEnv) openStore(ctx context.Context) (docs.Backend, error) {
	return e.open(ctx, true)
}

// createStore is openStore creating a SQLite file that does not exist.
func (e cmdEnv) createStore(ctx context.Context) (docs.Backend, error) {
	return e.open(ctx, false)
}

func (e cmdEnv) open(ctx context.Context, mustExist bool) (docs.Backend, error) {
	c := e.Config()
	db, err := storage.Open(ctx, c.Database, storage.Options{Postgres: c.Postgres, MustExist: mustExist})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w; docsd migrate, seed or serve creates it", err)
	}
	return db, err
}

// openDB opens the configured database, which must exist (see openStore),
// and applies pending migrations.
func (e cmdEnv) openDB(ctx context.Context) (docs.Backend, error) {
	return migrated(ctx, e.openStore)
}

// createDB is openDB creating the database if need be, for seed and serve.
func (e cmdEnv) createDB(ctx context.Context) (docs.Backend, error) {
	return migrated(ctx, e.createStore)
}

func migrated(ctx context.Context, open func(context.Context) (docs.Backend, error)) (docs.Backend, error) {
	db, err := open(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// passwords hashes at the configured cost.
func (e cmdEnv) passwords() (*docs.Passwords, error) {
	return docs.NewPasswords(e.Config().Auth.BcryptCost)
}
