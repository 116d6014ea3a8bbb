package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

func TestOverlongPasswordAtLogin(t *testing.T) {
	srv := apitest.NewServer(t)
	exact := strings.Repeat("p", docs.MaxPasswordBytes)
	u := &docs.User{Username: "long", Role: docs.RoleMember, PasswordHash: hashOf(t, exact), CreatedAt: srv.Clock.Now()}
	if err := srv.DB.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	t.Run("a password that extends the right 72 bytes is a 401 that counts", func(t *testing.T) {
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login("long", exact+"extra")).Want(t, 401)
		}
		do(t, srv, login("long", exact)).Want(t, 429)
	})
	srv.Clock.Advance(api.ThrottleDefaults().Window + time.Second)
	t.Run("the exact 72 bytes log in", func(t *testing.T) {
		do(t, srv, login("long", exact)).Want(t, 200)
	})
}

func TestCookieSpellings(t *testing.T) {
	srv := apitest.NewServer(t)
	c := srv.Login(t, "bob")
	do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := len(c.Value) - 1
	for _, ch := range alphabet {
		if byte(ch) == c.Value[last] {
			continue
		}
		other := &http.Cookie{Name: c.Name, Value: c.Value[:last] + string(ch)}
		if r := do(t, srv, call{method: "GET", path: "/me", cookie: other}); r.Status != 401 {
			t.Errorf("GET /me with the cookie's last character %q changed to %q = %d; want 401", c.Value[last], ch, r.Status)
		}
	}
}

// TestCachingHeaders walks the route table: every answer to a request made
// with a valid session, and every answer of a route that is not public (a
// 401 included), says Cache-Control: no-store; a public route's answer may
// depend on the session, so it varies with the cookie.
func TestCachingHeaders(t *testing.T) {
	srv := apitest.NewServer(t)
	doc := srv.CreateDocument(t, "alice", "cached?", "body")
	public := map[string]bool{}
	for _, name := range api.DefaultSkipList() {
		public[name] = true
	}
	for _, r := range api.Routes() {
		path := strings.NewReplacer("/documents/:id", fmt.Sprintf("/documents/%d", doc), "/users/:id", fmt.Sprintf("/users/%d", srv.Users["carol"])).Replace(r.Path)
		body := ""
		if r.Method == "POST" || r.Method == "PATCH" {
			body = "{}"
		}
		for _, who := range []string{"", "alice"} {
			var cookie *http.Cookie
			caller := "anonymous"
			if who != "" {
				cookie, caller = srv.Login(t, who), "logged in"
			}
			res := do(t, srv, call{method: r.Method, path: path, body: body, cookie: cookie})
			if (who != "" || !public[r.Name]) && res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s (%s, %s): status %d with Cache-Control %q; want no-store", r.Method, path, r.Name, caller, res.Status, res.Header.Get("Cache-Control"))
			}
			if public[r.Name] && !slices.Contains(res.Header.Values("Vary"), "Cookie") {
				t.Errorf("%s %s (public route %s, %s): Vary %q; want Cookie", r.Method, path, r.Name, caller, res.Header.Values("Vary"))
			}
		}
	}
	t.Run("the answer that sets a new session cookie is not cached", func(t *testing.T) {
		res := do(t, srv, login("bob", "password")).Want(t, 200)
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("login Cache-Control = %q; want no-store", got)
		}
	})
	t.Run("a 404 to a logged-in caller is not cached either", func(t *testing.T) {
		res := do(t, srv, call{method: "GET", path: "/nowhere", cookie: srv.Login(t, "bob")}).Want(t, 404)
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q; want no-store", got)
		}
	})
}

// last returns the last request line logged.
func (b *logBuffer) last(t *testing.T) logLine {
	t.Helper()
	l := b.lines(t, 0)
	if len(l) == 0 {
		t.Fatal("nothing logged")
	}
	return l[len(l)-1]
}

// newLoggedServer starts docsd with its log in a buffer and cfg's changes
// to the default configuration.
func newLoggedServer(t *testing.T, change func(*api.Config)) (*apitest.Server, *logBuffer) {
	logs := &logBuffer{}
	cfg := api.Config{PublicRoutes: api.DefaultSkipList(), AllowRegistration: true, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	if change != nil {
		change(&cfg)
	}
	return apitest.NewServerWith(t, apitest.Options{Config: &cfg}), logs
}

func TestLongPathIsCut(t *testing.T) {
	srv, logs := newLoggedServer(t, nil)
	path := "/" + strings.Repeat("a", 900<<10)
	r := do(t, srv, call{method: "GET", path: path}).Want(t, 404)
	detail := r.Problem(t).Detail
	if len(detail) > 400 || !strings.Contains(detail, fmt.Sprintf("cut: %d bytes in all", len(path))) {
		t.Errorf("404 detail is %d bytes: %.80q...; want at most 400, marked as cut", len(detail), detail)
	}
	if logged := logs.last(t).Path; len(logged) > 400 || !strings.Contains(logged, "cut: ") {
		t.Errorf("logged path is %d bytes: %.120q...; want at most 400, marked as cut", len(logged), logged)
	}
	t.Run("a multi-byte character is not split", func(t *testing.T) {
		path := "/" + strings.Repeat("é", 300)
		detail := do(t, srv, call{method: "GET", path: path}).Want(t, 404).Problem(t).Detail
		if !utf8.ValidString(detail) || strings.Contains(detail, "\uFFFD") {
			t.Errorf("detail %q splits a character", detail)
		}
	})
}

func TestRequestLog(t *testing.T) {
	t.Run("every line carries the client address and the request id the response echoes", func(t *testing.T) {
		srv, logs := newLoggedServer(t, nil)
		seen := map[string]bool{}
		for _, c := range []call{{method: "GET", path: "/healthz"}, {method: "GET", path: "/me"}, {method: "GET", path: "/nowhere"}} {
			r := do(t, srv, c)
			id := r.Header.Get("X-Request-Id")
			line := logs.last(t)
			if id == "" || seen[id] {
				t.Errorf("%s %s: X-Request-Id %q; want a new id", c.method, c.path, id)
			}
			seen[id] = true
			if line.RequestID != id || line.Client != "127.0.0.1" {
				t.Errorf("%s %s: logged request_id %q, client %q; want the response's %q and 127.0.0.1", c.method, c.path, line.RequestID, line.Client, id)
			}
		}
	})

	t.Run("X-Request-Id and X-Forwarded-For count only from a trusted proxy", func(t *testing.T) {
		header := map[string]string{"X-Request-Id": "edge-42", "X-Forwarded-For": "203.0.113.9"}
		untrusted, logs := newLoggedServer(t, nil)
		r := do(t, untrusted, call{method: "GET", path: "/healthz", header: header})
		if id := r.Header.Get("X-Request-Id"); id == "edge-42" {
			t.Errorf("untrusted peer: X-Request-Id %q; want a generated one", id)
		}
		if got := logs.last(t).Client; got != "127.0.0.1" {
			t.Errorf("untrusted peer: logged client %q; want the TCP peer 127.0.0.1", got)
		}
		trusted, logs := newLoggedServer(t, func(c *api.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
		r = do(t, trusted, call{method: "GET", path: "/healthz", header: header})
		if id := r.Header.Get("X-Request-Id"); id != "edge-42" {
			t.Errorf("trusted proxy: X-Request-Id %q; want the forwarded edge-42", id)
		}
		if line := logs.last(t); line.Client != "203.0.113.9" || line.RequestID != "edge-42" {
			t.Errorf("trusted proxy: logged client %q, request_id %q; want 203.0.113.9 and edge-42", line.Client, line.RequestID)
		}
		r = do(t, trusted, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "has space " + strings.Repeat("x", 200)}})
		if id := r.Header.Get("X-Request-Id"); strings.Contains(id, " ") {
			t.Errorf("trusted proxy, malformed id: X-Request-Id %q; want a generated one", id)
		}
	})

	t.Run("a failed login names the username attempted, not the user of the cookie sent", func(t *testing.T) {
		srv, logs := newLoggedServer(t, nil)
		bob := srv.Login(t, "bob")
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"carol","password":"wrong-password"}`, cookie: bob}).Want(t, 401)
		if line := logs.last(t); line.Login != "carol" || line.Outcome != "bad_credentials" || line.User != 0 {
			t.Errorf("logged login %q, outcome %q, user %d; want carol, bad_credentials and no user", line.Login, line.Outcome, line.User)
		}
		do(t, srv, login("carol", "password")).Want(t, 200)
		if line := logs.last(t); line.Login != "carol" || line.Outcome != "success" || line.User != srv.Users["carol"] {
			t.Errorf("logged login %q, outcome %q, user %d; want carol, success, %d", line.Login, line.Outcome, line.User, srv.Users["carol"])
		}
	})

	t.Run("the log and docsd_logins_total name a login's outcome alike", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		srv, logs := newLoggedServer(t, func(c *api.Config) { c.Metrics = reg })
		for _, tc := range []struct {
			c      call
			status int
			want   string
		}{
			{login("carol", "password"), 200, "success"},
			{login("carol", "wrong-password"), 401, "bad_credentials"},
			{call{method: "POST", path: "/login", body: `{"username":`}, 400, "invalid"},
			{call{method: "POST", path: "/login", body: `{"username":"carol","password":"password"}`, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403, "refused"},
		} {
			before := loginsCounted(t, reg, tc.want)
			do(t, srv, tc.c).Want(t, tc.status)
			if line := logs.last(t); line.Outcome != tc.want {
				t.Errorf("a login answered %d logged outcome %q; want %q", tc.status, line.Outcome, tc.want)
			}
			if got := loginsCounted(t, reg, tc.want); got != before+1 {
				t.Errorf("a login answered %d moved docsd_logins_total{outcome=%q} from %v to %v; want one more", tc.status, tc.want, before, got)
			}
		}
	})

	t.Run("an overlong attempted username is logged cut to the longest a name can be", func(t *testing.T) {
		srv, logs := newLoggedServer(t, nil)
		do(t, srv, login(strings.Repeat("n", 5000), "wrong-password")).Want(t, 401)
		if got := logs.last(t).Login; got != strings.Repeat("n", docs.MaxUsernameLen) {
			t.Errorf("logged login = %q; want the first %d bytes", got, docs.MaxUsernameLen)
		}
	})

	t.Run("a 429 line carries the reason", func(t *testing.T) {
		srv, logs := newLoggedServer(t, nil)
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("carol", "password")).Want(t, 429)
		if line := logs.last(t); line.Outcome != "throttled" || !strings.Contains(line.Reason, "too many failed logins") {
			t.Errorf("logged outcome %q, reason %q; want throttled and the reason", line.Outcome, line.Reason)
		}
	})
}

// TestStrictJSONKeys: a key is a field's name exactly, once. encoding/json
// alone would let the last of two keys win and match keys in any case.
func TestStrictJSONKeys(t *testing.T) {
	srv := apitest.NewServer(t)
	alice := srv.Login(t, "alice")
	for _, tc := range []struct {
		name, method, path, body, field string
		cookie                          *http.Cookie
	}{
		{"a duplicate key is a 400 naming it", "POST", "/register", `{"username":"alice2","username":"eve2","password":"long enough"}`, "username", nil},
		{"a duplicate key after other fields is a 400 naming it", "POST", "/documents", `{"title":"a","body":"b","title":"c"}`, "title", alice},
		{"a duplicate key spelt with an escape is a duplicate", "POST", "/documents", `{"title":"a","titl\u0065":"c"}`, "title", alice},
		{"an upper-case key is a 400 naming it", "POST", "/register", `{"USERNAME":"eve3","password":"long enough"}`, "USERNAME", nil},
		{"a mixed-case key is a 400 naming it", "PATCH", fmt.Sprintf("/users/%d", srv.Users["carol"]), `{"Role":"admin"}`, "Role", alice},
		{"a case-variant key is refused before its value's type is looked at", "POST", "/documents", `{"Title":1}`, "Title", alice},
		{"an unknown key is a 400 naming it", "POST", "/documents", `{"title":"a","extra":{"title":"x"}}`, "extra", alice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := do(t, srv, call{method: tc.method, path: tc.path, body: tc.body, cookie: tc.cookie}).Want(t, 400).Problem(t)
			if p.Field != tc.field || !strings.Contains(p.Detail, strconv.Quote(tc.field)) {
				t.Errorf("problem %+v; want field %q named in the detail", p, tc.field)
			}
		})
	}
	t.Run("nothing was registered", func(t *testing.T) {
		for _, name := range []string{"alice2", "eve2", "eve3"} {
			if _, err := srv.DB.UserByName(context.Background(), name); !docs.IsNotFound(err) {
				t.Errorf("UserByName(%q) = %v; want NotFound", name, err)
			}
		}
	})
	t.Run("nested keys and strings that look like keys are left alone", func(t *testing.T) {
		do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"{\"title\":1,\"Title\":2}", "body" : "a \\\"quoted\\\" [body] {x}"}`, cookie: alice}).Want(t, 201)
	})
}

// TestClientGoneIsNotAServerError sends a PATCH whose client has already
// gone: the store's context.Canceled is logged and counted as nginx's 499,
// never as an internal error at level ERROR.
func TestClientGoneIsNotAServerError(t *testing.T) {
	srv, logs := newLoggedServer(t, nil)
	cookie := srv.Login(t, "alice")
	doc := srv.CreateDocument(t, "alice", "T", "B")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "PATCH", fmt.Sprintf("/documents/%d", doc), strings.NewReader(`{"title":"gone"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	w := httptest.NewRecorder()
	srv.Config.Handler.ServeHTTP(w, req)
	if w.Code != 499 {
		t.Errorf("PATCH from a client that has gone = %d %s; want 499", w.Code, w.Body)
	}
	if l := logs.last(t); l.Status != 499 || l.Reason != "the client closed the request" {
		t.Errorf("log line = status %d, reason %q; want 499 and why", l.Status, l.Reason)
	}
	if all := logs.String(); strings.Contains(all, `"level":"ERROR"`) {
		t.Errorf("a client that went away was logged as an error:\n%s", all)
	}
}

// loginsCounted reads docsd_logins_total{outcome=outcome} from reg.
func loginsCounted(t *testing.T, reg *prometheus.Registry, outcome string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "docsd_logins_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("docsd_logins_total{outcome=%q} is not exported", outcome)
	return 0
}
