package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPullMakesAMissingDirectory(t *testing.T) {
	t.Run("missing, with its parents, as mkdir -p, and nothing said about it", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		base := t.TempDir()
		dir := filepath.Join(base, "a", "b")
		wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull", dir)
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			t.Fatalf("after pull %s: stat = %v, %v; want a directory", dir, fi, err)
		}
		// What os.Mkdir(0o755) makes under this umask is what mkdir -p would.
		ref := filepath.Join(base, "ref")
		if err := os.Mkdir(ref, 0o755); err != nil {
			t.Fatal(err)
		}
		rfi, _ := os.Stat(ref)
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if fi, _ := os.Stat(d); fi.Mode().Perm() != rfi.Mode().Perm() {
				t.Errorf("%s has mode %v; want %v, as mkdir -p", d, fi.Mode().Perm(), rfi.Mode().Perm())
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "1-welcome-to-docsd.md")); err != nil {
			t.Errorf("the documents were not pulled into %s: %v", dir, err)
		}
		for line := range strings.Lines(h.err.String()) {
			if !strings.HasPrefix(line, "Wrote ") {
				t.Errorf("stderr line %q; want only the files written", line)
			}
		}
	})
	t.Run("a file in its place is an error naming it, exit 1", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		path := filepath.Join(t.TempDir(), "notes")
		if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "pull", path), exitError, "pull", path)
		if !strings.Contains(h.err.String(), path) {
			t.Errorf("stderr = %q; want %s named", h.err, path)
		}
		if got := readFile(t, path); got != "mine" {
			t.Errorf("%s = %q; want it kept", path, got)
		}
	})
}

// fileResultsOf decodes the objects docs pull or push -o json printed.
func fileResultsOf(t *testing.T, out []byte) map[string]fileResult {
	t.Helper()
	got := map[string]fileResult{}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	for {
		var r fileResult
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return got
		} else if err != nil {
			t.Fatalf("stdout is not a stream of results: %v\n%s", err, out)
		}
		got[filepath.Base(r.File)] = r
	}
}

func TestPullAndPushJSON(t *testing.T) {
	h, dir := pulled(t)

	args := []string{"pull", dir, "-o", "json"}
	wantExit(t, h, h.run(t, args...), exitOK, args...)
	got := fileResultsOf(t, h.out.Bytes())
	if len(got) != 7 || got["1-welcome-to-docsd.md"] != (fileResult{ID: 1, File: filepath.Join(dir, "1-welcome-to-docsd.md"), Action: "unchanged"}) {
		t.Errorf("pull -o json of an unchanged directory printed %v; want 7 unchanged, with id and path", got)
	}

	change(t, filepath.Join(dir, "3-release-checklist.md"), "3. Announce.", "3. Announce. 4. Rest.")
	editAs(t, h, "alice", 3, "", "Theirs.")
	editAs(t, h, "alice", 1, "", "Also new.")
	wantExit(t, h, h.run(t, "rm", "2", "--yes"), exitOK, "rm 2")
	wantExit(t, h, h.run(t, args...), exitConflict, args...)
	got = fileResultsOf(t, h.out.Bytes())
	for name, want := range map[string]string{
		"1-welcome-to-docsd.md":  "written",
		"2-admin-handbook.md":    "deleted-on-server",
		"3-release-checklist.md": "conflict",
		"4-style-guide.md":       "unchanged",
	} {
		if got[name].Action != want {
			t.Errorf("pull -o json: %s is %+v; want action %q", name, got[name], want)
		}
	}
	if !strings.Contains(got["3-release-checklist.md"].Error, "changed on the server") {
		t.Errorf("the conflict's error = %q; want what happened", got["3-release-checklist.md"].Error)
	}

	// Set the conflict aside, then push a change, a new file and one
	// changed on the server since.
	if err := os.Rename(filepath.Join(dir, "3-release-checklist.md"), filepath.Join(dir, "3.mine")); err != nil {
		t.Fatal(err)
	}
	wantExit(t, h, h.run(t, "pull", dir), exitOK, "pull after setting mine aside")
	four := filepath.Join(dir, "4-style-guide.md")
	change(t, four, readFile(t, four), readFile(t, four)+" Mine.")
	change(t, filepath.Join(dir, "1-welcome-to-docsd.md"), "Also new.", "Also new. Mine.")
	editAs(t, h, "bob", 1, "", "Theirs again.")
	if err := os.WriteFile(filepath.Join(dir, "idea.md"), []byte("---\ntitle: A new idea\n---\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args = []string{"push", dir, "-o", "json"}
	wantExit(t, h, h.run(t, args...), exitConflict, args...)
	got = fileResultsOf(t, h.out.Bytes())
	for name, want := range map[string]string{
		"1-welcome-to-docsd.md": "conflict",
		"4-style-guide.md":      "pushed",
		"idea.md":               "created",
		"5-meeting-notes.md":    "unchanged",
	} {
		if got[name].Action != want {
			t.Errorf("push -o json: %s is %+v; want action %q", name, got[name], want)
		}
	}
	if one := filepath.Join(dir, "1-welcome-to-docsd.md"); !strings.Contains(h.err.String(), `"detail":"document 1 changed on the server since version 2, which `+one) ||
		!strings.Contains(h.err.String(), `"hint":"To merge: mv `) || !strings.Contains(h.err.String(), `"status":412`) {
		t.Errorf("push -o json said on stderr %s; want the 412 problem with the file named and how to merge", h.err)
	}
	if got["idea.md"].ID == 0 || got["4-style-guide.md"].ID != 4 {
		t.Errorf("push -o json printed %v; want the new document's id and 4's", got)
	}

	args = []string{"push", dir, "--dry-run", "-o", "json", "--json", "file,action"}
	wantExit(t, h, h.run(t, args...), exitOK, args...)
	var actions []string
	for _, r := range fileResultsOf(t, h.out.Bytes()) {
		actions = append(actions, r.Action)
	}
	if !slices.Contains(actions, "would-update") {
		t.Errorf("push --dry-run -o json printed %s; want JSON only, document 1 as would-update", h.out)
	}
}
