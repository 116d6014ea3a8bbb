//go:build unix

package docsdcmd

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesAreOwnerOnly runs docsd as an operator would, under the usual
// umask (022): the database it creates, its WAL and shared memory while it
// serves, and a backup are each 0600, since each holds the session secret
// and every password hash.
func TestFilesAreOwnerOnly(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
	base := serveSeeded(t, env)
	loginCookie(t, base, "bob") // a write: the WAL holds a session
	backup := filepath.Join(dir, "backup.db")
	if _, errOut, code := docsd(t, env, "", "backup", backup); code != 0 {
		t.Fatalf("docsd backup %s: exit %d: %s", backup, code, errOut)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", backup} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("mode of %s = %#o; want 0600", filepath.Base(p), got)
		}
	}
}
