package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/token"
)

// keyringService is the keyring service name under which sessions (and
// tokens stored by docs login --with-token) are kept; the account is the
// normalised server URL.
const keyringService = "docs"

// sessionsFile holds sessions stored with --insecure-storage.
const sessionsFile = "sessions.json"

// keyringBackend is the part of go-keyring the CLI uses.
type keyringBackend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// systemKeyring is the OS keyring (the Secret Service on Linux).
type systemKeyring struct{}

func (systemKeyring) Get(s, a string) (string, error) { return keyring.Get(s, a) }
func (systemKeyring) Set(s, a, v string) error        { return keyring.Set(s, a, v) }
func (systemKeyring) Delete(s, a string) error        { return keyring.Delete(s, a) }

// sessionBusKeyring is the system keyring on systems where it is the
// Secret Service, reached over the D-Bus session bus. With no session bus
// in the environment, godbus would autolaunch one (dbus-launch), which in
// turn starts a keyring daemon, and both outlive docs; instead every call
// fails at once with errNoSessionBus.
type sessionBusKeyring struct {
	keyringBackend
	getenv func(string) string
}

// errNoSessionBus is the cause of a keyringError when there is no D-Bus
// session bus to find the Secret Service on.
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), and docs does not start one")

func (k sessionBusKeyring) Get(s, a string) (string, error) {
	if !k.hasBus() {
		return "", errNoSessionBus
	}
	return k.keyringBackend.Get(s, a)
}

func (k sessionBusKeyring) Set(s, a, v string) error {
	if !k.hasBus() {
		return errNoSessionBus
	}
	return k.keyringBackend.Set(s, a, v)
}

func (k sessionBusKeyring) Delete(s, a string) error {
	if !k.hasBus() {
		return errNoSessionBus
	}
	return k.keyringBackend.Delete(s, a)
}

// hasBus reports whether godbus finds a session bus without launching one:
// DBUS_SESSION_BUS_ADDRESS (other than "autolaunch:"), or the bus socket
// or address file systemd leaves in the runtime directory.
func (k sessionBusKeyring) hasBus() bool {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return true // Keychain and Credential Manager: no D-Bus involved
	}
	if a := k.getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	dir := k.getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// keyringError reports that the keyring could not be used at all, as
// opposed to having no entry: it is never a reason to say "not logged in".
type keyringError struct {
	Op  string // "read", "store" or "delete"
	Err error
}

func (e *keyringError) Error() string {
	return fmt.Sprintf("the system keyring could not be reached to %s the session: %v", e.Op, e.Err)
}

func (e *keyringError) Unwrap() error { return e.Err }

// unreachable reports whether no keyring answered at all (no session bus,
// no Secret Service on it), as opposed to one that did not answer in time,
// which may be waiting for an unlock prompt with a session behind it.
func (e *keyringError) unreachable() bool {
	var timeout errKeyringTimeout
	return !errors.As(e.Err, &timeout)
}

// errKeyringTimeout is the cause of a keyringError for a call that did not
// return in time.
type errKeyringTimeout struct{ d time.Duration }

func (e errKeyringTimeout) Error() string {
	return fmt.Sprintf("no answer within %s (is it waiting for an unlock prompt? DOCS_KEYRING_TIMEOUT sets the limit)", e.d)
}

// sessionSource says where a credential came from: the environment
// (DOCS_TOKEN or DOCS_SESSION, as storedSession.Token says), the keyring
// or the --insecure-storage file.
type sessionSource string

const (
	sourceEnv     sessionSource = "env"
	sourceKeyring sessionSource = "keyring"
	sourceFile    sessionSource = "file"
)

// storedSession is the credential docs sends, a session cookie value or a
// personal access token, and where it was found.
type storedSession struct {
	Value  string
	Source sessionSource
	Token  bool // Value is a token, sent as Authorization: Bearer
}

// isToken reports whether a stored value is a personal access token: the
// keyring and the file keep tokens and session cookie values alike, and
// only a token starts with token.Prefix (a session cookie value, random
// base64 and a signature, does so by a one in 2^54 chance).
func isToken(value string) bool { return strings.HasPrefix(value, token.Prefix) }

// sessionStore finds, saves and removes the credential for a server:
// DOCS_TOKEN first, then DOCS_SESSION, then the insecure file, then the
// keyring.
type sessionStore struct {
	keyring    keyringBackend
	timeout    time.Duration
	dir        string
	envToken   string
	envSession string
}

func newSessionStore(kr keyringBackend, s *settings) *sessionStore {
	return &sessionStore{keyring: kr, timeout: s.KeyringTimeout, dir: s.ConfigDir, envToken: s.EnvToken, envSession: s.EnvSession}
}

// filePath is where --insecure-storage keeps sessions.
func (st *sessionStore) filePath() string { return filepath.Join(st.dir, sessionsFile) }

// Lookup returns the credential to use for server. It returns
// *notLoggedInError when nothing is stored, *keyringError when the keyring
// cannot be asked, and a usage error for a DOCS_TOKEN that is not a well
// formed token (checked here, offline: the server would only say 401).
func (st *sessionStore) Lookup(ctx context.Context, server string) (storedSession, error) {
	if st.envToken != "" {
		if err := token.Check(st.envToken); err != nil {
			return storedSession{}, &hintedError{
				err:  exitcode.Usagef("DOCS_TOKEN is not usable: %v", err),
				hint: "Set DOCS_TOKEN to a token as 'docs token create' printed it, or unset it.",
			}
		}
		return storedSession{Value: st.envToken, Source: sourceEnv, Token: true}, nil
	}
	return st.LookupSession(ctx, server)
}

// LookupSession is Lookup without DOCS_TOKEN, for the commands whose
// routes take no token. A token in DOCS_SESSION is a usage error: sent as
// a cookie it would only be refused.
func (st *sessionStore) LookupSession(ctx context.Context, server string) (storedSession, error) {
	if st.envSession != "" {
		if isToken(st.envSession) {
			return storedSession{}, &hintedError{
				err:  exitcode.Usagef("DOCS_SESSION holds a personal access token (%s...), which is not sent as a session", token.Prefix),
				hint: "Set DOCS_TOKEN to it instead, and unset DOCS_SESSION.",
			}
		}
		return storedSession{Value: st.envSession, Source: sourceEnv}, nil
	}
	return st.LookupStored(ctx, server)
}

// LookupStored is Lookup without the environment: what docs login stored.
func (st *sessionStore) LookupStored(ctx context.Context, server string) (storedSession, error) {
	files, err := st.readFile()
	if err != nil {
		return storedSession{}, err
	}
	if v := files[server]; v != "" {
		return storedSession{Value: v, Source: sourceFile, Token: isToken(v)}, nil
	}
	v, err := st.keyringGet(ctx, server)
	if errors.Is(err, keyring.ErrNotFound) {
		return storedSession{}, &notLoggedInError{Server: server}
	}
	if err != nil {
		return storedSession{}, err
	}
	return storedSession{Value: v, Source: sourceKeyring, Token: isToken(v)}, nil
}

// ProbeKeyring checks that the keyring answers, before a password is sent.
func (st *sessionStore) ProbeKeyring(ctx context.Context, server string) error {
	_, err := st.keyringGet(ctx, server)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// SaveKeyring stores the session in the keyring and drops any plain-text
// copy, which would otherwise shadow it.
func (st *sessionStore) SaveKeyring(ctx context.Context, server, value string) error {
	if err := st.keyringCall(ctx, "store", func() error { return st.keyring.Set(keyringService, server, value) }); err != nil {
		return err
	}
	_, err := st.removeFile(server)
	return err
}

// SaveFile stores the session in sessions.json with mode 0600.
func (st *sessionStore) SaveFile(server, value string) error {
	files, err := st.readFile()
	if err != nil {
		return err
	}
	files[server] = value
	return st.writeFile(files)
}

// Remove deletes the stored session for server from the file and the
// keyring. A missing entry is not an error. The keyring being unreachable
// is an error only when the file held no session either, since then the
// session may still be in the keyring.
func (st *sessionStore) Remove(ctx context.Context, server string) error {
	inFile, err := st.removeFile(server)
	if err != nil {
		return err
	}
	err = st.keyringCall(ctx, "delete", func() error { return st.keyring.Delete(keyringService, server) })
	if errors.Is(err, keyring.ErrNotFound) || (err != nil && inFile) {
		return nil
	}
	return err
}

func (st *sessionStore) keyringGet(ctx context.Context, server string) (string, error) {
	var v string
	err := st.keyringCall(ctx, "read", func() error {
		var err error
		v, err = st.keyring.Get(keyringService, server)
		return err
	})
	return v, err
}

// keyringCall runs fn with the timeout. keyring.ErrNotFound is passed
// through; any other failure becomes *keyringError. On timeout fn is left
// running: the process is about to report the error and exit.
func (st *sessionStore) keyringCall(ctx context.Context, op string, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(st.timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		err = errKeyringTimeout{st.timeout}
	case <-ctx.Done():
		return ctx.Err()
	}
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	return &keyringError{Op: op, Err: err}
}

func (st *sessionStore) readFile() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(st.filePath())
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read session file: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read session file %s: %w", st.filePath(), err)
	}
	return m, nil
}

// writeFile replaces sessions.json atomically; the file is 0600 from
// creation, so the session is never readable by others, even briefly.
func (st *sessionStore) writeFile(m map[string]string) error {
	if len(m) == 0 {
		err := os.Remove(st.filePath())
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if err := os.MkdirAll(st.dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(st.dir, ".sessions-*.json")
	if err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write session file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write session file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	if err := os.Rename(tmp.Name(), st.filePath()); err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	return nil
}

// removeFile drops server from sessions.json and reports whether it was there.
func (st *sessionStore) removeFile(server string) (bool, error) {
	m, err := st.readFile()
	if err != nil {
		return false, err
	}
	if _, ok := m[server]; !ok {
		return false, nil
	}
	delete(m, server)
	return true, st.writeFile(m)
}

// describe says in words where a credential is kept.
func (st *sessionStore) describe(c storedSession, server string) string {
	switch {
	case c.Source == sourceEnv && c.Token:
		return "DOCS_TOKEN environment variable (it overrides DOCS_SESSION and anything stored)"
	case c.Source == sourceEnv:
		return "DOCS_SESSION environment variable (it overrides anything stored)"
	case c.Source == sourceFile:
		return "plain-text file " + st.filePath() + " (--insecure-storage)"
	default:
		return fmt.Sprintf("system keyring (service %q, account %q)", keyringService, server)
	}
}
