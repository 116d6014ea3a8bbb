// Package apitest starts the real docsd engine for tests: a fresh database
// (a SQLite file in t.TempDir() by default, see ForEachBackend), migrated
// and seeded with the demo users, wired by api.Wire as `docsd serve` wires
// it, served by net/http/httptest. Nothing in it is a mock.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/seed"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/testclock"
)

// Server is a running docsd for one test.
type Server struct {
	*httptest.Server
	DB       docs.Backend
	Sessions *session.Store
	Clock    *testclock.Clock
	// Users maps the demo usernames to their ids.
	Users map[string]int64
	// described is the OpenAPI description of the server's skip list,
	// which every response its clients receive is checked against.
	described Described
	// tokens numbers the tokens Token makes, for their names.
	tokens atomic.Int64
}

// Options change the server a test gets.
type Options struct {
	// Config is passed to api.New; PublicRoutes defaults to
	// api.DefaultSkipList() and AllowRegistration to true.
	Config *api.Config
	// Secrets are the session secrets; a fixed test secret by default.
	Secrets [][]byte
	// Share serves the database (and clock) of another Server, as a second
	// replica or a restarted process would.
	Share *Server
	// Backend opens the database: by default the one of the
	// ForEachBackend subtest the Server starts in, else SQLite.
	Backend Backend
	// Users, when set, wraps the user store the engine reads: tests that
	// order a race step by step hold a request at a point of their choice.
	Users func(docs.UserStore) docs.UserStore
	// Wrap, when set, wraps the whole database the engine runs on (its
	// caches included), for a race to be held at a call of the test's
	// choice; Server.DB stays the database itself.
	Wrap func(docs.Backend) docs.Backend
	// New builds the engine; api.New by default. Tests of the route
	// machinery pass one that adds routes to the table; the answers of
	// routes the OpenAPI description does not know are then not checked.
	New func(api.Config, api.Deps) (*gin.Engine, error)
}

// Session lifetimes NewServer uses: docsd's defaults.
const (
	IdleTimeout     = session.DefaultIdleTimeout
	AbsoluteTimeout = session.DefaultAbsoluteTimeout
)

// NewServer starts docsd with the default configuration. Its Client checks
// every response against the OpenAPI description (ValidatingTransport).
func NewServer(t testing.TB) *Server {
	return NewServerWith(t, Options{})
}

// releaseMode sets gin's global mode once, as docsd's run does; api.New
// leaves it alone.
var releaseMode sync.Once

// NewServerWith starts docsd with opts.
func NewServerWith(t testing.TB, opts Options) *Server {
	t.Helper()
	releaseMode.Do(func() { gin.SetMode(gin.ReleaseMode) })
	ctx := context.Background()
	pw, err := docs.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	db, clock := openSeeded(t, opts, pw)
	users := map[string]int64{}
	for _, su := range seed.Users() {
		u, err := db.UserByName(ctx, su.Name)
		if err != nil {
			t.Fatal(err)
		}
		users[su.Name] = u.ID
	}
	secrets := opts.Secrets
	if secrets == nil {
		secrets = [][]byte{[]byte("apitest-secret-0123456789abcdef-0123456789")}
	}
	engineDB := db
	if opts.Wrap != nil {
		engineDB = opts.Wrap(db)
	}
	// Each Server has its own session cache, as each docsd process does.
	deps, err := api.Wire(engineDB, pw, session.Config{
		Secrets: secrets, IdleTimeout: IdleTimeout, AbsoluteTimeout: AbsoluteTimeout, Now: clock.Now,
	}, api.DefaultDocumentCacheBytes)
	if err != nil {
		t.Fatal(err)
	}
	store := deps.Sessions
	cfg := api.Config{PublicRoutes: api.DefaultSkipList(), AllowRegistration: true}
	if opts.Config != nil {
		cfg = *opts.Config
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.Now = clock.Now
	newEngine := opts.New
	if newEngine == nil {
		newEngine = api.New
	}
	if opts.Users != nil {
		deps.Users = opts.Users(db)
	}
	engine, err := newEngine(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	description, err := api.OpenAPI(cfg.PublicRoutes, store.CookieName())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	client := srv.Client()
	described := Described{Description: description, Host: srv.Listener.Addr().String(), ExtraRoutes: opts.New != nil}
	client.Transport = ValidatingTransport(t, client.Transport, described)
	return &Server{Server: srv, DB: db, Sessions: store, Clock: clock, Users: users, described: described}
}

// ClientWith returns a client over transport that, like Client, checks
// every response against the server's OpenAPI description.
func (s *Server) ClientWith(t testing.TB, transport *http.Transport) *http.Client {
	t.Helper()
	return &http.Client{Transport: ValidatingTransport(t, transport, s.described)}
}

// openSeeded returns the shared Server's database and clock, or a new
// seeded database and a clock at the current time.
func openSeeded(t testing.TB, opts Options, pw *docs.Passwords) (docs.Backend, *testclock.Clock) {
	if opts.Share != nil {
		return opts.Share.DB, opts.Share.Clock
	}
	b := opts.Backend
	if b.Open == nil {
		b = backendFor(t)
	}
	db := b.Open(t)
	ctx := context.Background()
	clock := testclock.New(time.Now())
	if _, err := seed.Run(ctx, db, pw, clock.Now()); err != nil {
		t.Fatal(err)
	}
	return db, clock
}

// CreateDocument stores a document by author (a demo username) and returns
// its id.
func (s *Server) CreateDocument(t testing.TB, author, title, body string) int64 {
	t.Helper()
	ctx := context.Background()
	u, err := s.DB.UserByName(ctx, author)
	if err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now().UTC()
	d := &docs.Document{Title: title, Body: body, Author: docs.Author{ID: u.ID}, CreatedAt: now, UpdatedAt: now}
	if err := s.DB.CreateDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// Login logs username in with the demo password and returns the session
// cookie.
func (s *Server) Login(t testing.TB, username string) *http.Cookie {
	t.Helper()
	return s.LoginWith(t, username, seed.Password)
}

// LoginWith logs in with a password and returns the session cookie.
func (s *Server) LoginWith(t testing.TB, username, password string) *http.Cookie {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := s.Client().Post(s.URL+"/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("login %s: status %d: %s", username, resp.StatusCode, msg)
	}
	for _, c := range resp.Cookies() {
		if c.Name == s.Sessions.CookieName() {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie in %v", username, resp.Header["Set-Cookie"])
	return nil
}

// AddUser creates a user with the demo password and returns its id.
func (s *Server) AddUser(t testing.TB, username string, role docs.Role) int64 {
	t.Helper()
	pw, err := docs.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := pw.Hash(seed.Password)
	if err != nil {
		t.Fatal(err)
	}
	u := &docs.User{Username: username, Role: role, PasswordHash: hash, CreatedAt: s.Clock.Now()}
	if err := s.DB.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	s.Users[username] = u.ID
	return u.ID
}

// Token creates a personal access token for username through the API
// (logging in for it), with scopes and expiresIn ("" for the default), and
// returns its id and secret.
func (s *Server) Token(t testing.TB, username, expiresIn string, scopes ...docs.Scope) (int64, string) {
	t.Helper()
	in := map[string]any{"name": fmt.Sprintf("t%d", s.tokens.Add(1)), "scopes": scopes}
	if expiresIn != "" {
		in["expires_in"] = expiresIn
	}
	body, _ := json.Marshal(in)
	r, err := Send(context.Background(), s.Client(), http.MethodPost, s.URL+"/tokens", s.Login(t, username), nil, string(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusCreated {
		t.Fatalf("create a token for %s: status %d: %s", username, r.Status, r.Body)
	}
	var out struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.ID, out.Token
}

// Bearer is the header that sends a token.
func Bearer(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret}
}
