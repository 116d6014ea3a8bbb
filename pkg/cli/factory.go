package cli

import (
	"context"
	"errors"
	"net/http"
	"time"

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
	Now        func() time.Time // nil for time.Now

	global   globalFlags
	settings *settings // the last settings loaded, for printing errors
	// filter holds the command's output until it is filtered (--json,
	// --jq) or turned into YAML (-o yaml).
	filter *outputFilter
}

// cmdEnv is what every command's options carry from the factory, so that
// a run function can be called in tests without cobra.
type cmdEnv struct {
	IO       *iostreams
	Settings func() (*settings, error)
	Sessions func(*settings) *sessionStore
	// Client returns a client that sends credential, a session cookie
	// value or a token (as isToken tells them apart), or nothing for "".
	Client func(s *settings, credential string) *client.Client
	// Now is the time, for what docs judges itself (a token's expiry).
	Now func() time.Time
}

func (f *factory) env() cmdEnv {
	now := f.Now
	if now == nil {
		now = time.Now
	}
	return cmdEnv{
		IO:  f.IO,
		Now: now,
		Settings: func() (*settings, error) {
			s, err := loadSettings(&f.global, f.Getenv, f.IO.InTTY)
			if err != nil {
				return nil, err
			}
			f.settings = s
			if s.Format == "yaml" {
				// The command prints JSON, as with -o json; run turns it
				// into YAML. Nothing was printed to stdout before settings.
				if f.filter == nil {
					f.filter = &outputFilter{out: f.IO.Out}
					f.IO.Out = &f.filter.buf
				}
				f.filter.yaml = true
			}
			return s, nil
		},
		Sessions: func(s *settings) *sessionStore { return newSessionStore(f.Keyring, s) },
		Client: func(s *settings, credential string) *client.Client {
			opts := &client.Options{HTTPClient: f.HTTPClient, UserAgent: "docs/" + f.Version}
			if isToken(credential) {
				opts.Token = credential
			} else {
				opts.Session = credential
			}
			return client.New(s.Server, opts)
		},
	}
}

// session is a client carrying the user's credential (a session or a
// token), with where it came from.
type session struct {
	*settings
	Client *client.Client
	Store  *sessionStore
	Stored storedSession // Source is "" when nothing is stored
	// noKeyring is set when nothing is stored in the file and no keyring
	// could be reached to look further: not logged in, said with why.
	noKeyring *keyringError
}

// login returns a client with the credential to use: DOCS_TOKEN, else
// DOCS_SESSION, else the stored one, else none (the server then says 401,
// and check explains that nothing is stored). A keyring that cannot be
// asked is an error here: it must never look like a 401.
func (e cmdEnv) login(ctx context.Context) (*session, error) {
	return e.loginWith(ctx, (*sessionStore).Lookup)
}

// loginSession is login for the commands whose routes take no token
// (creating, listing and revoking tokens, changing the password): it
// passes over DOCS_TOKEN, and fails with *notLoggedInError, before any
// request, when the stored credential is a token or there is none.
func (e cmdEnv) loginSession(ctx context.Context) (*session, error) {
	sess, err := e.loginWith(ctx, (*sessionStore).LookupSession)
	if err != nil {
		return nil, err
	}
	if sess.Stored.Source == "" || sess.Stored.Token {
		return nil, &notLoggedInError{Server: sess.Server, tokenOnly: sess.Stored.Token || sess.EnvToken != "", noKeyring: sess.noKeyring}
	}
	return sess, nil
}

func (e cmdEnv) loginWith(ctx context.Context, lookup func(*sessionStore, context.Context, string) (storedSession, error)) (*session, error) {
	s, err := e.Settings()
	if err != nil {
		return nil, err
	}
	st := e.Sessions(s)
	stored, err := lookup(st, ctx, s.Server)
	var nl *notLoggedInError
	var ke *keyringError
	switch {
	case errors.As(err, &ke) && ke.unreachable():
		// With no keyring on this machine nothing can be stored in one, so
		// a script is told what it can act on: not logged in (exit 4).
		// A keyring that is there but slow keeps its own error (exit 1).
	case err != nil && !errors.As(err, &nl):
		return nil, err
	default:
		ke = nil
	}
	return &session{settings: s, Client: e.Client(s, stored.Value), Store: st, Stored: stored, noKeyring: ke}, nil
}

// requireStored fails with *notLoggedInError when no session is stored, for
// commands that should not let a person work before finding that out.
func (s *session) requireStored() error {
	if s.Stored.Source == "" {
		return &notLoggedInError{Server: s.Server, noKeyring: s.noKeyring}
	}
	return nil
}

// check explains a 401 by where the rejected credential came from.
func (s *session) check(err error) error {
	if client.StatusCode(err) != http.StatusUnauthorized {
		return err
	}
	return &unauthorizedError{err: err, server: s.Server, source: s.Stored.Source, token: s.Stored.Token, where: s.Store.describe(s.Stored, s.Server), ci: s.CI, noKeyring: s.noKeyring}
}

// unauthorizedError is the server's 401 with what the user can do about it.
type unauthorizedError struct {
	err    error
	server string
	source sessionSource
	token  bool // the rejected credential is a token
	where  string
	ci     bool
	// noKeyring is why nothing could be looked up, when no keyring answered.
	noKeyring *keyringError
}

func (e *unauthorizedError) Error() string { return e.err.Error() }
func (e *unauthorizedError) Unwrap() error { return e.err }

// Hint says why the credential was refused and how to get one that works.
// In CI (the CI variable is set) that is never docs login: no one is there
// to type a password.
func (e *unauthorizedError) Hint() string {
	rejected := "The session from the " + e.where + " was not accepted (it expired or was logged out)."
	none := "No session is stored for " + e.server + "."
	if e.noKeyring != nil {
		none = "No session is stored for " + e.server + ", and " + e.noKeyring.Error() + "."
	}
	switch {
	case e.source == sourceEnv && e.token:
		// Whoever set DOCS_TOKEN wants a token, not a login.
		return "The server did not accept the token in DOCS_TOKEN. Make a new one with 'docs token create' (logged in with a password) and set DOCS_TOKEN to it."
	case e.token && e.ci:
		return "The token from the " + e.where + " was not accepted (it expired or was revoked). " + ciHint
	case e.token:
		return "The token from the " + e.where + " was not accepted (it expired or was revoked). Make a new one with 'docs token create' and store it with 'docs login --with-token', or log in with a password: docs login"
	case e.source == sourceEnv && e.ci:
		return "The server did not accept the session in DOCS_SESSION. " + ciHint
	case e.source == sourceEnv:
		return "The server did not accept the session in DOCS_SESSION: set DOCS_SESSION to a valid session, or unset it and run 'docs login'."
	case e.source != "" && e.ci:
		return rejected + " " + ciHint
	case e.source != "":
		return rejected + " To log in again, run: docs login"
	case e.ci:
		return none + " " + ciHint
	case e.noKeyring != nil:
		return none + " " + noKeyringHint
	default:
		return none + " To log in, run: docs login"
	}
}
