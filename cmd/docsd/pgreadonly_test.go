package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/api/apitest"
)

// sql runs statements on the private server, as its superuser.
func (pg *privatePostgres) sql(statements ...string) {
	pg.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.url())
	if err != nil {
		pg.t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			pg.t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestPostgresReadOnly turns docsd's PostgreSQL read-only under a running
// docsd (default_transaction_read_only, reloaded: what a primary being
// demoted, or a standby, looks like): /readyz answers 503 saying so,
// every write (PATCH, POST, login, logout) answers a 503 problem with
// Retry-After saying the database is read-only, never a 500, and reads go
// on, a session whose last use is due to be recorded included. Once the
// database takes writes again, so does docsd, by itself.
func TestPostgresReadOnly(t *testing.T) {
	pg := startPrivatePostgres(t)
	bin := buildDocsd(t)
	seedPostgres(t, bin, pg.url())
	p := startDocsd(t, bin, pg.url())
	client := &http.Client{Timeout: 30 * time.Second}
	send := func(c request) apitest.Reply {
		t.Helper()
		r, err := apitest.Send(context.Background(), client, c.method, p.base+c.path, c.cookie, nil, c.body)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		return r
	}
	carol := procLogin(t, client, p.base, "carol")
	created := send(request{method: "POST", path: "/documents", cookie: carol, body: `{"title":"Before","body":"v1"}`})
	if created.Status != http.StatusCreated {
		t.Fatalf("POST /documents = %d %s; want 201", created.Status, created.Body)
	}
	doc := created.Header.Get("Location")
	// carol's last use is due to be recorded at her next request, and a
	// logout elsewhere makes the session cache read her session again.
	pg.sql(`UPDATE sessions SET last_seen = last_seen - 120000000`)
	bob := procLogin(t, client, p.base, "bob")
	if r := send(request{method: "DELETE", path: "/logout", cookie: bob}); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE /logout = %d %s; want 204", r.Status, r.Body)
	}

	pg.sql(`ALTER SYSTEM SET default_transaction_read_only = on`, `SELECT pg_reload_conf()`)
	ready := untilReady(t, send, http.StatusServiceUnavailable)
	if !strings.Contains(string(ready.Body), "read-only") || ready.Header.Get("Retry-After") == "" {
		t.Errorf("read-only database: GET /readyz = %d, Retry-After %q, %s; want 503 with Retry-After saying read-only", ready.Status, ready.Header.Get("Retry-After"), ready.Body)
	}
	writes := []request{
		{method: "PATCH", path: doc, cookie: carol, body: `{"body":"v2"}`},
		{method: "POST", path: "/documents", cookie: carol, body: `{"title":"During"}`},
		{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`},
		{method: "DELETE", path: "/logout", cookie: carol},
	}
	for _, c := range writes {
		r := send(c)
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "read-only") {
			t.Errorf("read-only database: %s %s = %d, Retry-After %q, %s; want 503 with Retry-After saying read-only", c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	for _, c := range []request{{method: "GET", path: "/me", cookie: carol}, {method: "GET", path: doc, cookie: carol}, {method: "GET", path: "/documents"}, {method: "GET", path: "/documents", cookie: carol}} {
		if r := send(c); r.Status != http.StatusOK {
			t.Errorf("read-only database: %s %s = %d %s; want 200", c.method, c.path, r.Status, r.Body)
		}
	}

	pg.sql(`ALTER SYSTEM RESET default_transaction_read_only`, `SELECT pg_reload_conf()`)
	untilReady(t, send, http.StatusOK)
	for _, c := range writes {
		if r := send(c); r.Status >= 300 {
			t.Errorf("database writable again: %s %s = %d %s; want success", c.method, c.path, r.Status, r.Body)
		}
	}
	if log := p.tail(); strings.Contains(log, "status=500") {
		t.Errorf("docsd logged a 500:\n%s", log)
	}
}

// untilReady asks GET /readyz until it answers want, as a load balancer
// would, and returns that answer; PostgreSQL's backends take a reloaded
// setting at their next statement after the reload signal reaches them.
func untilReady(t *testing.T, send func(request) apitest.Reply, want int) apitest.Reply {
	t.Helper()
	var r apitest.Reply
	for range 100 {
		if r = send(request{method: "GET", path: "/readyz"}); r.Status == want {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("GET /readyz = %d %s after 100 tries; want %d", r.Status, r.Body, want)
	return r
}
