package docsdcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/sqlite"
	"github.com/docsd/docs/pkg/storage"
)

type backupOptions struct {
	cmdEnv

	File string // where the copy goes; must not exist
}

func newCmdBackup(f *factory, runF func(*backupOptions) error) *cobra.Command {
	opts := &backupOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the SQLite database to FILE, while docsd serves",
		Long: `Write a consistent copy of the SQLite database to FILE: every write
committed when the backup begins, and none after (SQLite's VACUUM INTO, a
read transaction that does not stop docsd serving or writing). FILE must
not exist; the copy is written beside it and renamed into place when
complete, so FILE is never half-written. To restore, stop docsd and put the
copy in place of the database file (removing its -wal and -shm files).

With a PostgreSQL database, use pg_dump instead.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return backupRun(cmd.Context(), opts)
		},
	}
}

func backupRun(ctx context.Context, opts *backupOptions) error {
	src := opts.Config().Database
	if storage.IsPostgres(src) {
		return exitcode.Usagef("backup copies a SQLite file; for a PostgreSQL database use pg_dump")
	}
	dst := opts.File
	if _, err := os.Lstat(dst); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %s already exists; remove it or name another file", dst)
	}
	db, err := sqlite.OpenExisting(ctx, src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".partial")
	os.Remove(tmp) // left by an interrupted backup, if any
	start := time.Now()
	err = db.Backup(ctx, tmp)
	if err == nil {
		err = syncFile(tmp)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Link(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	os.Remove(tmp)
	if err := syncFile(filepath.Dir(dst)); err != nil {
		return err
	}
	info, err := os.Stat(dst)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(opts.IO.Out, "wrote %s (%d bytes) in %s\n", dst, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// syncFile flushes a file (or a directory's entries) to disk, so a backup
// reported written survives a power cut.
func syncFile(path string) error {
	f, err := os.Open(path) //nolint:gosec // G304: the backup file the operator named, or its directory
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", path, err)
	}
	return nil
}
