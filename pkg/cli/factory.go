package cli

import (
	"context"
	"errors"
	"net/http"

	"github.com/docsd/docs/pkg/client"
)

// factory holds what commands need from the outside world. Main fills it
// with the real thing; tests fill it with buffers, a fake prompter, a mock
// keyring and an httptest server.
type factory struct {
	IO         *iostreams
	Getenv     func(string) string
	Prompter   prompter
	Keyring    keyringBackend
	HTTPClient *http.Client // nil for the client package's default
	RunEditor  editorFunc
	Version    string

	global   globalFlags
	settings *settings // the last settings loaded, for printing errors
	jq       *jqFilter // --jq: holds the command's output until it is filtered
}

// cmdEnv is what every command's options carry from the factory, so that
// a run function can be called in tests without cobra.
type cmdEnv struct {
	IO       *iostreams
	Settings func() (*settings, error)
	Sessions func(*settings) *sessionStore
	Client   func(s *settings, session string) *client.Client
}

func (f *factory) env() cmdEnv {
	return cmdEnv{
		IO: f.IO,
		Settings: func() (*settings, error) {
			s, err := loadSettings(&f.global, f.Getenv, f.IO.InTTY)
			if err == nil {
				f.settings = s
			}
			return s, err
		},
		Sessions: func(s *settings) *sessionStore { return newSessionStore(f.Keyring, s) },
		Client: func(s *settings, session string) *client.Client {
			return client.New(s.Server, &client.Options{Session: session, HTTPClient: f.HTTPClient, UserAgent: "docs/" + f.Version})
		},
	}
}

// session is a client carrying the user's session, with where it came from.
type session struct {
	*settings
	Client *client.Client
	Store  *sessionStore
	Stored storedSession // Source is "" when no session is stored
}

// login returns a client with the session to use: DOCS_SESSION, else the
// stored one, else none (the server then says 401, and check explains
// that nothing is stored). A keyring that cannot be asked is an error here:
// it must never look like a 401.
func (e cmdEnv) login(ctx context.Context) (*session, error) {
	s, err := e.Settings()
	if err != nil {
		return nil, err
	}
	st := e.Sessions(s)
	stored, err := st.Lookup(ctx, s.Server)
	var nl *notLoggedInError
	if err != nil && !errors.As(err, &nl) {
		return nil, err
	}
	return &session{settings: s, Client: e.Client(s, stored.Value), Store: st, Stored: stored}, nil
}

// requireStored fails with *notLoggedInError when no session is stored, for
// commands that should not let a person work before finding that out.
func (s *session) requireStored() error {
	if s.Stored.Source == "" {
		return &notLoggedInError{Server: s.Server}
	}
	return nil
}

// check explains a 401 by where the rejected session came from.
func (s *session) check(err error) error {
	if client.StatusCode(err) != http.StatusUnauthorized {
		return err
	}
	return &unauthorizedError{err: err, server: s.Server, source: s.Stored.Source, where: s.Store.describe(s.Stored.Source, s.Server), ci: s.CI}
}

// unauthorizedError is the server's 401 with what the user can do about it.
type unauthorizedError struct {
	err    error
	server string
	source sessionSource
	where  string
	ci     bool
}

func (e *unauthorizedError) Error() string { return e.err.Error() }
func (e *unauthorizedError) Unwrap() error { return e.err }

// Hint says why the session was refused and how to get one that works. In
// CI (the CI variable is set) that is always DOCS_SESSION: no one is there
// to type a password for docs login.
func (e *unauthorizedError) Hint() string {
	const inCI = "In CI, set DOCS_SESSION to a valid session cookie value for this server."
	rejected := "The session from the " + e.where + " was not accepted (it expired or was logged out)."
	none := "No session is stored for " + e.server + "."
	switch {
	case e.source == sourceEnv && e.ci:
		return "The server did not accept the session in DOCS_SESSION. " + inCI
	case e.source == sourceEnv:
		return "The server did not accept the session in DOCS_SESSION: set DOCS_SESSION to a valid session, or unset it and run 'docs login'."
	case e.source != "" && e.ci:
		return rejected + " " + inCI
	case e.source != "":
		return rejected + " To log in again, run: docs login"
	case e.ci:
		return none + " " + inCI
	default:
		return none + " To log in, run: docs login"
	}
}
