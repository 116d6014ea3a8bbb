package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

// rawUnsafe lists what must never reach a terminal as it came: an escape
// sequence's introducer, a C1 control sequence introducer, bidirectional
// overrides and isolates, line and paragraph separators.
var rawUnsafe = []string{"\x1b", "\u009b", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029"}

func wantNoRaw(t *testing.T, what, out string) {
	t.Helper()
	var found []string
	for _, c := range rawUnsafe {
		if strings.Contains(out, c) {
			found = append(found, c)
		}
	}
	if len(found) > 0 {
		t.Errorf("%s: got %+q raw in\n%q\nwant each escaped", what, found, out)
	}
}

// TestServerTextOnATerminal: titles and bodies are written by other
// people, so on a terminal nothing in them may move the cursor, reorder
// what follows or break a line; each such character is shown escaped.
// Piped, a body stays byte for byte.
func TestServerTextOnATerminal(t *testing.T) {
	const (
		title = "invoice\u202efdp.exe\u2028next \u2066iso\u2069 \u202aemb \u009b31m"
		body  = "first\u2029line \x1b[2Jcleared \u202eright-to-left\r\ncrlf\ttab\n"
	)
	h := newHarness(t, true, "")
	id := h.srv.CreateDocument(t, "bob", title, body)

	t.Run("list shows a title's controls escaped", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list", "--all"), exitOK, "list --all")
		wantNoRaw(t, "docs list on a terminal", h.out.String())
		if want := `invoice\u202efdp.exe\u2028next \u2066iso\u2069 \u202aemb \u009b31m`; !strings.Contains(h.out.String(), want) {
			t.Errorf("docs list on a terminal: got\n%s\nwant a row with %s", h.out, want)
		}
	})

	h.loginAs(t, "carol")
	t.Run("get shows a title's and a body's controls escaped", func(t *testing.T) {
		wantExit(t, h, h.run(t, "get", fmt.Sprint(id)), exitOK, "get")
		out := h.out.String()
		wantNoRaw(t, "docs get on a terminal", out)
		for _, want := range []string{
			`title:    invoice\u202efdp.exe\u2028next`,
			"--\nfirst\\u2029line \\x1b[2Jcleared \\u202eright-to-left\r\ncrlf\ttab\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("docs get on a terminal: got\n%q\nwant it to hold %q", out, want)
			}
		}
	})

	t.Run("-o json escapes them as JSON does, and decodes to the text as stored", func(t *testing.T) {
		for _, args := range [][]string{{"get", fmt.Sprint(id), "-o", "json"}, {"list", "--all", "-o", "json"}} {
			wantExit(t, h, h.run(t, args...), exitOK, strings.Join(args, " "))
			wantNoRaw(t, "docs "+strings.Join(args, " ")+" on a terminal", h.out.String())
			if !strings.Contains(h.out.String(), `invoice\u202efdp.exe\u2028next`) {
				t.Errorf("docs %s: got\n%s\nwant the title's override as \\u202e", strings.Join(args, " "), h.out)
			}
		}
		wantExit(t, h, h.run(t, "get", fmt.Sprint(id), "-o", "json"), exitOK, "get -o json")
		var d client.Document
		if err := json.Unmarshal(h.out.Bytes(), &d); err != nil || d.Title != title || d.Body != body {
			t.Errorf("docs get -o json decodes to title %+q, body %+q (%v); want %+q, %+q", d.Title, d.Body, err, title, body)
		}
	})

	t.Run("get to a pipe prints the body byte for byte", func(t *testing.T) {
		p := newHarnessWith(t, h.srv, false, "")
		p.loginAs(t, "carol")
		wantExit(t, p, p.run(t, "get", fmt.Sprint(id)), exitOK, "get (piped)")
		if !strings.HasSuffix(p.out.String(), "\n--\n"+body) {
			t.Errorf("docs get to a pipe: got\n%q\nwant it to end with the body as stored, %q", p.out, body)
		}
	})
}
