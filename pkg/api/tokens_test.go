package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// call sends one request to srv with a cookie or a token (or neither) and
// extra headers, and fails the test on a transport error.
func callWith(t *testing.T, srv *apitest.Server, method, path, body string, cookie *http.Cookie, header map[string]string) apitest.Reply {
	t.Helper()
	r, err := apitest.Send(context.Background(), srv.Client(), method, srv.URL+path, cookie, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func bearer(secret string) map[string]string { return apitest.Bearer(secret) }

// TestTokenCreationShowsTheSecretOnce: the secret is in the creation's
// answer and nowhere after; it is well formed, and it works at once.
func TestTokenCreationShowsTheSecretOnce(t *testing.T) {
	srv := apitest.NewServer(t)
	alice := srv.Login(t, "alice")
	r := callWith(t, srv, "POST", "/tokens", `{"name":"ci","scopes":["write","read"],"expires_in":"7d"}`, alice, nil).Want(t, http.StatusCreated)
	var created struct {
		ID        int64     `json:"id"`
		Name      string    `json:"name"`
		Scopes    []string  `json:"scopes"`
		CreatedAt time.Time `json:"created_at"`
		ExpiresAt time.Time `json:"expires_at"`
		Token     string    `json:"token"`
	}
	if err := json.Unmarshal(r.Body, &created); err != nil {
		t.Fatal(err)
	}
	if err := token.Check(created.Token); err != nil {
		t.Fatalf("token %q: %v", created.Token, err)
	}
	if got := strings.Join(created.Scopes, ","); got != "read,write" || created.Name != "ci" {
		t.Errorf("created %+v; want name ci, scopes read,write", created)
	}
	if life := created.ExpiresAt.Sub(created.CreatedAt); life != 7*24*time.Hour {
		t.Errorf("expires %s after creation; want 7d", life)
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/tokens/%d", created.ID) {
		t.Errorf("Location %q", loc)
	}

	list := callWith(t, srv, "GET", "/tokens", "", alice, nil).Want(t, http.StatusOK)
	if strings.Contains(string(list.Body), created.Token) || strings.Contains(string(list.Body), `"token"`) {
		t.Errorf("GET /tokens shows the secret: %s", list.Body)
	}
	if !strings.Contains(string(list.Body), `"name":"ci"`) {
		t.Errorf("GET /tokens = %s; want the token named ci", list.Body)
	}

	me := callWith(t, srv, "GET", "/me", "", nil, bearer(created.Token)).Want(t, http.StatusOK)
	if !strings.Contains(string(me.Body), `"username":"alice"`) {
		t.Errorf("GET /me with the token = %s; want alice", me.Body)
	}
	if got, want := me.Header.Get("Docs-Token-Expiration"), created.ExpiresAt.UTC().Format("2006-01-02 15:04:05 MST"); got != want {
		t.Errorf("Docs-Token-Expiration = %q; want %q", got, want)
	}
	if got := me.Header.Get("Docs-Token-Scopes"); got != "read, write" {
		t.Errorf("Docs-Token-Scopes = %q; want \"read, write\"", got)
	}

	t.Run("another user's list does not show it, nor can they revoke it", func(t *testing.T) {
		carol := srv.Login(t, "carol")
		if body := callWith(t, srv, "GET", "/tokens", "", carol, nil).Want(t, http.StatusOK).Body; string(body) != "[]" {
			t.Errorf("carol's tokens = %s; want []", body)
		}
		callWith(t, srv, "DELETE", fmt.Sprintf("/tokens/%d", created.ID), "", carol, nil).Want(t, http.StatusNotFound)
		callWith(t, srv, "GET", "/me", "", nil, bearer(created.Token)).Want(t, http.StatusOK)
	})

	t.Run("a revoked token is a 401 at the next request", func(t *testing.T) {
		callWith(t, srv, "DELETE", fmt.Sprintf("/tokens/%d", created.ID), "", alice, nil).Want(t, http.StatusNoContent)
		r := callWith(t, srv, "GET", "/me", "", nil, bearer(created.Token)).Want(t, http.StatusUnauthorized)
		if !strings.Contains(string(r.Body), "revoked") || !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("revoked token: %s, WWW-Authenticate %q; want a detail that says revoked and the bearer challenge", r.Body, r.Header.Get("WWW-Authenticate"))
		}
	})
}

// TestTokenCreationRefusesBadInput: each malformed request is a 400 (or
// the documented status) naming what is wrong, and creates nothing.
func TestTokenCreationRefusesBadInput(t *testing.T) {
	srv := apitest.NewServer(t)
	carol := srv.Login(t, "carol")
	callWith(t, srv, "POST", "/tokens", `{"name":"taken","scopes":["read"]}`, carol, nil).Want(t, http.StatusCreated)
	for _, tc := range []struct {
		body   string
		status int
		detail string
	}{
		{`{"scopes":["read"]}`, 400, "name is required"},
		{`{"name":"  ","scopes":["read"]}`, 400, "name is required"},
		{`{"name":"` + strings.Repeat("n", 65) + `","scopes":["read"]}`, 400, "at most 64"},
		{`{"name":"a\u0007b","scopes":["read"]}`, 400, "control characters"},
		{`{"name":"x"}`, 400, "scopes is required"},
		{`{"name":"x","scopes":[]}`, 400, "scopes is required"},
		{`{"name":"x","scopes":["root"]}`, 400, `root`},
		{`{"name":"x","scopes":["read"],"expires_in":"soon"}`, 400, "not a lifetime"},
		{`{"name":"x","scopes":["read"],"expires_in":"0d"}`, 400, "number of days"},
		{`{"name":"x","scopes":["read"],"expires_in":"30s"}`, 400, "from 1m to 365d"},
		{`{"name":"x","scopes":["read"],"expires_in":"366d"}`, 400, "from 1m to 365d"},
		{`{"name":"x","scopes":["read"],"expires_in":"never"}`, 400, "tokens.allow_never"},
		{`{"name":"x","scopes":["admin"]}`, 403, "only an admin may"},
		{`{"name":"TAKEN","scopes":["read"]}`, 409, "already have a token named"},
		{`{"name":"x","scopes":["read"],"owner":"alice"}`, 400, "owner"},
	} {
		r := callWith(t, srv, "POST", "/tokens", tc.body, carol, nil)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.detail) {
			t.Errorf("POST /tokens %s = %d %s; want %d naming %q", tc.body, r.Status, r.Body, tc.status, tc.detail)
		}
	}
	var list []map[string]any
	if err := json.Unmarshal(callWith(t, srv, "GET", "/tokens", "", carol, nil).Want(t, http.StatusOK).Body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("carol has %d tokens after the refused requests; want the one made first", len(list))
	}

	t.Run("never, where the operator allows it", func(t *testing.T) {
		cfg := api.Config{PublicRoutes: api.DefaultSkipList(), AllowNeverExpiringTokens: true}
		srv := apitest.NewServerWith(t, apitest.Options{Config: &cfg})
		r := callWith(t, srv, "POST", "/tokens", `{"name":"x","scopes":["read"],"expires_in":"never"}`, srv.Login(t, "carol"), nil).Want(t, http.StatusCreated)
		var created struct {
			ExpiresAt *time.Time `json:"expires_at"`
			Token     string     `json:"token"`
		}
		if err := json.Unmarshal(r.Body, &created); err != nil {
			t.Fatal(err)
		}
		if created.ExpiresAt != nil {
			t.Errorf("expires_at = %v; want null", created.ExpiresAt)
		}
		srv.Clock.Advance(10 * api.MaxTokenLifetime)
		me := callWith(t, srv, "GET", "/me", "", nil, bearer(created.Token)).Want(t, http.StatusOK)
		if h, ok := me.Header["Docs-Token-Expiration"]; ok {
			t.Errorf("Docs-Token-Expiration = %q for a token that never expires; want none", h)
		}
	})
}

// TestTokenCredentialsAreExact: what a request sends with a token is one
// credential, well formed, valid now; every other case is refused with
// the status that says why.
func TestTokenCredentialsAreExact(t *testing.T) {
	srv := apitest.NewServer(t)
	_, secret := srv.Token(t, "alice", "1h", docs.Scopes()...)
	alice := srv.Login(t, "alice")
	mistyped := []byte(secret)
	if mistyped[len(mistyped)-1] == 'a' {
		mistyped[len(mistyped)-1] = 'b'
	} else {
		mistyped[len(mistyped)-1] = 'a'
	}
	for _, tc := range []struct {
		name   string
		cookie *http.Cookie
		header map[string]string
		status int
		detail string
	}{
		{"a cookie and a token", alice, bearer(secret), 400, "not both"},
		{"another scheme", nil, map[string]string{"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="}, 400, "Bearer"},
		{"a mistyped token", nil, bearer(string(mistyped)), 401, "checksum"},
		{"not a token", nil, bearer("hunter2"), 401, "malformed"},
		{"an unknown token", nil, bearer(token.New()), 401, "revoked or never existed"},
		{"the scheme in lower case", nil, map[string]string{"Authorization": "bearer " + secret}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := callWith(t, srv, "GET", "/me", "", tc.cookie, tc.header)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.detail) {
				t.Errorf("GET /me with %s = %d %s; want %d naming %q", tc.name, r.Status, r.Body, tc.status, tc.detail)
			}
		})
	}

	t.Run("on a public route a bad token is a 401 too, and a good one outside its scopes is anonymous", func(t *testing.T) {
		callWith(t, srv, "GET", "/documents", "", nil, bearer(token.New())).Want(t, http.StatusUnauthorized)
		_, write := srv.Token(t, "alice", "", docs.ScopeWrite)
		callWith(t, srv, "GET", "/documents", "", nil, bearer(write)).Want(t, http.StatusOK)
		callWith(t, srv, "GET", "/healthz", "", nil, bearer(token.New())).Want(t, http.StatusOK)
	})

	t.Run("an expired token says when it expired", func(t *testing.T) {
		srv.Clock.Advance(time.Hour)
		r := callWith(t, srv, "GET", "/me", "", nil, bearer(secret)).Want(t, http.StatusUnauthorized)
		if !strings.Contains(string(r.Body), "the token expired at") || !strings.Contains(string(r.Body), "docs token create") {
			t.Errorf("expired token: %s; want when it expired and how to make another", r.Body)
		}
	})
}

// TestTokenOutsideItsScope: the 403 names the scope needed, and routes for
// sessions only say so.
func TestTokenOutsideItsScope(t *testing.T) {
	srv := apitest.NewServer(t)
	_, read := srv.Token(t, "alice", "", docs.ScopeRead)
	r := callWith(t, srv, "POST", "/documents", `{"title":"t"}`, nil, bearer(read)).Want(t, http.StatusForbidden)
	if !strings.Contains(string(r.Body), "do not cover write") || !strings.Contains(string(r.Body), "--scope write") {
		t.Errorf("a read token creating a document: %s; want the write scope named", r.Body)
	}
	r = callWith(t, srv, "POST", "/tokens", `{"name":"more","scopes":["read"]}`, nil, bearer(read)).Want(t, http.StatusForbidden)
	if !strings.Contains(string(r.Body), "needs a session") {
		t.Errorf("a token making a token: %s; want it refused as needing a session", r.Body)
	}
}

// TestTokensFollowTheirUserOnEveryReplica: a token never allows more than
// its user may do now. A role change, a revocation and the user's removal
// made on one replica hold on another at its next request, with each
// replica's token cache warm.
func TestTokensFollowTheirUserOnEveryReplica(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T) {
		a := apitest.NewServer(t)
		b := apitest.NewServerWith(t, apitest.Options{Share: a})
		erin := a.AddUser(t, "erin", docs.RoleAdmin)
		_, admin := a.Token(t, "erin", "", docs.ScopeRead, docs.ScopeAdmin)
		id, other := a.Token(t, "erin", "", docs.ScopeRead)
		for _, srv := range []*apitest.Server{a, b} {
			callWith(t, srv, "GET", "/users", "", nil, bearer(admin)).Want(t, http.StatusOK)
			callWith(t, srv, "GET", "/me", "", nil, bearer(other)).Want(t, http.StatusOK)
		}

		callWith(t, a, "PATCH", fmt.Sprintf("/users/%d", erin), `{"role":"member"}`, a.Login(t, "alice"), nil).Want(t, http.StatusOK)
		r := callWith(t, b, "GET", "/users", "", nil, bearer(admin)).Want(t, http.StatusForbidden)
		if !strings.Contains(string(r.Body), "only an admin") {
			t.Errorf("an admin token of a demoted user: %s; want the role refused", r.Body)
		}

		callWith(t, a, "DELETE", fmt.Sprintf("/tokens/%d", id), "", a.Login(t, "erin"), nil).Want(t, http.StatusNoContent)
		callWith(t, b, "GET", "/me", "", nil, bearer(other)).Want(t, http.StatusUnauthorized)

		callWith(t, b, "GET", "/me", "", nil, bearer(admin)).Want(t, http.StatusOK)
		if err := a.DB.DeleteUser(context.Background(), erin, 0, a.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		callWith(t, b, "GET", "/me", "", nil, bearer(admin)).Want(t, http.StatusUnauthorized)
	})
}

// reserveCounter counts the writes of the login throttle.
type reserveCounter struct {
	docs.Backend
	n atomic.Int64
}

func (c *reserveCounter) ReserveLoginAttempt(ctx context.Context, a docs.LoginAttempt) (time.Time, error) {
	c.n.Add(1)
	return c.Backend.ReserveLoginAttempt(ctx, a)
}

// TestUnknownTokensAreThrottled: guessing tokens counts toward the client
// address's throttle, like guessing passwords, with each failure written
// within a tenth of a second, not one write per request; a malformed token
// needs no database and counts for nothing.
func TestUnknownTokensAreThrottled(t *testing.T) {
	counter := &reserveCounter{}
	srv := apitest.NewServerWith(t, apitest.Options{Wrap: func(b docs.Backend) docs.Backend {
		counter.Backend = b
		return counter
	}})
	limit := api.ThrottleDefaults().MaxFailuresPerAddress
	for range limit + 5 {
		callWith(t, srv, "GET", "/me", "", nil, bearer("docs_pat_malformed")).Want(t, http.StatusUnauthorized)
	}
	if n := counter.n.Load(); n != 0 {
		t.Errorf("malformed tokens wrote the throttle %d times; want 0", n)
	}

	t.Run("many at once cost one write", func(t *testing.T) {
		for range limit / 2 {
			callWith(t, srv, "GET", "/me", "", nil, bearer(token.New())).Want(t, http.StatusUnauthorized)
		}
		if n := counter.n.Load(); n != 1 {
			t.Errorf("%d unknown tokens within a tenth of a second wrote the throttle %d times; want 1", limit/2, n)
		}
	})

	t.Run("they are all counted, and the address is locked past the limit", func(t *testing.T) {
		var status int
		for i := limit / 2; i <= limit+2; i++ {
			srv.Clock.Advance(time.Second)
			r := callWith(t, srv, "GET", "/me", "", nil, bearer(token.New()))
			if status = r.Status; status == http.StatusTooManyRequests {
				if i < limit {
					t.Errorf("locked after %d unknown tokens; want %d", i, limit)
				}
				if r.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
				break
			}
		}
		if status != http.StatusTooManyRequests {
			t.Fatalf("%d unknown tokens, a second apart, are still %d; want 429", limit+2, status)
		}
		if r := callWith(t, srv, "POST", "/login", `{"username":"alice","password":"password"}`, nil, nil); r.Status != http.StatusTooManyRequests {
			t.Errorf("a login from the locked address = %d; want 429: tokens and passwords share the address's count", r.Status)
		}
	})
}

// TestBearerRequestsSkipTheOriginCheck: a browser never attaches a bearer
// token by itself, so a cross-origin request that carries one was made by
// code that holds it; a cookie from a cross-origin page is still refused.
func TestBearerRequestsSkipTheOriginCheck(t *testing.T) {
	srv := apitest.NewServer(t)
	_, secret := srv.Token(t, "alice", "", docs.ScopeWrite)
	cross := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	withToken := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Authorization": "Bearer " + secret}
	callWith(t, srv, "POST", "/documents", `{"title":"t"}`, nil, withToken).Want(t, http.StatusCreated)
	callWith(t, srv, "POST", "/documents", `{"title":"t"}`, srv.Login(t, "alice"), cross).Want(t, http.StatusForbidden)
}

// touchCounter counts the uses recorded in the database.
type touchCounter struct {
	docs.Backend
	n atomic.Int64
}

func (c *touchCounter) TouchToken(ctx context.Context, id int64, at time.Time, from string) error {
	c.n.Add(1)
	return c.Backend.TouchToken(ctx, id, at, from)
}

// TestTokenUseIsRecordedAtMostOnceAMinute: the list shows when and from
// where a token was last used, and using it costs no write per request.
func TestTokenUseIsRecordedAtMostOnceAMinute(t *testing.T) {
	counter := &touchCounter{}
	srv := apitest.NewServerWith(t, apitest.Options{Wrap: func(b docs.Backend) docs.Backend {
		counter.Backend = b
		return counter
	}})
	_, secret := srv.Token(t, "alice", "", docs.ScopeRead)
	for range 20 {
		callWith(t, srv, "GET", "/me", "", nil, bearer(secret)).Want(t, http.StatusOK)
	}
	if n := counter.n.Load(); n != 1 {
		t.Errorf("20 requests within a minute recorded %d uses; want 1", n)
	}
	srv.Clock.Advance(time.Minute)
	callWith(t, srv, "GET", "/me", "", nil, bearer(secret)).Want(t, http.StatusOK)
	if n := counter.n.Load(); n != 2 {
		t.Errorf("a request a minute later: %d uses recorded; want 2", n)
	}
	var list []struct {
		LastUsedAt   *time.Time `json:"last_used_at"`
		LastUsedFrom string     `json:"last_used_from"`
	}
	if err := json.Unmarshal(callWith(t, srv, "GET", "/tokens", "", srv.Login(t, "alice"), nil).Want(t, http.StatusOK).Body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(srv.Clock.Now().Truncate(time.Microsecond)) || list[0].LastUsedFrom != "127.0.0.1" {
		t.Errorf("GET /tokens = %+v; want last used now from 127.0.0.1", list)
	}
}
