package cli

import (
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

func TestJSONFieldsAreCheckedBeforeTheCommandRuns(t *testing.T) {
	countDocs := func(t *testing.T, h *harness) int {
		t.Helper()
		list, err := client.New(h.srv.URL, nil).ListDocuments(t.Context(), client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	const listFields = "  author\n  created_at\n  id\n  title\n  updated_at\n  version\n"

	t.Run("an unknown field creates nothing, opens no editor, and lists the fields", func(t *testing.T) {
		h := newHarness(t, true, "") // on a terminal, with no body: create would open the editor
		h.loginAs(t, "carol")
		before := countDocs(t, h)
		args := []string{"create", "--title", "x", "--json", "nope"}
		wantExit(t, h, h.run(t, args...), exitUsage, args...)
		if n := countDocs(t, h); n != before {
			t.Errorf("docs %s: the server has %d documents, %d before; want none created", strings.Join(args, " "), n, before)
		}
		if want := "Error: unknown --json field \"nope\"; available fields:\n  author\n  body\n"; !strings.HasPrefix(h.err.String(), want) {
			t.Errorf("stderr = %q; want it to begin %q", h.err, want)
		}
		if h.out.Len() != 0 {
			t.Errorf("stdout = %q; want nothing", h.out)
		}
	})
	for _, args := range [][]string{{"list", "--json"}, {"list", "--json", ""}, {"list", "--json", " "}} {
		t.Run("docs "+strings.Join(args, " ")+" lists the fields", func(t *testing.T) {
			h := newHarness(t, false, "")
			wantExit(t, h, h.run(t, args...), exitUsage, args...)
			if want := "Error: Specify one or more comma-separated fields for --json:\n" + listFields; !strings.HasPrefix(h.err.String(), want) {
				t.Errorf("stderr = %q; want it to begin %q", h.err, want)
			}
		})
	}
	t.Run("a field of another command's output is unknown", func(t *testing.T) {
		h := newHarness(t, false, "")
		args := []string{"list", "--json", "id,body"}
		wantExit(t, h, h.run(t, args...), exitUsage, args...)
		if !strings.Contains(h.err.String(), `unknown --json field "body"`) {
			t.Errorf("stderr = %q; want body named", h.err)
		}
	})
	t.Run("a command without JSON output has no --json", func(t *testing.T) {
		h := newHarness(t, false, "")
		args := []string{"rm", "1", "--yes", "--json", "id"}
		wantExit(t, h, h.run(t, args...), exitUsage, args...)
	})
	t.Run("--jq on a command that prints no JSON is refused before it runs", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		before := countDocs(t, h)
		args := []string{"rm", "1", "--yes", "--jq", "."}
		wantExit(t, h, h.run(t, args...), exitUsage, args...)
		if n := countDocs(t, h); n != before {
			t.Errorf("docs %s: the server has %d documents, %d before; want none removed", strings.Join(args, " "), n, before)
		}
		if want := "--jq: docs rm prints no JSON to filter"; !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
		args = []string{"api", "me", "--jq", ".username"}
		wantExit(t, h, h.run(t, args...), exitOK, args...)
		if h.out.String() != "alice\n" {
			t.Errorf("docs %s printed %q; want alice: docs api prints JSON", strings.Join(args, " "), h.out)
		}
	})
	t.Run("a field this output leaves out is null", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol") // a session: status has no token member
		args := []string{"status", "--json", "token"}
		wantExit(t, h, h.run(t, args...), exitOK, args...)
		if h.out.String() != "{\n  \"token\": null\n}\n" {
			t.Errorf("stdout = %q; want token null", h.out)
		}
	})
}
