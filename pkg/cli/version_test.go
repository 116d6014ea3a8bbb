package cli

import (
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/version"
)

func TestVersion(t *testing.T) {
	t.Run("docs and the server's docsd", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "version"), exitOK, "version")
		lines := strings.Split(h.out.String(), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "docs version test (go") || lines[1] != "docsd version "+version.String()+" at "+h.server() {
			t.Errorf("stdout = %q; want docs's line, then docsd's version at the server", h.out)
		}
	})
	t.Run("an unreachable server leaves docs's line alone", func(t *testing.T) {
		h := unreachable(t, false, "")
		wantExit(t, h, h.run(t, "version"), exitOK, "version")
		if n := strings.Count(h.out.String(), "\n"); n != 1 || h.err.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want one line and no error", h.out, h.err)
		}
	})
}

func TestCompleteIDs(t *testing.T) {
	t.Run("IDs with their titles, for get, rm and edit", func(t *testing.T) {
		for _, cmd := range []string{"get", "rm", "edit"} {
			h := newHarness(t, false, "")
			wantExit(t, h, h.run(t, "__complete", cmd, ""), exitOK, "__complete", cmd)
			if !strings.HasPrefix(h.out.String(), "1\tWelcome to docsd\n2\tAdmin handbook\n") {
				t.Errorf("__complete %s = %q; want IDs with titles", cmd, h.out)
			}
		}
	})
	t.Run("the typed prefix and IDs already given narrow it", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "__complete", "get", "1", ""), exitOK, "__complete get 1")
		if strings.HasPrefix(h.out.String(), "1\t") {
			t.Errorf("__complete get 1 '' = %q; want 1 left out", h.out)
		}
	})
	t.Run("an unreachable server gives nothing, silently", func(t *testing.T) {
		h := unreachable(t, false, "")
		wantExit(t, h, h.run(t, "__complete", "get", ""), exitOK, "__complete get")
		if h.out.String() != ":4\n" {
			t.Errorf("__complete get = %q; want only the no-file directive", h.out)
		}
	})
}
