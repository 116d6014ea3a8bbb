package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/postgres"
)

// setting is one configuration key with its default. Its environment
// variable is DOCSD_ and the key in upper case with dots as underscores.
type setting struct {
	key string
	def any
}

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
	{"log.format", "text"},
	{"log.level", "info"},
	{"postgres.max_conns", postgres.DefaultMaxConns},
	{"postgres.connect_timeout", postgres.DefaultConnectTimeout},
}

// defaultConfigFile is read when present and --config is not given.
const defaultConfigFile = "configs/docsd.yaml"

func envName(key string) string {
	return "DOCSD_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// loadConfig layers flags over environment over config file over defaults.
// Flags are bound by key: a flag named "addr" sets key "addr".
func loadConfig(flags *pflag.FlagSet, getenv func(string) string) (*viper.Viper, error) {
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
	}
	for _, s := range settings {
		if val := getenv(envName(s.key)); val != "" {
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
		case bool:
			b, err := cast.ToBoolE(raw)
			if err != nil {
				return fmt.Errorf("%s (%s): %q must be true or false", s.key, envName(s.key), fmt.Sprint(raw))
			}
			v.Set(s.key, b)
		}
	}
	return nil
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
