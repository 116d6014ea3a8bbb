package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/docsd/docs/pkg/backend"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/version"
)

// env is what every command gets: the layered configuration and the
// injected IO.
type env struct {
	environ []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	// ttyFD is standard input's descriptor when it is a terminal, else -1:
	// decided once here, so no command looks at the terminal itself.
	ttyFD int
	cfg   *config.Config
}

// run is docsd's whole program; main only wires it to the process.
func run(ctx context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	// gin's debug mode prints every route at start; docsd has its own
	// `docsd routes` and request log.
	gin.SetMode(gin.ReleaseMode)
	e := &env{environ: environ, stdin: stdin, stdout: stdout, stderr: stderr, ttyFD: -1}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		e.ttyFD = int(f.Fd())
	}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

// newRootCmd returns the docsd command tree.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "docsd",
		Short: "docsd serves documents over a JSON API where every route is private unless named on a skip list",
		Long: `docsd serves documents over a JSON API. Every route needs a logged-in
session unless its name is on the skip list (auth.public_routes); roles and
authorship decide the rest. 401 means "log in", 403 means "not allowed".

Configuration: flags, then DOCSD_* environment variables, then the config
file (--config, default configs/docsd.yaml when present), then defaults.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runnable, so that cobra hands an unknown command to Args (typed)
		// rather than failing in its own untyped way.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(cmd.Flags(), e.environ)
			e.cfg = c
			return err
		},
	}
	root.SetVersionTemplate("docsd version {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usagef("%v", err) })
	config.AddConfigFlag(root.PersistentFlags())
	config.AddDatabaseFlag(root.PersistentFlags())
	root.AddCommand(
		newServeCmd(e),
		newMigrateCmd(e),
		newSeedCmd(e),
		newUserCmd(e),
		newRoutesCmd(e),
		newBackupCmd(e),
		newOpenAPICmd(e),
	)
	return root
}

// usageArgs is v reporting a usage error (exit 2). cobra's argument errors
// have no type, so every command's Args goes through it.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return exitcode.Usagef("%v (see docsd --help)", err)
		}
		return nil
	}
}

// unknownCommand is the root's argument check: any argument left once
// cobra has found no subcommand in it is an unknown command.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return exitcode.Usagef("unknown command %q for %q%s (see docsd --help)", args[0], cmd.CommandPath(), hint)
}

// openStore opens the configured database without migrating it. A SQLite
// file that does not exist is refused, naming it: only the commands that
// set a database up (migrate, seed, serve) create one, with createStore,
// so that an admin command run in the wrong directory, or with a mistyped
// path, does not answer from a new, empty database and leave it behind.
func (e *env) openStore(ctx context.Context) (docs.Backend, error) {
	return e.open(ctx, true)
}

// createStore is openStore creating a SQLite file that does not exist.
func (e *env) createStore(ctx context.Context) (docs.Backend, error) {
	return e.open(ctx, false)
}

func (e *env) open(ctx context.Context, mustExist bool) (docs.Backend, error) {
	db, err := backend.Open(ctx, e.cfg.Database, backend.Options{
		Postgres:  e.cfg.Postgres,
		MustExist: mustExist,
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w; docsd migrate, seed or serve creates it", err)
	}
	return db, err
}

// openDB opens the configured database, which must exist (see openStore),
// and applies pending migrations.
func (e *env) openDB(ctx context.Context) (docs.Backend, error) {
	return e.migrated(ctx, e.openStore)
}

// createDB is openDB creating the database if need be, for seed and serve.
func (e *env) createDB(ctx context.Context) (docs.Backend, error) {
	return e.migrated(ctx, e.createStore)
}

func (e *env) migrated(ctx context.Context, open func(context.Context) (docs.Backend, error)) (docs.Backend, error) {
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

func (e *env) passwords() (*docs.Passwords, error) {
	return docs.NewPasswords(e.cfg.Auth.BcryptCost)
}
