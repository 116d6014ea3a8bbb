package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

func TestRmParsing(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		args    []string
		wantErr int // exit code of the parse error; 0 when runF is reached
		wantYes bool
		wantID  int64
	}{
		{"--yes with no terminal", false, []string{"7", "--yes"}, 0, true, 7},
		{"-y", false, []string{"7", "-y"}, 0, true, 7},
		{"no terminal and no --yes is a usage error", false, []string{"7"}, exitUsage, false, 0},
		{"a terminal may ask", true, []string{"7"}, 0, false, 7},
		{"a bad ID is a usage error", true, []string{"seven"}, exitUsage, false, 0},
		{"no ID is a usage error", true, nil, exitUsage, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.tty, "")
			var got *rmOptions
			cmd := newCmdRm(h.f, func(o *rmOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(h.out)
			cmd.SetErr(h.err)
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantErr {
				t.Fatalf("rm %q: exit %d (%v); want %d", tt.args, code, err, tt.wantErr)
			}
			if tt.wantErr == 0 && (got.Yes != tt.wantYes || len(got.IDs) != 1 || got.IDs[0] != tt.wantID) {
				t.Errorf("rm %q parsed IDs %d, yes %v; want [%d], %v", tt.args, got.IDs, got.Yes, tt.wantID, tt.wantYes)
			}
		})
	}
}

func TestRmOnTerminal(t *testing.T) {
	t.Run("declining keeps the document", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		h.prompter.answers = []string{"n"}
		wantExit(t, h, h.run(t, "rm", "1"), exitError, "rm 1")
		if len(h.prompter.asked) != 1 || !strings.Contains(h.prompter.asked[0], "by alice") {
			t.Errorf("asked %q; want one question naming the document and its author", h.prompter.asked)
		}
		if got, want := h.err.String(), "Cancelled: document 1 was not deleted.\n"; got != want || h.out.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want nothing on stdout and stderr %q: said once, not an error", h.out, got, want)
		}
		wantExit(t, h, h.run(t, "get", "1"), exitOK, "get 1")
	})
	t.Run("declining with -o json says so the same way", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		h.prompter.answers = []string{"n"}
		wantExit(t, h, h.run(t, "rm", "1", "-o", "json"), exitError, "rm 1 -o json")
		if got, want := h.err.String(), "Cancelled: document 1 was not deleted.\n"; got != want {
			t.Errorf("stderr %q; want %q, not a problem document", got, want)
		}
	})
	t.Run("confirming deletes it", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		h.prompter.answers = []string{"y"}
		wantExit(t, h, h.run(t, "rm", "1"), exitOK, "rm 1")
		wantExit(t, h, h.run(t, "get", "1"), exitNotFound, "get 1")
	})
	t.Run("a member is refused with the server's reason, exit 5", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "rm", "1", "--yes"), exitForbidden, "rm 1 --yes")
		if !strings.Contains(h.err.String(), "403 Forbidden: ") || strings.Contains(h.err.String(), "docs login") {
			t.Errorf("stderr = %q; want the 403 and its reason, no login advice", h.err)
		}
	})
}

func TestListAndGet(t *testing.T) {
	h := newHarness(t, false, "")
	wantExit(t, h, h.run(t, "list"), exitOK, "list")
	lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
	if !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "TITLE") || len(lines) < 2 {
		t.Fatalf("list output = %q; want a header and rows", h.out)
	}

	wantExit(t, h, h.run(t, "list", "--limit", "2", "-o", "json"), exitOK, "list --limit 2 -o json")
	var docs []client.Document
	if err := json.Unmarshal(h.out.Bytes(), &docs); err != nil || len(docs) != 2 {
		t.Errorf("list --limit 2 -o json = %q (%v); want a JSON array of 2", h.out, err)
	}

	h.srv.CreateDocument(t, "bob", "evil \x1b[31mtitle", "body")
	wantExit(t, h, h.run(t, "list"), exitOK, "list")
	if strings.Contains(h.out.String(), "\x1b") {
		t.Errorf("list printed a raw escape character from a title: %q", h.out)
	}

	wantExit(t, h, h.run(t, "get", "1"), exitAuth, "get 1 (logged out)")
	h.loginAs(t, "carol")
	wantExit(t, h, h.run(t, "get", "1"), exitOK, "get 1")
	if !strings.Contains(h.out.String(), "\n--\n") || !strings.Contains(h.out.String(), "author:") {
		t.Errorf("get output = %q; want fields, --, body", h.out)
	}
}

func TestListOnAServerWithAPrivateList(t *testing.T) {
	cfg := &api.Config{PublicRoutes: []string{"health", "register", "login"}, AllowRegistration: true}
	h := newHarnessWith(t, apitest.NewServerWith(t, apitest.Options{Config: cfg}), false, "")
	wantExit(t, h, h.run(t, "list"), exitAuth, "list (logged out, private list)")
	if !strings.Contains(h.err.String(), "No session is stored") {
		t.Errorf("stderr = %q; want the 401 explained", h.err)
	}
	h.loginAs(t, "carol")
	wantExit(t, h, h.run(t, "list"), exitOK, "list (logged in, private list)")
	if !strings.Contains(h.out.String(), "TITLE") {
		t.Errorf("stdout = %q; want the table", h.out)
	}
}

// editorThat returns an editor that rewrites the file with fn.
func editorThat(t *testing.T, fn func(string) string) editorFunc {
	return func(_ context.Context, _ *iostreams, _ string, path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return os.WriteFile(path, []byte(fn(string(b))), 0o600)
	}
}

func TestEditInEditor(t *testing.T) {
	setup := func(t *testing.T, fn func(string) string) (*harness, int64) {
		t.Setenv("TMPDIR", t.TempDir())
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		id := h.srv.CreateDocument(t, "alice", "T", "hello world")
		h.f.RunEditor = editorThat(t, fn)
		return h, id
	}
	version := func(t *testing.T, h *harness, id int64) *client.Document {
		d, err := client.New(h.srv.URL, &client.Options{Session: h.sessionValue(t)}).GetDocument(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("an unchanged text sends nothing", func(t *testing.T) {
		h, id := setup(t, func(s string) string { return s + "\n" }) // vi adds a final newline
		wantExit(t, h, h.run(t, "edit", itoa(id)), exitOK, "edit")
		if d := version(t, h, id); d.Version != 1 {
			t.Errorf("version after an unchanged edit = %d; want 1", d.Version)
		}
	})
	t.Run("an emptied text aborts", func(t *testing.T) {
		h, id := setup(t, func(string) string { return "  \n" })
		wantExit(t, h, h.run(t, "edit", itoa(id)), exitOK, "edit")
		if d := version(t, h, id); d.Version != 1 || d.Body != "hello world" {
			t.Errorf("after an emptied edit: version %d, body %q; want 1, unchanged", d.Version, d.Body)
		}
		if !strings.Contains(h.err.String(), "Aborted") {
			t.Errorf("stderr = %q; want an abort message", h.err)
		}
	})
	t.Run("the editor gets a final newline, and the saved body has none, as before", func(t *testing.T) {
		h, id := setup(t, func(s string) string {
			if !strings.HasSuffix(s, "\n") {
				t.Errorf("the editor's file = %q; want it to end with a newline", s)
			}
			return strings.Replace(s, "world", "there", 1)
		})
		wantExit(t, h, h.run(t, "edit", itoa(id)), exitOK, "edit")
		if d := version(t, h, id); d.Version != 2 || d.Body != "hello there" {
			t.Errorf("after edit: version %d, body %q; want 2, %q", d.Version, d.Body, "hello there")
		}
	})
	t.Run("a change made meanwhile is a 412: exit 7 and the text kept", func(t *testing.T) {
		var h *harness
		var id int64
		h, id = setup(t, func(string) string {
			other := "someone else's"
			c := client.New(h.srv.URL, &client.Options{Session: h.sessionValue(t)})
			if _, err := c.UpdateDocument(t.Context(), id, client.DocumentPatch{Body: &other}, client.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			return "mine"
		})
		wantExit(t, h, h.run(t, "edit", itoa(id)), exitConflict, "edit")
		i := strings.Index(h.err.String(), "Your text is saved in ")
		if i < 0 {
			t.Fatalf("stderr = %q; want the path of the kept text", h.err)
		}
		path := strings.Fields(h.err.String()[i+len("Your text is saved in "):])[0]
		if b, err := os.ReadFile(path); err != nil || string(b) != "mine" {
			t.Errorf("kept file %s = %q, %v; want %q", path, b, err, "mine")
		}
		if !strings.Contains(h.err.String(), "docs edit "+itoa(id)+" --body-file "+path) {
			t.Errorf("stderr = %q; want the retry command", h.err)
		}
		if d := version(t, h, id); d.Body != "someone else's" {
			t.Errorf("body after the 412 = %q; want the other change kept", d.Body)
		}
		for _, want := range []string{"changed on the server since version 1, which you started from; it is now at version 2", "--- document " + itoa(id) + " version 1", "+++ document " + itoa(id) + " version 2", "-hello world\n+someone else's\n"} {
			if !strings.Contains(h.err.String(), want) {
				t.Errorf("stderr = %q; want the diff of what changed meanwhile, with %q", h.err, want)
			}
		}

		// The retry printed saves the kept text, and then removes it.
		wantExit(t, h, h.run(t, "edit", itoa(id), "--body-file", path), exitOK, "edit --body-file (the retry)")
		if d := version(t, h, id); d.Body != "mine" {
			t.Errorf("body after the retry = %q; want %q", d.Body, "mine")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("kept file %s after a retry that saved it: %v; want it removed", path, err)
		}
		if !strings.Contains(h.err.String(), "Removed "+path) {
			t.Errorf("stderr = %q; want the removal said", h.err)
		}
	})
	t.Run("a file of the user's own is never removed after an edit", func(t *testing.T) {
		h, id := setup(t, func(s string) string { return s })
		own := filepath.Join(t.TempDir(), "docs-edit-"+itoa(id)+"-mine.md")
		if err := os.WriteFile(own, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "edit", itoa(id), "--body-file", own), exitOK, "edit --body-file (own file)")
		if _, err := os.Stat(own); err != nil {
			t.Errorf("own file after edit: %v; want it kept", err)
		}
	})
}

func TestEditWithoutEditor(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	wantExit(t, h, h.run(t, "edit", "1"), exitUsage, "edit 1 (no terminal, no editor)")
	wantExit(t, h, h.run(t, "edit", "1", "--title", "New"), exitOK, "edit --title")
}

// TestBodyFlagsExcludeEachOther: --body and --body-file together are a
// usage error naming both, for every command that takes them.
func TestBodyFlagsExcludeEachOther(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	for _, args := range [][]string{
		{"create", "--title", "T", "--body", "x", "--body-file", "f"},
		{"edit", "1", "--body", "x", "--body-file", "f"},
		{"edit", "1", "-b", "x", "-F", "f"},
	} {
		h.err.Reset()
		wantExit(t, h, h.run(t, args...), exitUsage, args...)
		if got := h.err.String(); !strings.Contains(got, "[body body-file]") {
			t.Errorf("docs %s: stderr %q; want it to name both flags", strings.Join(args, " "), got)
		}
	}
}

func (h *harness) sessionValue(t *testing.T) string {
	t.Helper()
	st := newSessionStore(h.f.Keyring, &settings{ConfigDir: h.env["DOCS_CONFIG_DIR"], KeyringTimeout: 1 << 62})
	s, err := st.Lookup(t.Context(), h.server())
	if err != nil {
		t.Fatal(err)
	}
	return s.Value
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestSeveralIDs(t *testing.T) {
	t.Run("get shows each and exits with the most severe failure", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "get", "1", "999", "2"), exitNotFound, "get 1 999 2")
		if n := strings.Count(h.out.String(), "\nid: "); !strings.HasPrefix(h.out.String(), "id: ") || n != 1 {
			t.Errorf("stdout = %q; want documents 1 and 2", h.out)
		}
		if !strings.Contains(h.err.String(), "Error: 404") {
			t.Errorf("stderr = %q; want the 404 of 999", h.err)
		}
	})
	t.Run("get -o json prints one object per document, for one ID as for several", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		for _, ids := range [][]string{{"1"}, {"1", "2"}} {
			args := append(append([]string{"get"}, ids...), "-o", "json")
			wantExit(t, h, h.run(t, args...), exitOK, args...)
			dec := json.NewDecoder(h.out)
			for i := range ids {
				var d client.Document
				if err := dec.Decode(&d); err != nil || itoa(d.ID) != ids[i] {
					t.Errorf("docs %v: object %d = %+v, %v; want document %s", args, i, d, err, ids[i])
				}
			}
			if dec.More() {
				t.Errorf("docs %v: more than one object per document", args)
			}
		}
	})
	t.Run("rm deletes each it may; a 403 outranks a 404", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		id := createAs(t, h, "mine")
		// Document 1 is alice's: carol may not delete it (403).
		wantExit(t, h, h.run(t, "rm", "999", itoa(id), "1", "--yes"), exitForbidden, "rm 999 mine 1 --yes")
		if !strings.Contains(h.err.String(), "Deleted document "+itoa(id)+".") {
			t.Errorf("stderr = %q; want carol's own document deleted", h.err)
		}
		// Each outcome in the order of the IDs given.
		lines := strings.Split(strings.TrimSpace(h.err.String()), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], "404") || lines[1] != "Deleted document "+itoa(id)+"." || !strings.Contains(lines[2], "403") {
			t.Errorf("stderr = %q; want 999's 404, then mine deleted, then 1's 403, in that order", h.err)
		}
		wantExit(t, h, h.run(t, "get", itoa(id)), exitNotFound, "get mine")
		wantExit(t, h, h.run(t, "get", "1"), exitOK, "get 1")
	})
	t.Run("a failure that is not about one document stops at once", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "get", "1", "2"), exitAuth, "get 1 2 (logged out)")
		if n := strings.Count(h.err.String(), "Error:"); n != 1 {
			t.Errorf("stderr = %q; want one 401, not one per ID", h.err)
		}
	})
}

// createAs creates a document as the logged-in user and returns its ID.
func createAs(t *testing.T, h *harness, title string) int64 {
	t.Helper()
	c := client.New(h.srv.URL, &client.Options{Session: h.sessionValue(t)})
	d, err := c.CreateDocument(t.Context(), client.NewDocument{Title: title, Body: "text"})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// TestBodyOfTheLimitIsStored: docs sends JSON with < escaped as \u003c
// (6 bytes), so a 1 MiB body of < takes 6 MiB on the wire. A body within
// the documented limit must be stored whatever its encoding costs.
func TestBodyOfTheLimitIsStored(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "carol")
	body := strings.Repeat("<", maxBodyBytes)
	file := filepath.Join(t.TempDir(), "angles.html")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	wantExit(t, h, h.run(t, "create", "-t", "Angles", "--body-file", file, "-o", "json"), exitOK, "create -t Angles --body-file", file)
	var d client.Document
	if err := json.Unmarshal(h.out.Bytes(), &d); err != nil {
		t.Fatalf("stdout %.200q: %v", h.out, err)
	}
	wantExit(t, h, h.run(t, "get", itoa(d.ID), "-o", "json"), exitOK, "get", itoa(d.ID))
	var got client.Document
	if err := json.Unmarshal(h.out.Bytes(), &got); err != nil || got.Body != body {
		t.Errorf("get %d: body of %d bytes (%v); want the %d bytes of < sent", d.ID, len(got.Body), err, len(body))
	}
}
