package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

// withHistory is a harness logged in as alice over a server holding a
// document of hers at version 3: "one", then bob's "two", then "three".
func withHistory(t *testing.T, tty bool) (*harness, int64) {
	t.Helper()
	h := newHarness(t, tty, "")
	h.loginAs(t, "alice")
	id := h.srv.CreateDocument(t, "alice", "T", "one")
	for _, edit := range []struct{ user, body string }{{"bob", "two"}, {"alice", "three"}} {
		c := client.New(h.srv.URL, nil)
		if _, err := c.Login(t.Context(), client.Credentials{Username: edit.user, Password: "password"}); err != nil {
			t.Fatal(err)
		}
		body := edit.body
		if _, err := c.UpdateDocument(t.Context(), id, client.DocumentPatch{Body: &body}, client.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return h, id
}

func TestLog(t *testing.T) {
	h, id := withHistory(t, false)
	wantExit(t, h, h.run(t, "log", itoa(id)), exitOK, "log")
	lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "VERSION") {
		t.Fatalf("log printed %q; want a header and 3 versions", h.out)
	}
	for i, want := range []string{"3 T alice", "2 T bob", "1 T alice"} {
		if got := strings.Join(strings.Fields(lines[i+1])[:3], " "); got != want {
			t.Errorf("log line %d = %q; want it to start %q", i+1, lines[i+1], want)
		}
	}
	wantExit(t, h, h.run(t, "log", itoa(id), "-L", "2", "-o", "json"), exitOK, "log -L 2 -o json")
	var list []client.Revision
	if err := json.Unmarshal(h.out.Bytes(), &list); err != nil || len(list) != 2 || list[0].Version != 3 || list[1].By == nil || list[1].By.Username != "bob" {
		t.Errorf("log -L 2 -o json = %s (%v); want versions 3 and 2, 2 by bob", h.out, err)
	}
	wantExit(t, h, h.run(t, "log", "999999"), exitNotFound, "log 999999")
}

func TestGetVersion(t *testing.T) {
	h, id := withHistory(t, false)
	wantExit(t, h, h.run(t, "get", itoa(id), "--version", "2"), exitOK, "get --version 2")
	for _, want := range []string{"version:  2", "by:       bob", "--\ntwo\n"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("get --version 2 printed %q; want %q", h.out, want)
		}
	}
	wantExit(t, h, h.run(t, "get", itoa(id), "--version", "9"), exitNotFound, "get --version 9")
	wantExit(t, h, h.run(t, "get", itoa(id), "1", "--version", "2"), exitUsage, "get two IDs --version 2")
	wantExit(t, h, h.run(t, "get", itoa(id), "--version", "0"), exitUsage, "get --version 0")
}

func TestDiff(t *testing.T) {
	h, id := withHistory(t, false)
	t.Run("versions that differ: the unified diff, exit 1", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", itoa(id), "--version", "1"), 1, "diff --version 1")
		want := "--- document " + itoa(id) + " version 1\n+++ document " + itoa(id) + " version 3\n@@ -1,3 +1,3 @@\n T\n \n-one\n+three\n"
		if h.out.String() != want || h.err.Len() != 0 {
			t.Errorf("diff --version 1 printed %q, stderr %q; want %q and nothing on stderr", h.out, h.err, want)
		}
	})
	t.Run("--to names the other side", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", itoa(id), "--version", "1", "--to", "2"), 1, "diff --version 1 --to 2")
		if !strings.Contains(h.out.String(), "-one\n+two\n") {
			t.Errorf("diff --version 1 --to 2 printed %q; want one replaced by two", h.out)
		}
	})
	t.Run("the same version: nothing, exit 0", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", itoa(id), "--version", "3"), exitOK, "diff --version 3")
		if h.out.Len() != 0 {
			t.Errorf("diff of the current version printed %q; want nothing", h.out)
		}
	})
	t.Run("errors exit above 1", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", itoa(id), "--version", "9"), exitNotFound, "diff --version 9")
		wantExit(t, h, h.run(t, "diff", itoa(id)), exitUsage, "diff without --version")
		gone := newHarnessAt(t, "http://127.0.0.1:1", false, "")
		gone.env["DOCS_SESSION"] = "x"
		wantExit(t, gone, gone.run(t, "diff", "1", "--version", "1"), exitDiffFailed, "diff with the server unreachable")
	})
}

func TestRevert(t *testing.T) {
	t.Run("without a terminal, --yes is required", func(t *testing.T) {
		h, id := withHistory(t, false)
		wantExit(t, h, h.run(t, "revert", itoa(id), "--to", "1"), exitUsage, "revert without --yes")
		wantExit(t, h, h.run(t, "revert", itoa(id), "--to", "1", "--yes", "-o", "json"), exitOK, "revert --yes")
		var d client.Document
		if err := json.Unmarshal(h.out.Bytes(), &d); err != nil || d.Version != 4 || d.Body != "one" {
			t.Errorf("revert --to 1 -o json = %s (%v); want version 4 with body one", h.out, err)
		}
	})
	t.Run("on a terminal it asks, and no changes nothing", func(t *testing.T) {
		h, id := withHistory(t, true)
		h.prompter.answers = []string{"n"}
		wantExit(t, h, h.run(t, "revert", itoa(id), "--to", "1"), exitError, "revert answered no")
		if len(h.prompter.asked) != 1 || !strings.Contains(h.prompter.asked[0], "(version 3) to version 1?") {
			t.Errorf("asked %q; want one question naming versions 3 and 1", h.prompter.asked)
		}
		h.prompter.answers = []string{"y"}
		wantExit(t, h, h.run(t, "revert", itoa(id), "--to", "2"), exitOK, "revert answered yes")
		if !strings.Contains(h.err.String(), "Reverted document "+itoa(id)+" to version 2, as version 4.") {
			t.Errorf("stderr = %q; want the revert reported", h.err)
		}
	})
	t.Run("a member who may not edit it is refused", func(t *testing.T) {
		h, id := withHistory(t, false)
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "revert", itoa(id), "--to", "1", "--yes"), exitForbidden, "revert as carol")
	})
}

func TestRestore(t *testing.T) {
	h, id := withHistory(t, false)
	wantExit(t, h, h.run(t, "restore", itoa(id)), exitConflict, "restore of a document that is there")
	wantExit(t, h, h.run(t, "rm", itoa(id), "--yes"), exitOK, "rm")
	wantExit(t, h, h.run(t, "get", itoa(id)), exitNotFound, "get after rm")
	wantExit(t, h, h.run(t, "restore", itoa(id)), exitOK, "restore")
	if !strings.Contains(h.err.String(), "Restored document "+itoa(id)+" (version 4).") {
		t.Errorf("stderr = %q; want the restore reported", h.err)
	}
	wantExit(t, h, h.run(t, "get", itoa(id)), exitOK, "get after restore")
}
