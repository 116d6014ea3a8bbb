// Package config is docsd's configuration: one table of settings, each
// with its key, environment variable, default, documentation and check,
// read in layers (flags over DOCSD_* variables over the config file over
// defaults) into a typed Config. It is the only place docsd uses viper; a
// setting is read through a field of Config, never by its key, so a
// mistyped name fails to compile instead of reading zero.
package config

import (
	"errors"
	"fmt"
	"io"
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
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/suggest"
)

// Config is every setting docsd reads, parsed and checked.
type Config struct {
	Addr      string // address `docsd serve` listens on
	Database  string // a SQLite file or a postgres:// URL
	Auth      Auth
	Session   Session
	Server    Server
	Log       Log
	Postgres  postgres.Config
	Cache     Cache
	Tokens    Tokens
	Documents Documents
	// File is the config file read, or "" when there was none.
	File string
}

// Auth is the auth.* settings.
type Auth struct {
	PublicRoutes      []string // the skip list, by route name
	AllowRegistration bool
	BcryptCost        int
	Throttle          api.Throttle
}

// Session is the session.* settings.
type Session struct {
	Secrets         []string // empty: a secret generated once and kept in the database
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	SecureCookie    bool
}

// Server is the server.* settings.
type Server struct {
	MaxBodyBytes      int64
	TrustedProxies    []string
	TrustedOrigins    []string
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	MetricsAddr       string // "": no metrics listener
	TLSCertFile       string
	TLSKeyFile        string
}

// Log is the log.* settings.
type Log struct {
	Format string // text or json
	Level  slog.Level
}

// Logger returns the configured logger writing to w.
func (l Log) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l.Level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Cache is the cache.* settings.
// Tokens is the tokens.* settings.
type Tokens struct {
	AllowNever bool // a token may be created that never expires
}

// Cache is the cache.* settings.
type Cache struct {
	DocumentsBytes int64 // 0 turns the document cache off
}

// Documents is the documents.* settings.
type Documents struct {
	// KeepRevisions is how many revisions of each document are kept, the
	// newest; 0 keeps them all.
	KeepRevisions int
}

// setting is one row of the table: a key, its default, what it is, and
// how its value is checked and stored in a Config.
type setting struct {
	key string
	def any
	// doc says what the setting is; for a flag it is the flag's usage.
	doc string
	// load parses raw (a default, a YAML value or a string from the
	// environment or a flag) and stores it in c. name is "key (VARIABLE)",
	// for the message that refuses it.
	load func(c *Config, name string, raw any) error
}

// field is the row of a setting stored in the field of Config that ptr
// returns, checked by parse. The default's type is the field's, so the
// table cannot hold a default of the wrong type.
func field[T any](key string, def T, doc string, ptr func(*Config) *T, parse func(name string, raw any) (T, error)) setting {
	return setting{key: key, def: def, doc: doc, load: func(c *Config, name string, raw any) error {
		v, err := parse(name, raw)
		if err != nil {
			return err
		}
		*ptr(c) = v
		return nil
	}}
}

// settings are every key docsd reads, each default written here once;
// defaults that the API or a backend also applies on its own (the skip
// list, the throttle, the body cap, the pool, the session timeouts) come
// from their packages. configs/docsd.yaml and the configuration table of
// docs/configuration.md document every key, and tests hold both to this table.
func settings() []setting {
	return []setting{
		field("addr", "127.0.0.1:5555", "address to listen on",
			func(c *Config) *string { return &c.Addr }, nonEmpty),
		field("database", "docs.db", "SQLite database file, or a postgres:// URL",
			func(c *Config) *string { return &c.Database }, nonEmpty),
		field("auth.public_routes", api.DefaultSkipList(), "the skip list, by route name",
			func(c *Config) *[]string { return &c.Auth.PublicRoutes }, list),
		field("auth.allow_registration", true, "whether POST /register creates accounts",
			func(c *Config) *bool { return &c.Auth.AllowRegistration }, boolean),
		field("auth.bcrypt_cost", 10, "bcrypt cost of password hashes",
			func(c *Config) *int { return &c.Auth.BcryptCost }, positive),
		field("auth.throttle.max_failures", api.ThrottleDefaults().MaxFailures, "failed logins for one username within the window before 429",
			func(c *Config) *int { return &c.Auth.Throttle.MaxFailures }, positive),
		field("auth.throttle.max_failures_per_address", api.ThrottleDefaults().MaxFailuresPerAddress, "failed logins from one address within the window before 429",
			func(c *Config) *int { return &c.Auth.Throttle.MaxFailuresPerAddress }, positive),
		field("auth.throttle.window", api.ThrottleDefaults().Window, "how long a failed login counts",
			func(c *Config) *time.Duration { return &c.Auth.Throttle.Window }, duration),
		field("session.secrets", []string(nil), "secrets that sign session cookies, the first signing",
			func(c *Config) *[]string { return &c.Session.Secrets }, list),
		field("session.idle_timeout", session.DefaultIdleTimeout, "how long an unused session lasts",
			func(c *Config) *time.Duration { return &c.Session.IdleTimeout }, idleTimeout),
		field("session.absolute_timeout", session.DefaultAbsoluteTimeout, "how long any session lasts",
			func(c *Config) *time.Duration { return &c.Session.AbsoluteTimeout }, duration),
		field("session.secure_cookie", false, "mark the session cookie Secure",
			func(c *Config) *bool { return &c.Session.SecureCookie }, boolean),
		field("server.max_body_bytes", api.DefaultMaxBodyBytes, "the largest request body",
			func(c *Config) *int64 { return &c.Server.MaxBodyBytes }, maxBodyBytes),
		field("server.trusted_proxies", []string(nil), "proxies whose X-Forwarded-For is believed",
			func(c *Config) *[]string { return &c.Server.TrustedProxies }, list),
		field("server.trusted_origins", []string(nil), "origins besides the server's own allowed to send writes",
			func(c *Config) *[]string { return &c.Server.TrustedOrigins }, list),
		field("server.read_header_timeout", 10*time.Second, "how long a client may take to send the headers",
			func(c *Config) *time.Duration { return &c.Server.ReadHeaderTimeout }, duration),
		field("server.read_timeout", 60*time.Second, "how long a client may take to send a request",
			func(c *Config) *time.Duration { return &c.Server.ReadTimeout }, duration),
		field("server.write_timeout", 60*time.Second, "how long writing a response may take",
			func(c *Config) *time.Duration { return &c.Server.WriteTimeout }, duration),
		field("server.idle_timeout", 120*time.Second, "how long an idle keep-alive connection stays open",
			func(c *Config) *time.Duration { return &c.Server.IdleTimeout }, duration),
		field("server.shutdown_timeout", 15*time.Second, "how long a shutdown waits for requests in flight",
			func(c *Config) *time.Duration { return &c.Server.ShutdownTimeout }, duration),
		field("server.metrics_addr", "", "address of the Prometheus metrics listener; empty for none",
			func(c *Config) *string { return &c.Server.MetricsAddr }, text),
		field("server.tls_cert_file", "", "certificate for HTTPS, with server.tls_key_file",
			func(c *Config) *string { return &c.Server.TLSCertFile }, text),
		field("server.tls_key_file", "", "private key for HTTPS, with server.tls_cert_file",
			func(c *Config) *string { return &c.Server.TLSKeyFile }, text),
		field("log.format", "text", "text or json",
			func(c *Config) *string { return &c.Log.Format }, logFormat),
		field("log.level", slog.LevelInfo, "debug, info, warn or error",
			func(c *Config) *slog.Level { return &c.Log.Level }, logLevel),
		field("postgres.max_conns", postgres.DefaultMaxConns, "the most connections in the pool",
			func(c *Config) *int { return &c.Postgres.MaxConns }, positive),
		field("postgres.connect_timeout", postgres.DefaultConnectTimeout, "how long to keep trying to reach the database",
			func(c *Config) *time.Duration { return &c.Postgres.ConnectTimeout }, duration),
		field("postgres.query_timeout", postgres.DefaultQueryTimeout, "the longest a statement or transaction may take",
			func(c *Config) *time.Duration { return &c.Postgres.QueryTimeout }, duration),
		field("cache.documents_bytes", int64(api.DefaultDocumentCacheBytes), "memory for the document cache; 0 turns it off",
			func(c *Config) *int64 { return &c.Cache.DocumentsBytes }, bytesOrOff),
		field("tokens.allow_never", false, "whether a personal access token may be created that never expires",
			func(c *Config) *bool { return &c.Tokens.AllowNever }, boolean),
		field("documents.keep_revisions", 0, "revisions kept of each document, the newest; 0 keeps all",
			func(c *Config) *int { return &c.Documents.KeepRevisions }, countOrAll),
	}
}

// The checks of the table. viper's getters turn a value they cannot parse
// into zero without a word, and a zero timeout or throttle window silently
// switches a protection off, so a bad value stops docsd instead.

func text(_ string, raw any) (string, error) { return cast.ToStringE(raw) }

func nonEmpty(name string, raw any) (string, error) {
	s := cast.ToString(raw)
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%s is empty; unset it to use the default, or give a value", name)
	}
	return s, nil
}

func duration(name string, raw any) (time.Duration, error) {
	d, ok := raw.(time.Duration)
	if !ok {
		var err error
		if d, err = time.ParseDuration(fmt.Sprint(raw)); err != nil {
			return 0, fmt.Errorf("%s: %q is not a duration such as 90s, 15m or 24h", name, fmt.Sprint(raw))
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: %s must be positive", name, d)
	}
	return d, nil
}

// idleTimeout is refused here, with its key, rather than when serve builds
// the session store.
func idleTimeout(name string, raw any) (time.Duration, error) {
	d, err := duration(name, raw)
	if err != nil {
		return 0, err
	}
	if err := session.CheckIdleTimeout(d); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func positive(name string, raw any) (int, error) {
	n, err := cast.ToIntE(raw)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q must be a positive whole number", name, fmt.Sprint(raw))
	}
	return n, nil
}

func countOrAll(name string, raw any) (int, error) {
	n, err := cast.ToIntE(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q must be a whole number, or 0 to keep all", name, fmt.Sprint(raw))
	}
	return n, nil
}

func bytesOrOff(name string, raw any) (int64, error) {
	n, err := cast.ToInt64E(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q must be a number of bytes, or 0 to turn it off", name, fmt.Sprint(raw))
	}
	return n, nil
}

// maxBodyBytes refuses a cap that would refuse with 413 documents within
// the limits docs/api.md promises, sent in a legal encoding.
func maxBodyBytes(name string, raw any) (int64, error) {
	n := cast.ToInt64(raw)
	if n < api.DefaultMaxBodyBytes {
		return 0, fmt.Errorf("%s: %d is below %d, the longest JSON encoding of a document within the limits "+
			"(a 1 MiB body and a 200-character title, every character escaped); unset it, or give at least %d",
			name, n, api.DefaultMaxBodyBytes, api.DefaultMaxBodyBytes)
	}
	return n, nil
}

func boolean(name string, raw any) (bool, error) {
	b, err := cast.ToBoolE(raw)
	if err != nil {
		return false, fmt.Errorf("%s: %q must be true or false", name, fmt.Sprint(raw))
	}
	return b, nil
}

func logLevel(name string, raw any) (slog.Level, error) {
	if l, ok := raw.(slog.Level); ok {
		return l, nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cast.ToString(raw))); err != nil {
		return 0, fmt.Errorf("%s: %q is not a level; use debug, info, warn or error", name, cast.ToString(raw))
	}
	return level, nil
}

func logFormat(name string, raw any) (string, error) {
	s := cast.ToString(raw)
	if s != "text" && s != "json" {
		return "", fmt.Errorf("%s: %q is not a format; use text or json", name, s)
	}
	return s, nil
}

// list reads a value that may be a YAML list or a comma-separated string
// (as it is from the environment or a flag), dropping empty entries.
func list(_ string, raw any) ([]string, error) {
	var parts []string
	switch x := raw.(type) {
	case string:
		parts = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			parts = append(parts, fmt.Sprint(e))
		}
	case []string:
		parts = x
	}
	var out []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// Defaults is the configuration with every setting at its default.
func Defaults() Config {
	var c Config
	for _, s := range settings() {
		if err := s.load(&c, s.key, s.def); err != nil {
			panic("config: the default of " + err.Error()) // a mistake in the table, caught by its tests
		}
	}
	return c
}

// defaultText is the default as docs/configuration.md and configs/docsd.yaml show
// it: a list comma-separated, a level in lower case.
func (s setting) defaultText() string {
	switch d := s.def.(type) {
	case []string:
		return strings.Join(d, ",")
	case slog.Level:
		return strings.ToLower(d.String())
	}
	return fmt.Sprint(s.def)
}

// DefaultFile is read when present and --config is not given.
const DefaultFile = "configs/docsd.yaml"

// EnvName is the environment variable of a setting: DOCSD_ and its key in
// upper case with dots as underscores.
func EnvName(key string) string {
	return "DOCSD_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Flags: a flag named as a key sets that key. Which command takes which
// flag is the command's choice; its default and usage come from here.

// AddConfigFlag adds --config, the file to read.
func AddConfigFlag(fs *pflag.FlagSet) { fs.String("config", DefaultFile, "config file") }

// AddDatabaseFlag adds --database, the database setting.
func AddDatabaseFlag(fs *pflag.FlagSet) { addFlag(fs, "database") }

// AddAddrFlag adds --addr, the addr setting.
func AddAddrFlag(fs *pflag.FlagSet) { addFlag(fs, "addr") }

func addFlag(fs *pflag.FlagSet, key string) {
	s := lookup(key)
	fs.String(key, s.defaultText(), s.doc+" (env "+EnvName(key)+")")
}

// Load layers flags over environment over config file over defaults.
// environ is the process environment as os.Environ gives it. A mistake an
// operator made in naming (an unknown key or variable, a skip list that
// locks everyone out) is an *exitcode.UsageError.
func Load(flags *pflag.FlagSet, environ []string) (*Config, error) {
	v := viper.New()
	for _, s := range settings() {
		v.SetDefault(s.key, s.def)
	}
	path, _ := flags.GetString("config")
	explicit := flags.Changed("config")
	if !explicit {
		path = DefaultFile
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	c := &Config{}
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if explicit || !errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	} else {
		if err := checkKeys(path); err != nil {
			return nil, err
		}
		c.File = path
	}
	vars, err := docsdVars(environ)
	if err != nil {
		return nil, err
	}
	// A variable set to the empty string is a value, not unset: an empty
	// skip list is an empty list, and an empty duration is refused.
	for _, s := range settings() {
		if val, ok := vars[EnvName(s.key)]; ok {
			v.Set(s.key, val)
		}
	}
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed && isKey(f.Name) {
			v.Set(f.Name, f.Value.String())
		}
	})
	for _, s := range settings() {
		if err := s.load(c, s.key+" ("+EnvName(s.key)+")", v.Get(s.key)); err != nil {
			return nil, err
		}
	}
	if err := api.CheckPublicRoutes(c.Auth.PublicRoutes); err != nil {
		return nil, err
	}
	if !slices.Contains(c.Auth.PublicRoutes, "login") {
		return nil, exitcode.Usagef("auth.public_routes (%s) is [%s], without login: nobody could ever log in. Add login to it",
			EnvName("auth.public_routes"), strings.Join(c.Auth.PublicRoutes, ", "))
	}
	return c, nil
}

// FileRead is the config file read at start, or "none".
func (c *Config) FileRead() string {
	if c.File == "" {
		return "none"
	}
	return c.File
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
	for _, s := range settings() {
		known[EnvName(s.key)] = true
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
			unknown = append(unknown, fmt.Sprintf("  %s: did you mean %s?", name, EnvName(nearestKey(guess))))
			continue
		}
		vars[name] = val
	}
	if len(unknown) == 0 {
		return vars, nil
	}
	slices.Sort(unknown)
	return nil, exitcode.Usagef("the environment has DOCSD_ variables docsd does not know (nothing was started; fix or unset them):\n%s",
		strings.Join(unknown, "\n"))
}

// lookup is the setting of key; asking for a key that is none is a
// mistake in docsd itself.
func lookup(key string) setting {
	for _, s := range settings() {
		if s.key == key {
			return s
		}
	}
	panic("config: no setting " + key)
}

func isKey(name string) bool {
	for _, s := range settings() {
		if s.key == name {
			return true
		}
	}
	return false
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
	return exitcode.Usagef("config file %s has keys docsd does not know (nothing was started; fix or remove them):\n%s",
		path, strings.Join(unknown, "\n"))
}

// isSection reports whether k is a section holding settings, such as
// "auth", which a file may leave empty.
func isSection(k string) bool {
	for _, s := range settings() {
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
	for _, s := range settings() {
		score := min(suggest.Distance(k, s.key), suggest.Distance(lastPart(k), lastPart(s.key))+1)
		if bestScore < 0 || score < bestScore {
			best, bestScore = s.key, score
		}
	}
	return best
}

func lastPart(k string) string { return k[strings.LastIndex(k, ".")+1:] }
