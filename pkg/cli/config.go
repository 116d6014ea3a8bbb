package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/suggest"
)

// defaultServer is where docsd listens unless told otherwise.
const defaultServer = "http://127.0.0.1:5555"

// settings are the resolved global settings: for each, a flag wins over
// its DOCS_* environment variable, which wins over config.yaml, which wins
// over the default.
type settings struct {
	Server         string        // normalised scheme://host:port
	Output         string        // "table" or "json", which commands print (and -o yaml converts)
	Format         string        // "table", "json" or "yaml": what the user reads
	Editor         string        // DOCS_EDITOR, config editor, $VISUAL, $EDITOR; "" for none set
	KeyringTimeout time.Duration // bound on every keyring call
	ConfigDir      string        // where config.yaml and sessions.json live
	EnvToken       string        // DOCS_TOKEN, which wins over DOCS_SESSION and anything stored
	EnvSession     string        // DOCS_SESSION, which wins over anything stored
	CI             bool          // the CI variable is set
}

// envCredential names the variable whose credential wins over anything
// stored: DOCS_TOKEN, else DOCS_SESSION, else "" when neither is set.
func (s *settings) envCredential() string {
	switch {
	case s.EnvToken != "":
		return "DOCS_TOKEN"
	case s.EnvSession != "":
		return "DOCS_SESSION"
	}
	return ""
}

// globalFlags are the persistent flags of the root command.
type globalFlags struct {
	server string
	output string
	jq     string
	json   string // --json fields
	set    *pflag.FlagSet
}

// configDir returns DOCS_CONFIG_DIR, else $XDG_CONFIG_HOME/docs, else
// ~/.config/docs (on macOS too, as gh does).
func configDir(getenv func(string) string) (string, error) {
	if d := getenv("DOCS_CONFIG_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "docs"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "docs"), nil
	}
	return "", errors.New("cannot find a config directory: set DOCS_CONFIG_DIR, XDG_CONFIG_HOME or HOME")
}

// loadSettings resolves the global settings from flags, environment and
// config.yaml. inTTY lengthens the default keyring timeout, since a person
// may have to answer an unlock prompt.
func loadSettings(g *globalFlags, getenv func(string) string, inTTY bool) (*settings, error) {
	dir, err := configDir(getenv)
	if err != nil {
		return nil, err
	}
	v := viper.New()
	v.SetConfigFile(filepath.Join(dir, "config.yaml"))
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read config %s: %w", filepath.Join(dir, "config.yaml"), err)
	}
	if err := checkKeys(v, filepath.Join(dir, "config.yaml")); err != nil {
		return nil, err
	}
	pick := func(flag, flagVal, env, key, def string) string {
		if g != nil && g.set != nil && g.set.Changed(flag) {
			return flagVal
		}
		if e := getenv(env); e != "" {
			return e
		}
		if c := v.GetString(key); c != "" {
			return c
		}
		return def
	}
	s := &settings{ConfigDir: dir, EnvToken: getenv("DOCS_TOKEN"), EnvSession: getenv("DOCS_SESSION"), CI: getenv("CI") != ""}
	var serverFlag, outputFlag string
	if g != nil {
		serverFlag, outputFlag = g.server, g.output
	}

	s.Format = pick("output", outputFlag, "DOCS_OUTPUT", "output", "table")
	if s.Format != "table" && s.Format != "json" && s.Format != "yaml" {
		return nil, exitcode.Usagef("invalid output format %q: use table, json or yaml", s.Format)
	}
	if g != nil && (g.jq != "" || g.json != "") {
		// --jq and --json are about JSON: they imply it, over DOCS_OUTPUT
		// and the config, but an -o that says otherwise is a contradiction.
		explicit := g.set != nil && g.set.Changed("output")
		switch {
		case explicit && s.Format == "table":
			return nil, exitcode.Usagef("--jq and --json print JSON: drop -o table")
		case explicit && s.Format == "yaml" && g.jq != "":
			return nil, exitcode.Usagef("--jq prints JSON, not YAML: drop -o yaml")
		case s.Format == "table", g.jq != "":
			s.Format = "json"
		}
	}
	s.Output = s.Format
	if s.Format == "yaml" {
		s.Output = "json"
	}
	raw := pick("server", serverFlag, "DOCS_SERVER", "server", defaultServer)
	if s.Server, err = client.NormalizeServerURL(raw); err != nil {
		return nil, exitcode.Usagef("%v (set with --server, DOCS_SERVER or server: in config.yaml)", err)
	}

	s.Editor = pick("", "", "DOCS_EDITOR", "editor", "")
	if s.Editor == "" {
		s.Editor = getenv("VISUAL")
	}
	if s.Editor == "" {
		s.Editor = getenv("EDITOR")
	}

	def := "3s"
	if inTTY {
		def = "30s"
	}
	if s.KeyringTimeout, err = parseTimeout(pick("", "", "DOCS_KEYRING_TIMEOUT", "keyring_timeout", def)); err != nil {
		return nil, err
	}
	return s, nil
}

// configKeys are the keys config.yaml may hold; configs/docs.yaml
// documents each.
var configKeys = []string{"server", "output", "editor", "keyring_timeout"}

// checkKeys refuses keys of config.yaml that no setting reads, since a
// misspelt key would otherwise leave its default silently in force.
func checkKeys(v *viper.Viper, file string) error {
	var unknown []string
	for _, k := range v.AllKeys() {
		if !slices.Contains(configKeys, k) {
			unknown = append(unknown, fmt.Sprintf("unknown key %q in %s (nearest known key: %s)", k, file, suggest.Nearest(k, configKeys)))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return exitcode.Usagef("%s", strings.Join(unknown, "\n"))
}

// parseTimeout accepts a Go duration ("5s", "1m") or whole seconds ("5").
func parseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, exitcode.Usagef("invalid keyring timeout %q: use a duration such as 5s (DOCS_KEYRING_TIMEOUT or keyring_timeout in config.yaml)", s)
	}
	return d, nil
}
