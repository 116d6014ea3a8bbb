package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestDatabaseOutage cuts every connection between docsd and PostgreSQL and
// refuses new ones, as a stopped server does: each request that needs the
// database answers 503 with Retry-After (never a 500, never a hang: the
// client gives up after 5 s), the liveness check stays up, and once the
// database is reachable again docsd serves by itself, the same session
// included.
func TestDatabaseOutage(t *testing.T) {
	proxied, proxy := pgtest.NewProxy(t, pgtest.URL(t))
	srv := apitest.NewServerWith(t, apitest.Options{Backend: apitest.Database("postgres through a proxy", proxied)})
	client := &http.Client{Timeout: 5 * time.Second, Transport: srv.Client().Transport}
	carol := srv.Login(t, "carol")
	doc := srv.CreateDocument(t, "carol", "Notes", "v1")
	path := fmt.Sprintf("/documents/%d", doc)
	send := func(c call) apitest.Reply {
		t.Helper()
		r, err := apitest.Send(context.Background(), client, c.method, srv.URL+c.path, c.cookie, c.header, c.body)
		if err != nil {
			t.Fatalf("%s %s: %v; want an answer within the client's 5 s", c.method, c.path, err)
		}
		return r
	}
	needDB := []call{
		{method: "GET", path: path, cookie: carol},
		{method: "PATCH", path: path, cookie: carol, body: `{"body":"v2"}`},
		{method: "GET", path: "/documents"},
		{method: "GET", path: "/me", cookie: carol},
		{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`},
		{method: "GET", path: "/readyz"},
	}

	proxy.Cut()
	for round := range 2 {
		for _, c := range needDB {
			r := send(c)
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("round %d, database cut: %s %s = %d, Retry-After %q, %s; want a 503 problem with Retry-After", round, c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
			}
		}
	}
	for _, cookie := range []*http.Cookie{nil, carol} {
		if r := send(call{method: "GET", path: "/healthz", cookie: cookie}); r.Status != http.StatusOK {
			t.Errorf("database cut: GET /healthz with cookie %v = %d; want 200 (liveness does not ask the database)", cookie != nil, r.Status)
		}
	}

	proxy.Restore()
	for _, c := range needDB {
		if r := send(c); r.Status != http.StatusOK {
			t.Errorf("database back: %s %s = %d %s; want 200", c.method, c.path, r.Status, r.Body)
		}
	}
}
