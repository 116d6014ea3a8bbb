package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

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
		for range api.DefaultThrottle.MaxFailures {
			do(t, srv, login("long", exact+"extra")).want(t, 401)
		}
		do(t, srv, login("long", exact)).want(t, 429)
	})
	srv.Clock.Advance(api.DefaultThrottle.Window + time.Second)
	t.Run("the exact 72 bytes log in", func(t *testing.T) {
		do(t, srv, login("long", exact)).want(t, 200)
	})
}

func TestCookieSpellings(t *testing.T) {
	srv := apitest.NewServer(t)
	c := srv.Login(t, "bob")
	do(t, srv, call{method: "GET", path: "/me", cookie: c}).want(t, 200)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := len(c.Value) - 1
	for _, ch := range alphabet {
		if byte(ch) == c.Value[last] {
			continue
		}
		other := &http.Cookie{Name: c.Name, Value: c.Value[:last] + string(ch)}
		if r := do(t, srv, call{method: "GET", path: "/me", cookie: other}); r.status != 401 {
			t.Errorf("GET /me with the cookie's last character %q changed to %q = %d; want 401", c.Value[last], ch, r.status)
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
	for _, name := range api.DefaultPublicRoutes {
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
			if (who != "" || !public[r.Name]) && res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s (%s, %s): status %d with Cache-Control %q; want no-store", r.Method, path, r.Name, caller, res.status, res.header.Get("Cache-Control"))
			}
			if public[r.Name] && !slices.Contains(res.header.Values("Vary"), "Cookie") {
				t.Errorf("%s %s (public route %s, %s): Vary %q; want Cookie", r.Method, path, r.Name, caller, res.header.Values("Vary"))
			}
		}
	}
	t.Run("a 404 to a logged-in caller is not cached either", func(t *testing.T) {
		res := do(t, srv, call{method: "GET", path: "/nowhere", cookie: srv.Login(t, "bob")}).want(t, 404)
		if got := res.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q; want no-store", got)
		}
	})
}

// logBuffer collects an engine's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the lines logged so far.
func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// last returns the last line logged.
func (b *logBuffer) last() string {
	l := b.lines()
	return l[len(l)-1]
}

// newLoggedServer starts docsd with its log in a buffer and cfg's changes
// to the default configuration.
func newLoggedServer(t *testing.T, change func(*api.Config)) (*apitest.Server, *logBuffer) {
	logs := &logBuffer{}
	cfg := api.Config{PublicRoutes: api.DefaultPublicRoutes, AllowRegistration: true, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if change != nil {
		change(&cfg)
	}
	return apitest.NewServerWith(t, apitest.Options{Config: &cfg}), logs
}

func TestLongPathIsCut(t *testing.T) {
	srv, logs := newLoggedServer(t, nil)
	path := "/" + strings.Repeat("a", 900<<10)
	r := do(t, srv, call{method: "GET", path: path}).want(t, 404)
	detail := r.problem(t).Detail
	if len(detail) > 400 || !strings.Contains(detail, fmt.Sprintf("cut: %d bytes in all", len(path))) {
		t.Errorf("404 detail is %d bytes: %.80q...; want at most 400, marked as cut", len(detail), detail)
	}
	if line := logs.last(); len(line) > 1000 || !strings.Contains(line, "cut: ") {
		t.Errorf("log line is %d bytes: %.120q...; want at most 1000, marked as cut", len(line), line)
	}
	t.Run("a multi-byte character is not split", func(t *testing.T) {
		path := "/" + strings.Repeat("é", 300)
		detail := do(t, srv, call{method: "GET", path: path}).want(t, 404).problem(t).Detail
		if !utf8.ValidString(detail) || strings.Contains(detail, "\uFFFD") {
			t.Errorf("detail %q splits a character", detail)
		}
	})
}
