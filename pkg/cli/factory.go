package cli

import (
	"context"
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
	Stored storedSession
}

// login returns a client with the session to use: DOCS_SESSION, else the
// stored one. It fails with *notLoggedInError when there is none, and with
// *keyringError when the keyring cannot be asked.
func (e cmdEnv) login(ctx context.Context) (*session, error) {
	s, err := e.Settings()
	if err != nil {
		return nil, err
	}
	st := e.Sessions(s)
	stored, err := st.Lookup(ctx, s.Server)
	if err != nil {
		return nil, err
	}
	return &session{settings: s, Client: e.Client(s, stored.Value), Store: st, Stored: stored}, nil
}
