package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
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

func TestVersionJSONAndBadConfig(t *testing.T) {
	t.Run("-o json prints docs's and the server's versions as one object", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "version", "-o", "json"), exitOK, "version -o json")
		var got versionInfo
		if err := json.Unmarshal(h.out.Bytes(), &got); err != nil {
			t.Fatalf("stdout %q is not JSON: %v", h.out, err)
		}
		if got.Version != "test" || got.OS != runtime.GOOS || got.Server == nil || got.Server.Version != version.String() || got.Server.URL != h.server() {
			t.Errorf("version -o json = %+v; want docs test and the server's docsd", got)
		}
	})
	t.Run("a typo in config.yaml exits 2, after docs's own version", func(t *testing.T) {
		h := newHarness(t, false, "")
		if err := os.WriteFile(filepath.Join(h.env["DOCS_CONFIG_DIR"], "config.yaml"), []byte("outptu: json\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantExit(t, h, h.run(t, "version"), exitUsage, "version")
		if !strings.HasPrefix(h.out.String(), "docs version test") || !strings.Contains(h.err.String(), `unknown key "outptu"`) {
			t.Errorf("stdout %q, stderr %q; want docs's version, then the unknown key", h.out, h.err)
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
