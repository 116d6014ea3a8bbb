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
