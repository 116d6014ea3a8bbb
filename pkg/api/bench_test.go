package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
)

// serveB runs one request through the engine in-process, without a socket.
func serveB(b *testing.B, h http.Handler, method, path string, cookie *http.Cookie, want int) {
	b.Helper()
	req := httptest.NewRequest(method, path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatalf("%s %s = %d; want %d: %s", method, path, w.Code, want, w.Body)
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
