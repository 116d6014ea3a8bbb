package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

// beforePatch is a transport that runs fn once, before the first PATCH
// goes out: a change someone else makes between docs' read and its write.
type beforePatch struct {
	next http.RoundTripper
	fn   func()
}

func (b *beforePatch) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch && b.fn != nil {
		fn := b.fn
		b.fn = nil
		fn()
	}
	return b.next.RoundTrip(r)
}

func TestEditFromFlagsSendsIfMatch(t *testing.T) {
	setup := func(t *testing.T) (*harness, int64, *client.Client) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		id := h.srv.CreateDocument(t, "alice", "T", "first")
		return h, id, client.New(h.srv.URL, &client.Options{Session: h.sessionValue(t)})
	}
	body := func(t *testing.T, c *client.Client, id int64) (string, int64) {
		d, err := c.GetDocument(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Body, d.Version
	}

	t.Run("--version of the current version saves", func(t *testing.T) {
		h, id, c := setup(t)
		wantExit(t, h, h.run(t, "edit", itoa(id), "--body", "second", "--version", "1"), exitOK, "edit --version 1")
		if b, v := body(t, c, id); b != "second" || v != 2 {
			t.Errorf("after edit --version 1: body %q, version %d; want %q, 2", b, v, "second")
		}
	})

	t.Run("--version of an older version is a 412: exit 7, nothing changed", func(t *testing.T) {
		h, id, c := setup(t)
		other := "someone else's"
		if _, err := c.UpdateDocument(t.Context(), id, client.DocumentPatch{Body: &other}, client.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "edit", itoa(id), "--body", "mine", "--version", "1"), exitConflict, "edit --version 1")
		if b, v := body(t, c, id); b != other || v != 2 {
			t.Errorf("after a refused edit: body %q, version %d; want %q, 2", b, v, other)
		}
		if want := "is no longer at version 1; nothing was changed"; !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
	})

	t.Run("a change between docs' read and its write is a 412: exit 7, nothing overwritten", func(t *testing.T) {
		h, id, c := setup(t)
		other := "someone else's"
		h.f.HTTPClient = &http.Client{Transport: &beforePatch{next: h.srv.Client().Transport, fn: func() {
			if _, err := c.UpdateDocument(t.Context(), id, client.DocumentPatch{Body: &other}, client.UpdateOptions{}); err != nil {
				t.Error(err)
			}
		}}}
		wantExit(t, h, h.run(t, "edit", itoa(id), "--title", "Mine"), exitConflict, "edit --title")
		if b, v := body(t, c, id); b != other || v != 2 {
			t.Errorf("after a refused edit: body %q, version %d; want %q, 2", b, v, other)
		}
	})

	t.Run("--version 0 is a usage error", func(t *testing.T) {
		h, id, _ := setup(t)
		wantExit(t, h, h.run(t, "edit", itoa(id), "--body", "x", "--version", "0"), exitUsage, "edit --version 0")
	})
}
