package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/client"
)

// editAs changes document id's title and body as user, behind docs's back.
func editAs(t *testing.T, h *harness, user string, id int64, title, body string) {
	t.Helper()
	c := client.New(h.srv.URL, nil)
	if _, err := c.Login(t.Context(), client.Credentials{Username: user, Password: "password"}); err != nil {
		t.Fatal(err)
	}
	var p client.DocumentPatch
	if title != "" {
		p.Title = &title
	}
	if body != "" {
		p.Body = &body
	}
	if _, err := c.UpdateDocument(t.Context(), id, p, client.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// pulled is a harness logged in as alice whose directory holds a pull of
// the seeded documents.
func pulled(t *testing.T) (*harness, string) {
	t.Helper()
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	dir := t.TempDir()
	wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull", dir)
	return h, dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPull(t *testing.T) {
	t.Run("each document is a file: front matter, then the body", func(t *testing.T) {
		h, dir := pulled(t)
		got := readFile(t, filepath.Join(dir, "1-welcome-to-docsd.md"))
		want := "---\nid: 1\ntitle: \"Welcome to docsd\"\nauthor: \"alice\"\nversion: 1\nupdated: "
		if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\n---\nEvery route is private unless its name is on the skip list.") {
			t.Errorf("1-welcome-to-docsd.md = %q; want %q..., then the body with no newline added", got, want)
		}
		if n := strings.Count(h.err.String(), "Wrote "); n != 7 {
			t.Errorf("pull said %q; want 7 files written", h.err)
		}
	})
	t.Run("without a session: the server's 401, nothing written", func(t *testing.T) {
		h := newHarness(t, false, "")
		dir := t.TempDir()
		wantExit(t, h, h.run(t, "pull", dir), exitAuth, "pull", dir)
		if files, _ := filepath.Glob(filepath.Join(dir, "*.md")); len(files) != 0 {
			t.Errorf("pull without a session wrote %q; want nothing", files)
		}
	})
	t.Run("a failed pull into a directory it made leaves none, nor binds one that was there", func(t *testing.T) {
		h := newHarness(t, false, "")
		parent := t.TempDir()
		made := filepath.Join(parent, "new")
		wantExit(t, h, h.run(t, "pull", made), exitAuth, "pull", made)
		if _, err := os.Stat(made); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a failed pull into %s, which it made: Stat = %v; want no directory", made, err)
		}
		wantExit(t, h, h.run(t, "pull", parent), exitAuth, "pull", parent)
		if _, err := os.Stat(filepath.Join(parent, ".docs")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a failed pull into %s: Stat(.docs) = %v; want no state binding it to the server", parent, err)
		}
	})
	t.Run("a second pull rewrites nothing", func(t *testing.T) {
		h, dir := pulled(t)
		path := filepath.Join(dir, "2-admin-handbook.md")
		old := time.Now().Add(-time.Hour).Truncate(time.Second)
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull again")
		if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(old) {
			t.Errorf("after a second pull, %s modified %v (%v); want %v kept", path, fi.ModTime(), err, old)
		}
		if !strings.HasPrefix(h.err.String(), "Already up to date: 7 documents") {
			t.Errorf("second pull said %q; want it up to date", h.err)
		}
	})
	t.Run("a change on the server is written; a new title renames the file", func(t *testing.T) {
		h, dir := pulled(t)
		editAs(t, h, "bob", 4, "House style", "New text.\n")
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull after an edit")
		if _, err := os.Stat(filepath.Join(dir, "4-style-guide.md")); !os.IsNotExist(err) {
			t.Errorf("the old file is still there (%v); want it renamed", err)
		}
		if got := readFile(t, filepath.Join(dir, "4-house-style.md")); !strings.Contains(got, "version: 2\n") || !strings.HasSuffix(got, "---\nNew text.\n") {
			t.Errorf("4-house-style.md = %q; want version 2 and the new text", got)
		}
	})
	t.Run("a file changed here is never overwritten: exit 7, the others pulled", func(t *testing.T) {
		h, dir := pulled(t)
		path := filepath.Join(dir, "3-release-checklist.md")
		mine := strings.Replace(readFile(t, path), "3. Announce.", "3. Announce. 4. Rest.", 1)
		if err := os.WriteFile(path, []byte(mine), 0o644); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull with a change here only")
		editAs(t, h, "alice", 3, "", "Theirs.")
		editAs(t, h, "alice", 1, "", "Also new.")
		wantExit(t, h, h.run(t, "pull", dir), exitConflict, "pull with a change on both sides")
		if got := readFile(t, path); got != mine {
			t.Errorf("after the conflict, %s = %q; want %q kept", path, got, mine)
		}
		if !strings.Contains(h.err.String(), "Error: document 3 changed on the server (version 1 to 2) and "+path+" was changed here: the file was not overwritten") || !strings.Contains(h.err.String(), ".mine") {
			t.Errorf("stderr = %q; want the conflict named, with how to merge", h.err)
		}
		if got := readFile(t, filepath.Join(dir, "1-welcome-to-docsd.md")); !strings.HasSuffix(got, "Also new.") {
			t.Errorf("document 1 was not pulled past the conflict: %q", got)
		}
	})
	t.Run("a deleted document's file stays unless --prune", func(t *testing.T) {
		h, dir := pulled(t)
		wantExit(t, h, h.run(t, "rm", "5", "--yes"), exitOK, "rm 5")
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull after rm")
		if !strings.Contains(h.err.String(), "Document 5 was deleted on the server; "+filepath.Join(dir, "5-meeting-notes.md")+" is left as it is (--prune removes it).") {
			t.Errorf("stderr = %q; want the deletion reported", h.err)
		}
		path := filepath.Join(dir, "5-meeting-notes.md")
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", dir, "--prune"), exitOK, "pull --prune")
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("after --prune, stat %s: %v; want it removed", path, err)
		}
	})
	t.Run("a file docs did not write is not overwritten", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		dir := t.TempDir()
		path := filepath.Join(dir, "1-welcome-to-docsd.md")
		if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", dir, "1"), exitConflict, "pull over a stranger's file")
		if got := readFile(t, path); got != "mine" {
			t.Errorf("%s = %q; want it kept", path, got)
		}
	})
	t.Run("a directory pulled from another server is refused", func(t *testing.T) {
		_, dir := pulled(t)
		other := newHarness(t, false, "")
		wantExit(t, other, other.run(t, "pull", dir), exitUsage, "pull from another server")
	})
}
