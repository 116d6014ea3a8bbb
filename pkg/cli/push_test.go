package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// change rewrites what comes after old in the file at path.
func change(t *testing.T, path, old, new string) string {
	t.Helper()
	s := strings.Replace(readFile(t, path), old, new, 1)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPush(t *testing.T) {
	t.Run("a changed file is sent over the pulled version, and its front matter updated", func(t *testing.T) {
		h, dir := pulled(t)
		path := filepath.Join(dir, "3-release-checklist.md")
		change(t, path, "3. Announce.", "3. Announce.\n4. Rest.\n")
		change(t, path, `title: "Release checklist"`, `title: "Release steps"`)
		wantExit(t, h, h.run(t, "push", dir), exitOK, "push")
		if want := "Pushed " + path + " (document 3, version 2).\n"; h.err.String() != want {
			t.Errorf("push said %q; want %q", h.err, want)
		}
		wantExit(t, h, h.run(t, "get", "3", "-o", "json"), exitOK, "get 3")
		if !strings.Contains(h.out.String(), `"body": "1. Tag. 2. Build. 3. Announce.\n4. Rest.\n"`) || !strings.Contains(h.out.String(), `"title": "Release steps"`) {
			t.Errorf("get 3 after push = %s; want the new title and body", h.out)
		}
		if got := readFile(t, path); !strings.Contains(got, "version: 2\n") {
			t.Errorf("%s after push = %q; want version 2 in its front matter", path, got)
		}
		wantExit(t, h, h.run(t, "push", dir), exitOK, "push again")
		if !strings.HasPrefix(h.err.String(), "Nothing to push") {
			t.Errorf("a second push said %q; want nothing to push", h.err)
		}
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull after push")
		if _, err := os.Stat(filepath.Join(dir, "3-release-steps.md")); err != nil {
			t.Errorf("pull after a pushed title change: %v; want the file renamed", err)
		}
	})
	t.Run("a document changed on the server is a conflict: exit 7, the file kept, the others sent", func(t *testing.T) {
		h, dir := pulled(t)
		one, two := filepath.Join(dir, "1-welcome-to-docsd.md"), filepath.Join(dir, "2-admin-handbook.md")
		mine := change(t, one, "skip list.", "skip list. Mine.")
		change(t, two, "roles.", "roles. Also mine.")
		editAs(t, h, "bob", 1, "", "Theirs.")
		wantExit(t, h, h.run(t, "push", dir), exitConflict, "push with a conflict")
		if got := readFile(t, one); got != mine {
			t.Errorf("%s after the conflict = %q; want %q as it was", one, got, mine)
		}
		if !strings.Contains(h.err.String(), "Error: document 1 changed on the server since version 1, which "+one+" was pulled at: it was not sent") ||
			!strings.Contains(h.err.String(), "Pushed "+two+" (document 2, version 2).") {
			t.Errorf("push said %q; want the conflict named and document 2 pushed", h.err)
		}
		wantExit(t, h, h.run(t, "pull", dir), exitConflict, "pull over the conflict")
		if got := readFile(t, one); got != mine {
			t.Errorf("%s after pull = %q; want %q as it was", one, got, mine)
		}
		// The merge the hint describes.
		if err := os.Rename(one, one+".mine"); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull after setting mine aside")
		change(t, one, "Theirs.", "Theirs. Mine.")
		wantExit(t, h, h.run(t, "push", dir), exitOK, "push the merge")
		wantExit(t, h, h.run(t, "get", "1", "-o", "json"), exitOK, "get 1")
		if !strings.Contains(h.out.String(), `"body": "Theirs. Mine."`) {
			t.Errorf("get 1 after the merge = %s; want the merged body", h.out)
		}
	})
	t.Run("a new file is created, and its id written back", func(t *testing.T) {
		h, dir := pulled(t)
		path := filepath.Join(dir, "idea.md")
		if err := os.WriteFile(path, []byte("---\ntitle: A new idea\n---\nBody.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# Not a document\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "push", dir, "--dry-run"), exitOK, "push --dry-run")
		if want := "would create a document from " + path + ": \"A new idea\"\n"; h.out.String() != want {
			t.Errorf("push --dry-run printed %q; want %q", h.out, want)
		}
		wantExit(t, h, h.run(t, "push", dir), exitOK, "push")
		got := readFile(t, path)
		if !strings.HasPrefix(got, "---\nid: 8\ntitle: \"A new idea\"\nauthor: \"alice\"\nversion: 1\n") || !strings.HasSuffix(got, "\n---\nBody.\n") {
			t.Errorf("%s after push = %q; want id 8 and version 1 written back", path, got)
		}
		wantExit(t, h, h.run(t, "push", dir), exitOK, "push again")
		wantExit(t, h, h.run(t, "list", "--all"), exitOK, "list")
		if n := strings.Count(h.out.String(), "A new idea"); n != 1 {
			t.Errorf("list shows %d documents titled A new idea; want 1", n)
		}
	})
	t.Run("--dry-run sends nothing", func(t *testing.T) {
		h, dir := pulled(t)
		path := filepath.Join(dir, "4-style-guide.md")
		change(t, path, "their own.", "their own. Draft.")
		wantExit(t, h, h.run(t, "push", path, "--dry-run"), exitOK, "push --dry-run")
		if want := "would update document 4 from " + path + " (If-Match version 1): body\n"; h.out.String() != want {
			t.Errorf("push --dry-run printed %q; want %q", h.out, want)
		}
		wantExit(t, h, h.run(t, "get", "4", "-o", "json"), exitOK, "get 4")
		if strings.Contains(h.out.String(), "Draft") || !strings.Contains(h.out.String(), `"version": 1`) {
			t.Errorf("get 4 after --dry-run = %s; want it unchanged", h.out)
		}
	})
	t.Run("a file that is not a document fails alone", func(t *testing.T) {
		h, dir := pulled(t)
		bad := filepath.Join(dir, "bad.md")
		if err := os.WriteFile(bad, []byte("---\ntitle: open\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		change(t, filepath.Join(dir, "5-meeting-notes.md"), "means no.", "means no. Noted.")
		wantExit(t, h, h.run(t, "push", bad, filepath.Join(dir, "5-meeting-notes.md")), exitUsage, "push a bad file and a good one")
		if !strings.Contains(h.err.String(), "Pushed "+filepath.Join(dir, "5-meeting-notes.md")) {
			t.Errorf("push said %q; want document 5 pushed past the bad file", h.err)
		}
	})
}
