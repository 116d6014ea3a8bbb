package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestJSONFieldsAreTheOutputsKeys runs every command that offers --json
// against the real engine, as many ways as it has outputs of different
// shapes, and holds the fields it declares to the members its real JSON
// carries: a field added to the output, or one declared that never
// appears, fails here instead of drifting.
func TestJSONFieldsAreTheOutputsKeys(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	dir := t.TempDir()

	type step struct {
		args  []string
		stdin string
		setup func(t *testing.T)
		exit  int
	}
	// conflict changes document 1's file here and on the server, so that
	// pull and push report a conflict, with its error.
	conflict := func(t *testing.T) {
		change(t, filepath.Join(dir, "1-welcome-to-docsd.md"), "skip list.", "skip list. Mine.")
		editAs(t, h, "alice", 1, "", "Theirs.")
	}
	// In order: each may rely on those before it (document 8 is the one
	// created here).
	steps := []step{
		{args: []string{"version"}},
		{args: []string{"status"}},
		{args: []string{"list"}},
		{args: []string{"search", "welcome"}},
		{args: []string{"create", "--title", "Fields", "--body", "first"}},
		{args: []string{"edit", "8", "--title", "Fields 2", "--body", "second"}},
		{args: []string{"get", "8"}},
		{args: []string{"get", "8", "--version", "2"}},
		{args: []string{"log", "8"}},
		{args: []string{"revert", "8", "--to", "1", "--yes"}},
		{args: []string{"rm", "8", "--yes"}},
		{args: []string{"restore", "8"}},
		{args: []string{"token", "create", "--name", "fields", "--scope", "read", "--expires", "1d"}},
		{args: []string{"token", "list"}},
		{args: []string{"users", "list"}},
		{args: []string{"users", "set-role", "carol", "editor"}},
		{args: []string{"pull", dir}},
		{args: []string{"pull", dir}, setup: conflict, exit: exitConflict},
		{args: []string{"push", dir}, exit: exitConflict},
		{args: []string{"register", "-u", "dave", "--password-stdin"}, stdin: "password-of-dave\n"},
		{args: []string{"login", "-u", "alice", "--password-stdin"}, stdin: "password\n"},
		{args: []string{"passwd", "--password-stdin"}, stdin: "password\nnew-password\n"},
	}
	keys := map[string][]string{} // command path: the members seen
	var token string
	for _, s := range steps {
		if s.setup != nil {
			s.setup(t)
		}
		h.f.IO.In = strings.NewReader(s.stdin)
		args := append(slices.Clone(s.args), "-o", "json")
		wantExit(t, h, h.run(t, args...), s.exit, args...)
		path := "docs " + strings.Join(commandWords(t, h, s.args), " ")
		dec := json.NewDecoder(bytes.NewReader(h.out.Bytes()))
		for {
			var v any
			if err := dec.Decode(&v); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("docs %s: stdout is not JSON: %v\n%s", strings.Join(args, " "), err, h.out)
			}
			objs, ok := v.([]any)
			if !ok {
				objs = []any{v}
			}
			for _, o := range objs {
				for k := range o.(map[string]any) {
					if !slices.Contains(keys[path], k) {
						keys[path] = append(keys[path], k)
					}
				}
				if k, ok := o.(map[string]any)["token"].(string); ok && path == "docs token create" {
					token = k
				}
			}
		}
		if path == "docs token create" {
			// docs status with a token says so in a member of its own.
			h.env["DOCS_TOKEN"] = token
			wantExit(t, h, h.run(t, "status", "-o", "json"), exitOK, "status -o json (DOCS_TOKEN)")
			var st map[string]any
			if err := json.Unmarshal(h.out.Bytes(), &st); err != nil {
				t.Fatal(err)
			}
			for k := range st {
				if !slices.Contains(keys["docs status"], k) {
					keys["docs status"] = append(keys["docs status"], k)
				}
			}
			delete(h.env, "DOCS_TOKEN")
		}
	}

	root := newCmdRoot(h.f)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		declared := jsonFields(c)
		if declared == nil {
			return
		}
		got, ok := keys[c.CommandPath()]
		if !ok {
			t.Errorf("%s offers --json but this test does not run it: add it to the steps", c.CommandPath())
			return
		}
		slices.Sort(got)
		if !slices.Equal(got, declared) {
			t.Errorf("%s declares --json fields %v; its JSON carries %v", c.CommandPath(), declared, got)
		}
		delete(keys, c.CommandPath())
	}
	walk(root)
	for path := range keys {
		t.Errorf("%s prints JSON but offers no --json", path)
	}
}

// commandWords is the command path args name, less "docs".
func commandWords(t *testing.T, h *harness, args []string) []string {
	t.Helper()
	c, _, err := newCmdRoot(h.f).Find(args)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(c.CommandPath())[1:]
}
