package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

// withSearchable is a harness over a server holding, beside the seed, a
// document whose title has user_id and one whose body has it.
func withSearchable(t *testing.T, tty bool) *harness {
	t.Helper()
	srv := apitest.NewServer(t)
	srv.CreateDocument(t, "bob", "Configuration", "Set user_id in configs/docsd.yaml, then restart.")
	srv.CreateDocument(t, "carol", "The user_id column", "Why it is a number.")
	return newHarnessWith(t, srv, tty, "")
}

func TestSearch(t *testing.T) {
	t.Run("on a terminal the table highlights matches", func(t *testing.T) {
		h := withSearchable(t, true)
		wantExit(t, h, h.run(t, "search", "user_id"), exitOK, "search", "user_id")
		lines := strings.Split(strings.TrimSuffix(h.out.String(), "\n"), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "SNIPPET") {
			t.Fatalf("search user_id printed %q; want a header and two rows", h.out)
		}
		if !strings.Contains(lines[1], "The user_id column") {
			t.Errorf("first row %q; want the title match first", lines[1])
		}
		if want := "Set " + highlightOn + "user_id" + highlightOff + " in configs/docsd.yaml, then restart."; !strings.HasSuffix(lines[2], want) {
			t.Errorf("second row %q; want it to end with %q", lines[2], want)
		}
	})

	t.Run("NO_COLOR, or a pipe, prints it plain", func(t *testing.T) {
		for _, tty := range []bool{true, false} {
			h := withSearchable(t, tty)
			if tty {
				h.env["NO_COLOR"] = "1"
			}
			wantExit(t, h, h.run(t, "search", "user_id"), exitOK, "search", "user_id")
			if strings.Contains(h.out.String(), "\x1b") || !strings.Contains(h.out.String(), "Set user_id in configs/docsd.yaml") {
				t.Errorf("search user_id (terminal %v) printed %q; want the snippet plain", tty, h.out)
			}
		}
	})

	t.Run("several arguments are one query, and -o json is the results with their snippets", func(t *testing.T) {
		h := withSearchable(t, false)
		wantExit(t, h, h.run(t, "search", "configs/docsd.yaml", "restart", "-o", "json"), exitOK, "search")
		var found []client.Found
		if err := json.Unmarshal(h.out.Bytes(), &found); err != nil || len(found) != 1 {
			t.Fatalf("search -o json printed %q (%v); want one result", h.out, err)
		}
		if f := found[0]; f.Title != "Configuration" || len(f.Snippet) == 0 {
			t.Errorf("search -o json = %+v; want Configuration with its snippet", f)
		}
	})

	t.Run("-L and --author narrow it, and a terminal hears there are more", func(t *testing.T) {
		h := withSearchable(t, true)
		wantExit(t, h, h.run(t, "search", "user_id", "-L", "1"), exitOK, "search", "-L", "1")
		if rows(h.out.String()) != 1 || !strings.Contains(h.err.String(), "Showing the first 1") {
			t.Errorf("search -L 1 printed %q, stderr %q; want one row and a note", h.out, h.err)
		}
		wantExit(t, h, h.run(t, "search", "user_id", "--author", "bob"), exitOK, "search", "--author", "bob")
		if rows(h.out.String()) != 1 || !strings.Contains(h.out.String(), "Configuration") {
			t.Errorf("search --author bob printed %q; want bob's document only", h.out)
		}
	})

	t.Run("no match exits 0 and says so on stderr", func(t *testing.T) {
		h := withSearchable(t, false)
		wantExit(t, h, h.run(t, "search", "zebra"), exitOK, "search", "zebra")
		if h.out.Len() != 0 || h.err.String() != "no documents match zebra\n" {
			t.Errorf("search zebra printed %q, stderr %q; want nothing and a note", h.out, h.err)
		}
	})

	t.Run("a query the server cannot read is an error naming the problem", func(t *testing.T) {
		h := withSearchable(t, false)
		wantExit(t, h, h.run(t, "search", `"open`), exitError, "search", `"open`)
		if !strings.Contains(h.err.String(), "not closed") {
			t.Errorf("search '\"open' stderr %q; want the server's reason", h.err)
		}
	})

	for _, args := range [][]string{{}, {"a", "-L", "0"}} {
		t.Run("search "+strings.Join(args, " ")+" is a usage error", func(t *testing.T) {
			h := newHarnessAt(t, "http://127.0.0.1:1", false, "")
			wantExit(t, h, h.run(t, append([]string{"search"}, args...)...), exitUsage, args...)
		})
	}
}
