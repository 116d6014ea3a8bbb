package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestConfigDir(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"DOCS_CONFIG_DIR wins", map[string]string{"DOCS_CONFIG_DIR": "/d", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/d"},
		{"then XDG_CONFIG_HOME/docs", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/docs"},
		{"then ~/.config/docs", map[string]string{"HOME": "/h"}, "/h/.config/docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := configDir(func(k string) string { return tt.env[k] })
			if err != nil || got != tt.want {
				t.Errorf("configDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
			}
		})
	}
}

func TestLoadSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := "server: http://from-config:1\noutput: json\nkeyring_timeout: 7s\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := func(args ...string) *globalFlags {
		g := &globalFlags{}
		fs := pflag.NewFlagSet("docs", pflag.ContinueOnError)
		fs.StringVar(&g.server, "server", defaultServer, "")
		fs.StringVarP(&g.output, "output", "o", "table", "")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		g.set = fs
		return g
	}
	tests := []struct {
		name       string
		g          *globalFlags
		env        map[string]string
		tty        bool
		wantServer string
		wantOutput string
		wantTO     time.Duration
	}{
		{"config file over defaults", flags(), nil, false, "http://from-config:1", "json", 7 * time.Second},
		{"env over config", flags(), map[string]string{"DOCS_SERVER": "http://from-env:2/", "DOCS_OUTPUT": "table", "DOCS_KEYRING_TIMEOUT": "2"}, false, "http://from-env:2", "table", 2 * time.Second},
		{"flag over env", flags("--server", "https://flag.example", "-o", "json"), map[string]string{"DOCS_SERVER": "http://from-env:2"}, false, "https://flag.example:443", "json", 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DOCS_CONFIG_DIR": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			s, err := loadSettings(tt.g, func(k string) string { return env[k] }, tt.tty)
			if err != nil {
				t.Fatalf("loadSettings = %v", err)
			}
			if s.Server != tt.wantServer || s.Output != tt.wantOutput || s.KeyringTimeout != tt.wantTO {
				t.Errorf("loadSettings = server %q, output %q, timeout %v; want %q, %q, %v", s.Server, s.Output, s.KeyringTimeout, tt.wantServer, tt.wantOutput, tt.wantTO)
			}
		})
	}

	t.Run("defaults, with a longer keyring timeout on a terminal", func(t *testing.T) {
		empty := t.TempDir()
		for tty, want := range map[bool]time.Duration{false: 3 * time.Second, true: 30 * time.Second} {
			s, err := loadSettings(flags(), func(k string) string { return map[string]string{"DOCS_CONFIG_DIR": empty}[k] }, tty)
			if err != nil || s.Server != defaultServer || s.Output != "table" || s.KeyringTimeout != want {
				t.Errorf("loadSettings(tty=%v) = %+v, %v; want defaults with timeout %v", tty, s, err, want)
			}
		}
	})

	t.Run("bad values are usage errors", func(t *testing.T) {
		for _, env := range []map[string]string{
			{"DOCS_SERVER": "ftp://127.0.0.1:5555"},
			{"DOCS_OUTPUT": "xml"},
			{"DOCS_KEYRING_TIMEOUT": "soon"},
		} {
			env["DOCS_CONFIG_DIR"] = t.TempDir()
			_, err := loadSettings(flags(), func(k string) string { return env[k] }, false)
			if exitCode(err) != exitUsage {
				t.Errorf("loadSettings(%v) = %v; want a usage error", env, err)
			}
		}
	})
}

func TestExampleConfigLoads(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "docs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	g := &globalFlags{set: pflag.NewFlagSet("docs", pflag.ContinueOnError)}
	s, err := loadSettings(g, func(k string) string { return map[string]string{"DOCS_CONFIG_DIR": dir}[k] }, false)
	if err != nil || s.Server != defaultServer || s.Output != "table" {
		t.Errorf("loadSettings(configs/docs.yaml) = %+v, %v; want the documented defaults", s, err)
	}
}

func TestConfigUnknownKeysRefused(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each line the error must hold
	}{
		{"a misspelt key names its nearest known key", "outptu: json\n",
			[]string{`unknown key "outptu" in %s (nearest known key: output)`}},
		{"every unknown key is named", "server: http://127.0.0.1:1\nsevrer: http://x\nkeyring-timeout: 5s\n",
			[]string{`unknown key "keyring-timeout" in %s (nearest known key: keyring_timeout)`, `unknown key "sevrer" in %s (nearest known key: server)`}},
		{"a key nested under a known one is unknown", "server:\n  url: http://x\n",
			[]string{`unknown key "server.url" in %s (nearest known key: server)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(file, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := loadSettings(nil, func(k string) string { return map[string]string{"DOCS_CONFIG_DIR": dir}[k] }, false)
			if exitCode(err) != exitUsage {
				t.Fatalf("loadSettings(%q) = %+v, %v; want a usage error (exit %d)", tt.yaml, s, err, exitUsage)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, fmt.Sprintf(w, file))
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("loadSettings(%q) error:\n%s\nwant:\n%s", tt.yaml, got, strings.Join(want, "\n"))
			}
		})
	}
}
