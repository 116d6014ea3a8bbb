package docsdcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/storage"
)

// TestStartupLineSaysWhatIsInForce: the start-up line names the config
// file read (or none), the database, the address and the skip list, so an
// operator can tell from the log alone what a running docsd is doing.
func TestStartupLineSaysWhatIsInForce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	config := filepath.Join(dir, "docsd.yaml")
	if err := os.WriteFile(config, []byte("auth:\n  public_routes: [health, login]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		config string
		want   string
	}{
		{"no config file", "",
			"config=none database=" + db + " public_routes=" + strings.Join(api.DefaultSkipList(), ",")},
		{"a config file", config,
			"config=" + config + " database=" + db + " public_routes=health,login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			o := serveWithOptions{log: &log}
			if tc.config != "" {
				o.args = []string{"--config", tc.config}
			}
			base, stop := serveWith(t, map[string]string{"DOCSD_DATABASE": db}, o)
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			want := `msg="docsd listening" url=` + base + " " + tc.want
			if !strings.Contains(log.String(), want) {
				t.Errorf("start-up log:\n%s\nwant a line with %s", log.String(), want)
			}
		})
	}
}

func TestStartupDatabaseHasNoPassword(t *testing.T) {
	for in, want := range map[string]string{
		"docs.db":                         "docs.db",
		"/var/lib/docsd/docs.db":          "/var/lib/docsd/docs.db",
		"postgres://docs:s3cret@db/docs":  "postgres://docs:xxxxx@db/docs",
		"postgres://docs@db/docs?sslmode": "postgres://docs@db/docs?sslmode",
	} {
		if got := storage.Redact(in); got != want {
			t.Errorf("storage.Redact(%q) = %q; want %q", in, got, want)
		}
	}
}
