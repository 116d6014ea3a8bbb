package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/suggest"
)

// setting is one configuration key with its default. Its environment
// variable is DOCSD_ and the key in upper case with dots as underscores.
type setting struct {
	key string
	def any
}

// bytesOrOff is the type of a size where 0 turns off what it sizes; other
// numbers (int) must be positive.
type bytesOrOff int64

// settings are every key docsd reads; configs/docsd.yaml documents each.
// Defaults the API also applies on its own (the skip list, the throttle,
// the body cap) come from pkg/api, so each is written once.
var settings = []setting{
	{"addr", "127.0.0.1:5555"},
	{"database", "docs.db"},
	{"auth.public_routes", strings.Join(api.DefaultPublicRoutes, ",")},
	{"auth.allow_registration", true},
	{"auth.bcrypt_cost", 10},
	{"auth.throttle.max_failures", api.DefaultThrottle.MaxFailures},
	{"auth.throttle.max_failures_per_address", api.DefaultThrottle.MaxFailuresPerAddress},
	{"auth.throttle.window", api.DefaultThrottle.Window},
	{"session.secrets", ""},
	{"session.idle_timeout", 24 * time.Hour},
	{"session.absolute_timeout", 7 * 24 * time.Hour},
	{"session.secure_cookie", false},
	{"server.max_body_bytes", api.DefaultMaxBodyBytes},
	{"server.trusted_proxies", ""},
	{"server.trusted_origins", ""},
	{"server.read_header_timeout", 10 * time.Second},
	{"server.read_timeout", 60 * time.Second},
	{"server.write_timeout", 60 * time.Second},
	{"server.idle_timeout", 120 * time.Second},
	{"server.shutdown_timeout", 15 * time.Second},
	{"server.metrics_addr", ""},
	{"server.tls_cert_file", ""},
	{"server.tls_key_file", ""},
	{"log.format", "text"},
	{"log.level", "info"},
	{"postgres.max_conns", postgres.DefaultMaxConns},
	{"postgres.connect_timeout", postgres.DefaultConnectTimeout},
	{"postgres.query_timeout", postgres.DefaultQueryTimeout},
	{"cache.documents_bytes", bytesOrOff(api.DefaultDocumentCacheBytes)},
}

// defaultConfigFile is read when present and --config is not given.
const defaultConfigFile = "configs/docsd.yaml"

func envName(key string) string {
	return "DOCSD_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// loadConfig layers flags over environment over config file over defaults.
// Flags are bound by key: a flag named "addr" sets key "addr". environ is
// the process environment as os.Environ gives it.
func loadConfig(flags *pflag.FlagSet, environ []string) (*viper.Viper, error) {
	v := viper.New()
	for _, s := range settings {
		v.SetDefault(s.key, s.def)
	}
	path, _ := flags.GetString("config")
	explicit := flags.Changed("config")
	if !explicit {
		path = defaultConfigFile
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if explicit || !errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	} else if err := checkKeys(path); err != nil {
		return nil, err
	}
	vars, err := docsdVars(environ)
	if err != nil {
		return nil, err
	}
	// A variable set to the empty string is a value, not unset: an empty
	// skip list is an empty list, and an empty duration is refused.
	for _, s := range settings {
		if val, ok := vars[envName(s.key)]; ok {
			v.Set(s.key, val)
		}
	}
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed && isKey(f.Name) {
			v.Set(f.Name, f.Value.String())
		}
	})
	if err := validate(v); err != nil {
		return nil, err
	}
	public := list(v, "auth.public_routes")
	if err := api.CheckPublicRoutes(public); err != nil {
		return nil, err
	}
	if !slices.Contains(public, "login") {
		return nil, usageErrorf("auth.public_routes (%s) is [%s], without login: nobody could ever log in. Add login to it",
			envName("auth.public_routes"), strings.Join(public, ", "))
	}
	return v, nil
}

// validate parses every setting by the type of its default and stores the
// typed value. viper's getters turn a value they cannot parse into zero
// without a word, and a zero timeout or throttle window silently switches
// a protection off, so a bad value stops docsd instead.
func validate(v *viper.Viper) error {
	for _, s := range settings {
		raw := v.Get(s.key)
		switch s.def.(type) {
		case time.Duration:
			d, ok := raw.(time.Duration)
			if !ok {
				var err error
				if d, err = time.ParseDuration(fmt.Sprint(raw)); err != nil {
					return fmt.Errorf("%s (%s): %q is not a duration such as 90s, 15m or 24h", s.key, envName(s.key), fmt.Sprint(raw))
				}
			}
			if d <= 0 {
				return fmt.Errorf("%s (%s): %s must be positive", s.key, envName(s.key), d)
			}
			v.Set(s.key, d)
		case int:
			n, err := cast.ToIntE(raw)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s (%s): %q must be a positive whole number", s.key, envName(s.key), fmt.Sprint(raw))
			}
			v.Set(s.key, n)
		case bytesOrOff:
			n, err := cast.ToInt64E(raw)
			if err != nil || n < 0 {
				return fmt.Errorf("%s (%s): %q must be a number of bytes, or 0 to turn it off", s.key, envName(s.key), fmt.Sprint(raw))
			}
			v.Set(s.key, n)
		case bool:
			b, err := cast.ToBoolE(raw)
			if err != nil {
				return fmt.Errorf("%s (%s): %q must be true or false", s.key, envName(s.key), fmt.Sprint(raw))
			}
			v.Set(s.key, b)
		}
	}
	// Refused here, with its key, rather than when serve builds the store.
	if err := session.CheckIdleTimeout(v.GetDuration("session.idle_timeout")); err != nil {
		return fmt.Errorf("session.idle_timeout (%s): %w", envName("session.idle_timeout"), err)
	}
	for _, key := range []string{"addr", "database"} {
		if strings.TrimSpace(v.GetString(key)) == "" {
			return fmt.Errorf("%s (%s) is empty; unset it to use the default, or give a value", key, envName(key))
		}
	}
	// A lower cap would refuse with 413 documents within the limits the
	// README promises, sent in a legal encoding.
	if n := v.GetInt64("server.max_body_bytes"); n < api.DefaultMaxBodyBytes {
		return fmt.Errorf("server.max_body_bytes (%s): %d is below %d, the longest JSON encoding of a document within the limits "+
			"(a 1 MiB body and a 200-character title, every character escaped); unset it, or give at least %d",
			envName("server.max_body_bytes"), n, api.DefaultMaxBodyBytes, api.DefaultMaxBodyBytes)
	}
	var level slog.Level
	if raw := v.GetString("log.level"); level.UnmarshalText([]byte(raw)) != nil {
		return fmt.Errorf("log.level (%s): %q is not a level; use debug, info, warn or error", envName("log.level"), raw)
	}
	if raw := v.GetString("log.format"); raw != "text" && raw != "json" {
		return fmt.Errorf("log.format (%s): %q is not a format; use text or json", envName("log.format"), raw)
	}
	return nil
}

// testVarPrefix marks the variables that tell the test suites which
// services to use; they are no docsd setting, and the suites' docsd
// processes inherit them.
const testVarPrefix = "DOCSD_TEST_"

// docsdVars are the DOCSD_ variables of environ by name. A DOCSD_
// variable that is no setting is refused, as an unknown key in the file
// is: a misspelt name would leave the default in force without a word.
func docsdVars(environ []string) (map[string]string, error) {
	known := map[string]bool{}
	for _, s := range settings {
		known[envName(s.key)] = true
	}
	vars := map[string]string{}
	var unknown []string
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "DOCSD_") || strings.HasPrefix(name, testVarPrefix) {
			continue
		}
		if !known[name] {
			guess := strings.ToLower(strings.TrimPrefix(name, "DOCSD_"))
			unknown = append(unknown, fmt.Sprintf("  %s: did you mean %s?", name, envName(nearestKey(guess))))
			continue
		}
		vars[name] = val
	}
	if len(unknown) == 0 {
		return vars, nil
	}
	slices.Sort(unknown)
	return nil, usageErrorf("the environment has DOCSD_ variables docsd does not know (nothing was started; fix or unset them):\n%s",
		strings.Join(unknown, "\n"))
}

func isKey(name string) bool {
	for _, s := range settings {
		if s.key == name {
			return true
		}
	}
	return false
}

// list reads a key that may be a YAML list or a comma-separated string (as
// it is from the environment).
func list(v *viper.Viper, key string) []string {
	var raw []string
	switch x := v.Get(key).(type) {
	case string:
		raw = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			raw = append(raw, fmt.Sprint(e))
		}
	case []string:
		raw = x
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// configFileRead is the config file docsd read at start, or "none".
func (e *env) configFileRead() string {
	f := e.cfg.ConfigFileUsed()
	if _, err := os.Stat(f); err != nil {
		return "none"
	}
	return f
}

// checkKeys refuses a config file with a key docsd does not read: a
// misspelt key would otherwise leave its default in force without a word
// (a skip list meant to close routes, a throttle meant to be tighter).
// Every unknown key is named with the nearest known one.
func checkKeys(path string) error {
	fv := viper.New()
	fv.SetConfigFile(path)
	fv.SetConfigType("yaml")
	if err := fv.ReadInConfig(); err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	var unknown []string
	for _, k := range fv.AllKeys() {
		if isKey(k) || isSection(k) {
			continue
		}
		unknown = append(unknown, fmt.Sprintf("  %s: did you mean %s?", k, nearestKey(k)))
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return usageErrorf("config file %s has keys docsd does not know (nothing was started; fix or remove them):\n%s",
		path, strings.Join(unknown, "\n"))
}

// isSection reports whether k is a section holding settings, such as
// "auth", which a file may leave empty.
func isSection(k string) bool {
	for _, s := range settings {
		if strings.HasPrefix(s.key, k+".") {
			return true
		}
	}
	return false
}

// nearestKey is the setting closest to k: by the whole key, or by its last
// part, so "max_failure" at the top level finds auth.throttle.max_failures.
func nearestKey(k string) string {
	best, bestScore := "", -1
	for _, s := range settings {
		score := min(suggest.Distance(k, s.key), suggest.Distance(lastPart(k), lastPart(s.key))+1)
		if bestScore < 0 || score < bestScore {
			best, bestScore = s.key, score
		}
	}
	return best
}

func lastPart(k string) string { return k[strings.LastIndex(k, ".")+1:] }
