package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/exitcode"
)

// flagSet is the flags docsd serve takes, parsed from args.
func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddConfigFlag(flags)
	AddDatabaseFlag(flags)
	AddAddrFlag(flags)
	if err := flags.Parse(args); err != nil {
		t.Fatal(err)
	}
	return flags
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "docsd.yaml")
	if err := os.WriteFile(file, []byte("addr: 127.0.0.1:1111\ndatabase: from-file.db\nauth:\n  public_routes: [health, login]\nsession:\n  idle_timeout: 1h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := flagSet(t, "--config", file, "--addr", "127.0.0.1:3333")
	c, err := Load(flags, []string{"DOCSD_ADDR=127.0.0.1:2222", "DOCSD_DATABASE=from-env.db"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, got, want string }{
		{"addr: flag beats env and file", c.Addr, "127.0.0.1:3333"},
		{"database: env beats file", c.Database, "from-env.db"},
		{"public_routes: file beats default", strings.Join(c.Auth.PublicRoutes, ","), "health,login"},
		{"idle_timeout: file beats default", c.Session.IdleTimeout.String(), "1h0m0s"},
		{"absolute_timeout: default", c.Session.AbsoluteTimeout.String(), "168h0m0s"},
		{"file: the one read", c.FileRead(), file},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.key, tc.got, tc.want)
		}
	}

	t.Run("a comma-separated env list", func(t *testing.T) {
		c, err := Load(flags, []string{"DOCSD_AUTH_PUBLIC_ROUTES=health, login ,document_list"})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.Auth.PublicRoutes, ","); got != "health,login,document_list" {
			t.Errorf("public_routes = %q; want health,login,document_list", got)
		}
	})

	t.Run("a value that does not parse stops docsd instead of turning a protection off", func(t *testing.T) {
		for _, kv := range []string{
			"DOCSD_AUTH_THROTTLE_WINDOW=soon",
			"DOCSD_SERVER_READ_HEADER_TIMEOUT=abc",
			"DOCSD_SESSION_IDLE_TIMEOUT=24",
			"DOCSD_SESSION_ABSOLUTE_TIMEOUT=-1h",
			"DOCSD_SERVER_MAX_BODY_BYTES=2MB",
			"DOCSD_AUTH_THROTTLE_MAX_FAILURES=0",
			"DOCSD_AUTH_ALLOW_REGISTRATION=maybe",
		} {
			name, _, _ := strings.Cut(kv, "=")
			_, err := Load(flagSet(t), []string{kv})
			if err == nil || exitcode.Of(err) != exitcode.Error || !strings.Contains(err.Error(), name) {
				t.Errorf("Load with %s = %v; want an error (exit 1) naming %s", kv, err, name)
			}
		}
	})

	t.Run("a body cap below the longest encoding of a document stops docsd", func(t *testing.T) {
		_, err := Load(flagSet(t), []string{"DOCSD_SERVER_MAX_BODY_BYTES=2097152"})
		if want := fmt.Sprintf("below %d", api.DefaultMaxBodyBytes); err == nil || !strings.Contains(err.Error(), "DOCSD_SERVER_MAX_BODY_BYTES") || !strings.Contains(err.Error(), want) {
			t.Errorf("Load with DOCSD_SERVER_MAX_BODY_BYTES=2097152 = %v; want an error naming the variable and %q", err, want)
		}
	})

	t.Run("an explicit config file that is missing is an error", func(t *testing.T) {
		_, err := Load(flagSet(t, "--config", filepath.Join(dir, "missing.yaml")), nil)
		if err == nil || exitcode.Of(err) != exitcode.Error || !strings.Contains(err.Error(), "missing.yaml") {
			t.Errorf("Load with a missing --config = %v; want an error (exit 1) naming the file", err)
		}
	})

	t.Run("with no file the defaults are in force and none is read", func(t *testing.T) {
		t.Chdir(t.TempDir())
		c, err := Load(flagSet(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := Defaults(); !reflect.DeepEqual(*c, want) {
			t.Errorf("Load with nothing set = %+v; want the defaults %+v", *c, want)
		}
		if got := c.FileRead(); got != "none" {
			t.Errorf("FileRead() = %q; want none", got)
		}
	})
}

// TestEveryDefaultPassesItsOwnCheck: the table cannot hold a default its
// check refuses (Defaults would panic), nor two rows with one key.
func TestEveryDefaultPassesItsOwnCheck(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range settings() {
		if seen[s.key] {
			t.Errorf("%s is in the table twice", s.key)
		}
		seen[s.key] = true
		var c Config
		if err := s.load(&c, s.key, s.def); err != nil {
			t.Errorf("the default of %s: %v", s.key, err)
		}
	}
}

// TestShippedConfigDocumentsEveryKey keeps configs/docsd.yaml honest: it
// must set every key docsd reads, to its default.
func TestShippedConfigDocumentsEveryKey(t *testing.T) {
	const path = "../../configs/docsd.yaml"
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	for _, s := range settings() {
		if !v.InConfig(s.key) {
			t.Errorf("configs/docsd.yaml lacks %s", s.key)
			continue
		}
		var got, want Config
		if err := s.load(&got, s.key, v.Get(s.key)); err != nil {
			t.Errorf("configs/docsd.yaml: %v", err)
			continue
		}
		if err := s.load(&want, s.key, s.def); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("configs/docsd.yaml sets %s to %v; the default is %s", s.key, v.Get(s.key), s.defaultText())
		}
	}
	if _, err := Load(flagSet(t, "--config", path), nil); err != nil {
		t.Errorf("Load(--config %s) = %v; want it accepted", path, err)
	}
}

// TestConfigurationPageShowsTheDefaults keeps the configuration table of
// docs/configuration.md equal to the defaults docsd
// applies, as TestShippedConfigDocumentsEveryKey does for
// configs/docsd.yaml.
func TestConfigurationPageShowsTheDefaults(t *testing.T) {
	page, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{}
	for line := range strings.Lines(string(page)) {
		cells := strings.Split(line, " | ")
		if len(cells) < 4 || !strings.HasPrefix(cells[0], "| `") {
			continue
		}
		shown[strings.Trim(cells[0], "| `")] = strings.Trim(cells[2], "`")
	}
	for _, s := range settings() {
		got, ok := shown[s.key]
		if !ok {
			t.Errorf("docs/configuration.md's table lacks %s", s.key)
			continue
		}
		want := s.defaultText()
		if want == "" {
			continue // shown in words: "none", "generated"
		}
		if d, ok := s.def.(time.Duration); ok {
			if g, err := time.ParseDuration(got); err == nil && g == d {
				got = want
			}
		}
		if got != want {
			t.Errorf("docs/configuration.md shows %s defaulting to %s; the default is %s", s.key, got, want)
		}
	}
}
