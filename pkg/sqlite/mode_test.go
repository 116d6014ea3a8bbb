//go:build unix

package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// TestFilesAreOwnerOnly: a database holds the session secret and every
// password hash, so every file of it is 0600 whatever the umask lets
// through (022 here, the usual one, under which SQLite makes files 0644).
func TestFilesAreOwnerOnly(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	ctx := context.Background()
	wantMode := func(t *testing.T, path string) {
		t.Helper()
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("mode of %s = %#o; want 0600", filepath.Base(path), got)
		}
	}
	write := func(t *testing.T, db *DB) {
		t.Helper()
		u := &docs.User{Username: "u", Role: docs.RoleAdmin, PasswordHash: []byte("h"), CreatedAt: time.Now()}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a new database, its WAL and its shared memory are 0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docs.db")
		write(t, mustOpenMigrated(t, path))
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			wantMode(t, p)
		}
	})

	t.Run("a backup is 0600", func(t *testing.T) {
		dir := t.TempDir()
		db := mustOpenMigrated(t, filepath.Join(dir, "docs.db"))
		write(t, db)
		backup := filepath.Join(dir, "backup.db")
		if err := db.Backup(ctx, backup); err != nil {
			t.Fatalf("Backup(%s) = %v", backup, err)
		}
		wantMode(t, backup)
		copied := mustOpen(t, backup)
		if _, err := copied.UserByName(ctx, "u"); err != nil {
			t.Errorf("UserByName(u) in the backup = %v; want the user", err)
		}
	})

	t.Run("an existing world-readable database and its WAL are made 0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docs.db")
		db := mustOpenMigrated(t, path)
		write(t, db)
		// As a docsd before this rule left them, and as a crash leaves the
		// WAL beside the file: a copy of both taken while open.
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p+".old", b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		old := path + ".old"
		if err := os.Rename(path+"-wal.old", old+"-wal"); err != nil {
			t.Fatal(err)
		}
		reopened := mustOpen(t, old)
		if _, err := reopened.UserByName(ctx, "u"); err != nil {
			t.Errorf("UserByName(u) in the reopened copy = %v; want the user", err)
		}
		for _, p := range []string{old, old + "-wal", old + "-shm"} {
			wantMode(t, p)
		}
	})
}
