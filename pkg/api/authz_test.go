package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// The principals of the authorization matrix.
const (
	anonymous = "anonymous"
	member    = "member"
	editor    = "editor"
	admin     = "admin"
	author    = "author"
	expired   = "expired session"
	revoked   = "revoked session"
	tampered  = "tampered cookie"
)

var principals = []string{anonymous, member, editor, admin, author, expired, revoked, tampered}

// The demo users behind the principals. dave is a member who writes the
// documents the matrix acts on, so "member" (carol) is never the author.
var principalUser = map[string]string{
	member: "carol", editor: "bob", admin: "alice", author: "dave",
	expired: "alice", revoked: "alice", tampered: "alice",
}

// matrixRow is one route's expected status for each principal. Statuses
// not listed default to want401 for the non-public routes.
type matrixRow struct {
	name   string
	access string // what `docsd routes` prints with the default skip list
	scope  string // the token scope the route needs, or "session"
	// request builds the request for the route against document docID and
	// user userID (dave); n makes names unique per cell.
	request func(docID, userID int64, n int) (method, path, body string)
	want    map[string]int
	// deleted says the request is about a deleted document: its author
	// deletes it first.
	deleted bool
}

// statuses gives the same status to every principal.
func statuses(status int) map[string]int {
	m := map[string]int{}
	for _, p := range principals {
		m[p] = status
	}
	return m
}

// loggedIn gives ok to the logged-in principals, a per-principal override,
// and 401 to everyone without a valid session.
func loggedIn(ok int, overrides map[string]int) map[string]int {
	m := map[string]int{}
	for _, p := range principals {
		m[p] = http.StatusUnauthorized
	}
	for _, p := range []string{member, editor, admin, author} {
		m[p] = ok
	}
	for p, s := range overrides {
		m[p] = s
	}
	return m
}

var matrix = []matrixRow{
	{"health", "public", "read", fixed("GET", "/healthz", ""), statuses(200), false},
	{"ready", "public", "read", fixed("GET", "/readyz", ""), statuses(200), false},
	{"openapi", "public", "read", fixed("GET", "/openapi.json", ""), statuses(200), false},
	{"register", "public", "session", func(_, _ int64, n int) (string, string, string) {
		return "POST", "/register", fmt.Sprintf(`{"username":"new%d","password":"password123"}`, n)
	}, statuses(201), false},
	{"login", "public", "session", fixed("POST", "/login", `{"username":"carol","password":"password"}`), statuses(200), false},
	{"logout", "login", "session", fixed("DELETE", "/logout", ""), loggedIn(204, nil), false},
	{"me", "login", "read", fixed("GET", "/me", ""), loggedIn(200, nil), false},
	{"me_update", "login", "session", fixed("PATCH", "/me", `{"current_password":"password","password":"password"}`), loggedIn(200, nil), false},
	{"document_list", "public", "read", fixed("GET", "/documents", ""), statuses(200), false},
	{"document_create", "login", "write", fixed("POST", "/documents", `{"title":"t","body":"b"}`), loggedIn(201, nil), false},
	{"document", "login", "read", onDoc("GET", ""), loggedIn(200, nil), false},
	{"document_update", "author, editor or admin", "write", onDoc("PATCH", `{"title":"changed"}`), loggedIn(200, map[string]int{member: 403}), false},
	{"document_delete", "author or admin", "write", onDoc("DELETE", ""), loggedIn(204, map[string]int{member: 403, editor: 403}), false},
	{"document_revisions", "login", "read", onDocPath("GET", "/revisions", ""), loggedIn(200, nil), false},
	{"document_revision", "login", "read", onDocPath("GET", "/revisions/1", ""), loggedIn(200, nil), false},
	{"document_revert", "author, editor or admin", "write", onDocPath("POST", "/revert", `{"version":1}`), loggedIn(200, map[string]int{member: 403}), false},
	{"document_restore", "author or admin", "write", onDocPath("POST", "/restore", ""), loggedIn(200, map[string]int{member: 403, editor: 403}), true},
	{"user_list", "admin", "admin", fixed("GET", "/users", ""), loggedIn(403, map[string]int{admin: 200}), false},
	{"user_update", "admin", "admin", func(_, userID int64, _ int) (string, string, string) {
		return "PATCH", fmt.Sprintf("/users/%d", userID), `{"role":"member"}`
	}, loggedIn(403, map[string]int{admin: 200}), false},
	{"token_create", "login", "session", func(_, _ int64, n int) (string, string, string) {
		return "POST", "/tokens", fmt.Sprintf(`{"name":"ci%d","scopes":["read"]}`, n)
	}, loggedIn(201, nil), false},
	{"token_list", "login", "session", fixed("GET", "/tokens", ""), loggedIn(200, nil), false},
	{"token_delete", "login", "session", fixed("DELETE", "/tokens/999999", ""), loggedIn(404, nil), false},
}

// tokenPrincipal is a caller with a personal access token: user's, with
// scopes, whose statuses are those of the session principal as where
// its scopes cover the route; or one that is not valid (invalid says how).
type tokenPrincipal struct {
	name    string
	user    string
	scopes  []docs.Scope
	as      string
	invalid string
}

var tokenPrincipals = []tokenPrincipal{
	{name: "read token", user: "alice", scopes: []docs.Scope{docs.ScopeRead}, as: admin},
	{name: "write token", user: "alice", scopes: []docs.Scope{docs.ScopeWrite}, as: admin},
	{name: "admin token", user: "alice", scopes: []docs.Scope{docs.ScopeAdmin}, as: admin},
	{name: "member's token", user: "carol", scopes: []docs.Scope{docs.ScopeRead, docs.ScopeWrite}, as: member},
	{name: "author's token", user: "dave", scopes: []docs.Scope{docs.ScopeRead, docs.ScopeWrite}, as: author},
	{name: "expired token", user: "alice", scopes: docs.Scopes(), invalid: "expired"},
	{name: "revoked token", user: "alice", scopes: docs.Scopes(), invalid: "revoked"},
	{name: "mistyped token", user: "alice", scopes: docs.Scopes(), invalid: "mistyped"},
	{name: "unknown token", invalid: "unknown"},
}

// want is the status p gets from row's route: a route that needs no
// database answers everyone alike; a token that is not valid is a 401; a
// public route outside its scopes, or one for sessions only, serves it as
// anonymous, and a private one answers 403; otherwise it gets what a
// session of its user gets.
func (p tokenPrincipal) want(row matrixRow, r api.Route) int {
	switch {
	case r.NoDatabase && row.want[anonymous] == http.StatusOK:
		return http.StatusOK
	case p.invalid != "":
		return http.StatusUnauthorized
	case !slices.Contains(p.scopes, docs.Scope(row.scope)) && row.want[anonymous] != http.StatusUnauthorized:
		// A public route serves a token outside its scopes as anonymous.
		return row.want[anonymous]
	case !slices.Contains(p.scopes, docs.Scope(row.scope)):
		return http.StatusForbidden
	}
	return row.want[p.as]
}

// secret returns the token p sends to srv. Each is made once per server:
// a token's state does not change in the matrix (the clock only moves on,
// so an expired token stays expired, and the valid ones last a year),
// and making one is a login.
func (p tokenPrincipal) secret(t *testing.T, srv *apitest.Server, made map[string]string) string {
	t.Helper()
	if s, ok := made[p.name]; ok {
		return s
	}
	s := p.make(t, srv)
	made[p.name] = s
	return s
}

// make makes the token p sends.
func (p tokenPrincipal) make(t *testing.T, srv *apitest.Server) string {
	t.Helper()
	switch p.invalid {
	case "unknown":
		return token.New()
	case "expired":
		_, secret := srv.Token(t, p.user, "1m", p.scopes...)
		srv.Clock.Advance(time.Minute)
		return secret
	case "revoked":
		id, secret := srv.Token(t, p.user, "", p.scopes...)
		if status, problem := send(t, srv, "DELETE", fmt.Sprintf("/tokens/%d", id), "", srv.Login(t, p.user)); status != http.StatusNoContent {
			t.Fatalf("revoke = %d; want 204 (%s)", status, problem)
		}
		return secret
	case "mistyped":
		_, secret := srv.Token(t, p.user, "", p.scopes...)
		b := []byte(secret)
		b[len(token.Prefix)] ^= 'A' ^ 'B'
		return string(b)
	}
	_, secret := srv.Token(t, p.user, "365d", p.scopes...)
	return secret
}

func fixed(method, path, body string) func(int64, int64, int) (string, string, string) {
	return func(int64, int64, int) (string, string, string) { return method, path, body }
}

func onDoc(method, body string) func(int64, int64, int) (string, string, string) {
	return onDocPath(method, "", body)
}

// onDocPath is onDoc for a path below the document's: "/revisions".
func onDocPath(method, below, body string) func(int64, int64, int) (string, string, string) {
	return func(docID, _ int64, _ int) (string, string, string) {
		return method, fmt.Sprintf("/documents/%d%s", docID, below), body
	}
}

// TestAuthorizationMatrix sends every route as every principal to the real
// engine and checks the status. Each cell gets a fresh session and a fresh
// document, so a logout or delete in one cell cannot change another.
func TestAuthorizationMatrix(t *testing.T) { apitest.ForEachBackend(t, testAuthorizationMatrix) }

func testAuthorizationMatrix(t *testing.T) {
	srv := newMatrixServer(t, api.DefaultSkipList())
	for _, m := range runMatrix(t, srv) {
		t.Error(m)
	}
}

// TestMatrixCatchesWidenedSkipList proves the matrix would fail if someone
// put a private route on the skip list.
func TestMatrixCatchesWidenedSkipList(t *testing.T) {
	widened := append(slices.Clone(api.DefaultSkipList()), "document")
	srv := newMatrixServer(t, widened)
	got := runMatrix(t, srv)
	if len(got) == 0 {
		t.Fatal("matrix passed with \"document\" on the skip list; want failures")
	}
	if !slices.ContainsFunc(got, func(m string) bool { return strings.HasPrefix(m, "document as anonymous:") }) {
		t.Errorf("matrix failures %q do not include the anonymous read of a document", got)
	}
}

// TestSkipListedRouteKeepsItsCaller: a route made public still serves a
// logged-in caller as that user, and an anonymous one as anonymous.
func TestSkipListedRouteKeepsItsCaller(t *testing.T) {
	public := append(api.DefaultSkipList(), "document")
	srv := newMatrixServer(t, public)
	id := srv.CreateDocument(t, "dave", "wiki page", "text")
	path := fmt.Sprintf("/documents/%d", id)
	alice := srv.Login(t, "alice")
	r, err := apitest.Send(context.Background(), srv.Client(), "GET", srv.URL+path, alice, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET %s as alice with document public = %d, Cache-Control %q; want 200, no-store (an answer to a known caller)", path, r.Status, r.Header.Get("Cache-Control"))
	}
	if status, body := send(t, srv, "GET", path, "", nil); status != http.StatusOK {
		t.Errorf("anonymous GET %s with document public = %d %s; want 200", path, status, body)
	}
}

// TestSkipListRefusesRoutesThatNeedAUser: a route that needs a user
// whatever the skip list says would answer 401 while `docsd routes` and
// OpenAPI called it public, so New refuses to put it on the list, naming
// the route and why; every other route, on the list, serves a caller
// without a session.
func TestSkipListRefusesRoutesThatNeedAUser(t *testing.T) {
	for _, tc := range []struct{ route, why string }{
		{"me", "it acts as the caller"},
		{"me_update", "it acts as the caller"},
		{"document_create", "it acts as the caller"},
		{"document_update", "its rule is author, editor or admin"},
		{"document_delete", "its rule is author or admin"},
		{"document_revert", "its rule is author, editor or admin"},
		{"document_restore", "its rule is author or admin"},
		{"user_list", "its rule is admin"},
		{"user_update", "its rule is admin"},
	} {
		t.Run(tc.route+" is refused", func(t *testing.T) {
			public := append(api.DefaultSkipList(), tc.route)
			_, err := api.New(api.Config{PublicRoutes: public}, api.Deps{})
			want := fmt.Sprintf("%q (%s)", tc.route, tc.why)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("New with %q on the skip list = %v; want an error naming %s", tc.route, err, want)
			}
		})
	}

	t.Run("every other route serves an anonymous caller when public", func(t *testing.T) {
		var public []string
		for _, r := range api.Routes() {
			if !r.NeedsUser {
				public = append(public, r.Name)
			}
		}
		srv := newMatrixServer(t, public)
		for _, row := range matrix {
			if !slices.Contains(public, row.name) {
				continue
			}
			docID := srv.CreateDocument(t, "dave", "target", "text")
			method, path, body := row.request(docID, srv.Users["dave"], 0)
			if status, problem := send(t, srv, method, path, body, nil); status == http.StatusUnauthorized {
				t.Errorf("anonymous %s %s with %s public = 401 (%s); want it served: a route that needs a user must be marked NeedsUser", method, path, row.name, problem)
			}
		}
	})

	t.Run("every route with a policy is marked NeedsUser", func(t *testing.T) {
		for _, r := range api.Routes() {
			if r.Access != (api.Access{}) && !r.NeedsUser {
				t.Errorf("route %s has access %q but not NeedsUser; want NeedsUser, since the policy judges the caller", r.Name, r.Access)
			}
		}
	})
}

func newMatrixServer(t *testing.T, public []string) *apitest.Server {
	// The unknown and revoked tokens of every row count toward the
	// address's throttle; the matrix is not about it.
	throttle := api.ThrottleDefaults()
	throttle.MaxFailuresPerAddress = 1000
	srv := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{PublicRoutes: public, AllowRegistration: true, Throttle: throttle}})
	srv.AddUser(t, "dave", docs.RoleMember)
	return srv
}

// runMatrix returns one message per cell whose status differs from the
// table, and checks that the table covers every route the engine has.
func runMatrix(t *testing.T, srv *apitest.Server) []string {
	t.Helper()
	var mismatches []string
	covered := map[string]bool{}
	routes := map[string]api.Route{}
	for _, r := range api.Routes() {
		routes[r.Name] = r
	}
	n := 0
	made := map[string]string{}
	for _, row := range matrix {
		covered[row.name] = true
		for _, p := range principals {
			n++
			docID := target(t, srv, row)
			cookie := principalCookie(t, srv, p)
			method, path, body := row.request(docID, srv.Users["dave"], n)
			status, problem := send(t, srv, method, path, body, cookie)
			if want := row.want[p]; status != want {
				mismatches = append(mismatches, fmt.Sprintf("%s as %s: %s %s = %d; want %d (%s)", row.name, p, method, path, status, want, problem))
			}
		}
		for _, p := range tokenPrincipals {
			n++
			docID := target(t, srv, row)
			secret := p.secret(t, srv, made)
			method, path, body := row.request(docID, srv.Users["dave"], n)
			r, err := apitest.Send(context.Background(), srv.Client(), method, srv.URL+path, nil, apitest.Bearer(secret), body)
			if err != nil {
				t.Fatal(err)
			}
			if want := p.want(row, routes[row.name]); r.Status != want {
				mismatches = append(mismatches, fmt.Sprintf("%s with a %s: %s %s = %d; want %d (%s)", row.name, p.name, method, path, r.Status, want, r.Body))
			}
		}
	}
	for _, r := range api.Routes() {
		if !covered[r.Name] {
			mismatches = append(mismatches, fmt.Sprintf("route %s (%s %s) is missing from the matrix", r.Name, r.Method, r.Path))
		}
	}
	return mismatches
}

// target creates the document a cell of row acts on, dave's, and deletes
// it when the row is about a deleted document.
func target(t *testing.T, srv *apitest.Server, row matrixRow) int64 {
	t.Helper()
	docID := srv.CreateDocument(t, "dave", "target", "text")
	if row.deleted {
		if status, problem := send(t, srv, "DELETE", fmt.Sprintf("/documents/%d", docID), "", srv.Login(t, "dave")); status != http.StatusNoContent {
			t.Fatalf("dave's DELETE of document %d = %d; want 204 (%s)", docID, status, problem)
		}
	}
	return docID
}

// principalCookie returns the cookie p sends: none, a live session, one
// past the idle timeout, one ended by logout, or one with a forged
// signature.
func principalCookie(t *testing.T, srv *apitest.Server, p string) *http.Cookie {
	t.Helper()
	switch p {
	case anonymous:
		return nil
	case expired:
		c := srv.Login(t, principalUser[p])
		srv.Clock.Advance(apitest.IdleTimeout + 1)
		return c
	case revoked:
		c := srv.Login(t, principalUser[p])
		if status, problem := send(t, srv, "DELETE", "/logout", "", c); status != http.StatusNoContent {
			t.Fatalf("logout = %d; want 204 (%s)", status, problem)
		}
		return c
	case tampered:
		c := srv.Login(t, principalUser[p])
		token, sig, _ := strings.Cut(c.Value, ".")
		forged := *c
		forged.Value = token + "." + strings.Repeat("A", len(sig))
		return &forged
	default:
		return srv.Login(t, principalUser[p])
	}
}

func send(t *testing.T, srv *apitest.Server, method, path, body string, cookie *http.Cookie) (int, string) {
	t.Helper()
	r, err := apitest.Send(context.Background(), srv.Client(), method, srv.URL+path, cookie, nil, body)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status, string(r.Body)
}

// TestMatrixAccessColumn checks the table against what `docsd routes` prints,
// so the printed access rules and the enforced ones are the same rules.
func TestMatrixAccessColumn(t *testing.T) {
	routes := map[string]api.Route{}
	for _, r := range api.Routes() {
		routes[r.Name] = r
	}
	for _, row := range matrix {
		r, ok := routes[row.name]
		if !ok {
			t.Errorf("matrix row %s names no route", row.name)
			continue
		}
		if got := api.AccessFor(r, api.DefaultSkipList()); got != row.access {
			t.Errorf("AccessFor(%s) = %q; want %q", row.name, got, row.access)
		}
		if string(r.Scope) != row.scope {
			t.Errorf("route %s's token scope is %q; want %q", row.name, r.Scope, row.scope)
		}
	}
}

// TestDocumentRuleIsEnforcedByTheRoute registers a route with a document
// rule and a handler that never checks: the route alone must load the
// document, refuse who the rule refuses, and keep the order of checks.
func TestDocumentRuleIsEnforcedByTheRoute(t *testing.T) {
	peek := api.NewRoute(api.Route{
		Name: "document_peek", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/documents/:id/peek",
		Access: api.Policy(api.DeleteDocument),
	}, func(c *gin.Context, d *docs.Document) error {
		if d == nil {
			c.String(http.StatusOK, "no document")
			return nil
		}
		c.String(http.StatusOK, d.Title)
		return nil
	})
	srv := apitest.NewServerWith(t, apitest.Options{New: func(cfg api.Config, deps api.Deps) (*gin.Engine, error) {
		return api.NewWithRoutes(cfg, deps, peek)
	}})
	srv.AddUser(t, "dave", docs.RoleMember)
	docID := srv.CreateDocument(t, "dave", "dave's notes", "text")
	path := fmt.Sprintf("/documents/%d/peek", docID)
	for _, tc := range []struct {
		name, path string
		user       string // "" for anonymous
		status     int
		body       string
	}{
		{"a member who is not the author is refused though the handler never checks", path, "carol", http.StatusForbidden, "only the author (dave) or an admin may delete document"},
		{"an editor is refused by the delete rule", path, "bob", http.StatusForbidden, "only the author (dave) or an admin"},
		{"the author gets the authorized document", path, "dave", http.StatusOK, "dave's notes"},
		{"an admin gets the authorized document", path, "alice", http.StatusOK, "dave's notes"},
		{"anonymous is 401 before anything is read", "/documents/x/peek", "", http.StatusUnauthorized, "log in first"},
		{"a bad id is 400 before the rule", "/documents/x/peek", "carol", http.StatusBadRequest, "id"},
		{"a missing document is 404 before the rule", "/documents/999999/peek", "carol", http.StatusNotFound, "999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cookie *http.Cookie
			if tc.user != "" {
				cookie = srv.Login(t, tc.user)
			}
			status, body := send(t, srv, http.MethodGet, tc.path, "", cookie)
			if status != tc.status || !strings.Contains(body, tc.body) {
				t.Errorf("GET %s as %q = %d %s; want %d containing %q", tc.path, tc.user, status, body, tc.status, tc.body)
			}
		})
	}
}

// TestAccessForShowsChangedDefaults: `docsd routes` tells an operator where
// their skip list departs from the table's Public column.
func TestAccessForShowsChangedDefaults(t *testing.T) {
	routes := map[string]api.Route{}
	for _, r := range api.Routes() {
		routes[r.Name] = r
	}
	public := []string{"health", "document"}
	for _, tc := range []struct{ name, route, want string }{
		{"a default-public route on the list is public", "health", "public"},
		{"a default-public route taken off the list needs its rule", "login", "login (public by default)"},
		{"a private route put on the list is public by configuration", "document", "public (configured)"},
		{"a private route off the list shows its rule", "document_delete", "author or admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := api.AccessFor(routes[tc.route], public); got != tc.want {
				t.Errorf("AccessFor(%s, %v) = %q; want %q", tc.route, public, got, tc.want)
			}
		})
	}
	t.Run("the default skip list is the routes marked public", func(t *testing.T) {
		want := []string{"health", "ready", "openapi", "register", "login", "document_list"}
		if got := api.DefaultSkipList(); !slices.Equal(got, want) {
			t.Errorf("DefaultSkipList() = %v; want %v", got, want)
		}
	})
}

// TestEveryRegisteredRouteIsNamed walks the engine's routes: each must come
// from the route table, so none can skip the table and its access rule.
func TestEveryRegisteredRouteIsNamed(t *testing.T) {
	srv := apitest.NewServer(t)
	engine := srv.Config.Handler.(*gin.Engine)
	if unnamed := unnamedRoutes(engine); len(unnamed) > 0 {
		t.Errorf("routes registered outside the route table: %v", unnamed)
	}

	t.Run("a route registered outside the table is caught and private", func(t *testing.T) {
		engine.GET("/debug/vars", func(c *gin.Context) { c.String(http.StatusOK, "secrets") })
		if got := unnamedRoutes(engine); !slices.Equal(got, []string{"GET /debug/vars"}) {
			t.Errorf("unnamedRoutes = %v; want [GET /debug/vars]", got)
		}
		if status, body := send(t, srv, "GET", "/debug/vars", "", nil); status != http.StatusUnauthorized {
			t.Errorf("anonymous GET /debug/vars = %d %s; want 401", status, body)
		}
	})
}

func unnamedRoutes(e *gin.Engine) []string {
	named := map[string]bool{}
	for _, r := range api.Routes() {
		if r.Name != "" {
			named[r.Method+" "+r.Path] = true
		}
	}
	var out []string
	for _, ri := range e.Routes() {
		if !named[ri.Method+" "+ri.Path] {
			out = append(out, ri.Method+" "+ri.Path)
		}
	}
	return out
}
