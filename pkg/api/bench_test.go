package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// serveB runs one request through the engine in-process, without a socket.
func serveB(b *testing.B, h http.Handler, method, path string, cookie *http.Cookie, want int) {
	b.Helper()
	req := httptest.NewRequest(method, path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	loopB(b, h, req, want, nil)
}

// loopB serves req once per iteration, after calling between when it is
// set, and fails on any status but want.
func loopB(b *testing.B, h http.Handler, req *http.Request, want int, between func()) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if between != nil {
			between()
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatalf("%s %s = %d; want %d: %s", req.Method, req.URL, w.Code, want, w.Body)
		}
	}
}

// BenchmarkEngine measures whole requests through the real engine and a
// real SQLite file. guard cost = me - health: the same trivial handler
// work, with and without the session guard.
func BenchmarkEngine(b *testing.B) {
	srv := apitest.NewServer(b)
	h := srv.Config.Handler
	cookie := srv.Login(b, "alice")
	for i := range 200 {
		srv.CreateDocument(b, "bob", fmt.Sprintf("doc %d", i), "a body of a modest size for a document")
	}
	b.Run("health public", func(b *testing.B) { serveB(b, h, "GET", "/healthz", nil, 200) })
	b.Run("me with session", func(b *testing.B) { serveB(b, h, "GET", "/me", cookie, 200) })
	b.Run("document with session", func(b *testing.B) { serveB(b, h, "GET", "/documents/5", cookie, 200) })
	b.Run("document 401 no cookie", func(b *testing.B) { serveB(b, h, "GET", "/documents/5", nil, 401) })
	b.Run("document list first page of 100", func(b *testing.B) { serveB(b, h, "GET", "/documents", nil, 200) })
}

// BenchmarkEngineMetrics is BenchmarkEngine's cheapest requests with
// metrics on: the difference is what counting costs a request.
func BenchmarkEngineMetrics(b *testing.B) {
	srv := apitest.NewServerWith(b, apitest.Options{Config: &api.Config{
		PublicRoutes: api.DefaultSkipList(), Metrics: prometheus.NewRegistry(),
	}})
	h := srv.Config.Handler
	b.Run("health public", func(b *testing.B) { serveB(b, h, "GET", "/healthz", nil, 200) })
	b.Run("document 401 no cookie", func(b *testing.B) { serveB(b, h, "GET", "/documents/5", nil, 401) })
}

// BenchmarkEngineToken sets requests made with a bearer token beside the
// same requests made with a session cookie, as the figures pair
// them: a cached authorized GET, and the 401 of a well-formed credential
// the database does not know (an unknown token; the signed cookie of an
// ended session).
//
// An unknown token counts toward the address's login throttle: a process
// gathers them and writes them at most every tenth of a second. The clock
// moves 100 µs before each 401 of both kinds, as at 10,000 bad requests a
// second, so a write of the throttle falls on every thousandth unknown
// token; the throttle's window is a microsecond, so that no lockout turns
// a 401 into a 429.
func BenchmarkEngineToken(b *testing.B) {
	srv := apitest.NewServerWith(b, apitest.Options{Config: &api.Config{
		PublicRoutes: api.DefaultSkipList(),
		Throttle:     api.Throttle{MaxFailures: 5, MaxFailuresPerAddress: 20, Window: time.Microsecond},
	}})
	h := srv.Config.Handler
	for i := range 200 {
		srv.CreateDocument(b, "bob", fmt.Sprintf("doc %d", i), "a body of a modest size for a document")
	}
	cookie := srv.Login(b, "alice")
	_, secret := srv.Token(b, "alice", "", docs.ScopeRead)
	ended := srv.Login(b, "alice")
	if r, err := apitest.Send(context.Background(), srv.Client(), "DELETE", srv.URL+"/logout", ended, nil, ""); err != nil || r.Status != 204 {
		b.Fatalf("DELETE /logout = %d (%v); want 204", r.Status, err)
	}
	withToken := func(secret string) *http.Request {
		req := httptest.NewRequest("GET", "/documents/5", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		return req
	}
	withCookie := func(c *http.Cookie) *http.Request {
		req := httptest.NewRequest("GET", "/documents/5", nil)
		req.AddCookie(c)
		return req
	}
	tick := func() { srv.Clock.Advance(100 * time.Microsecond) }
	b.Run("document with session", func(b *testing.B) { loopB(b, h, withCookie(cookie), 200, nil) })
	b.Run("document with token", func(b *testing.B) { loopB(b, h, withToken(secret), 200, nil) })
	b.Run("document 401 ended session", func(b *testing.B) { loopB(b, h, withCookie(ended), 401, tick) })
	b.Run("document 401 unknown token", func(b *testing.B) { loopB(b, h, withToken(token.New()), 401, tick) })
}
