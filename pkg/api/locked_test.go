package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver docsd's SQLite backend uses

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestSQLiteLocked holds SQLite's write lock from another connection, as
// a backup tool or an operator's sqlite3 shell in a transaction would,
// for longer than docsd waits for it (busy_timeout): every request that
// writes answers a 503 problem with Retry-After, never a 500 (the client
// waits 60 s, far past the 10 s busy_timeout); reads go on; and once the
// lock is let go, writes succeed again.
func TestSQLiteLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs.db")
	srv := apitest.NewServerWith(t, apitest.Options{Backend: apitest.Database("sqlite", path)})
	client := &http.Client{Timeout: time.Minute, Transport: srv.Client().Transport}
	carol := srv.Login(t, "carol")
	doc := fmt.Sprintf("/documents/%d", srv.CreateDocument(t, "carol", "Notes", "v1"))
	send := func(c call) apitest.Reply {
		r, err := apitest.Send(context.Background(), client, c.method, srv.URL+c.path, c.cookie, c.header, c.body)
		if err != nil {
			t.Errorf("%s %s: %v; want an answer within the client's 60 s", c.method, c.path, err)
		}
		return r
	}

	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	writes := []call{
		{method: "PATCH", path: doc, cookie: carol, body: `{"body":"v2"}`},
		{method: "POST", path: "/documents", cookie: carol, body: `{"title":"During"}`},
		{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`},
		{method: "DELETE", path: "/logout", cookie: carol},
	}
	var wg sync.WaitGroup
	for _, c := range writes {
		wg.Go(func() {
			start := time.Now()
			r := send(c)
			// Each waits at most 10 s for its turn among the process's
			// writes and 10 s (busy_timeout) for the lock: not 10 s for
			// every write queued before it.
			if took := time.Since(start); took > 25*time.Second {
				t.Errorf("write lock held elsewhere: %s %s answered after %s; want at most twice the 10 s busy_timeout", c.method, c.path, took.Round(time.Second))
			}
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("write lock held elsewhere: %s %s = %d, Retry-After %q, %s; want a 503 problem with Retry-After", c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
			}
		})
	}
	for _, c := range []call{{method: "GET", path: doc, cookie: carol}, {method: "GET", path: "/documents"}, {method: "GET", path: "/readyz"}} {
		wg.Go(func() {
			if r := send(c); r.Status != http.StatusOK {
				t.Errorf("write lock held elsewhere: %s %s = %d %s; want 200", c.method, c.path, r.Status, r.Body)
			}
		})
	}
	wg.Wait()

	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	for _, c := range writes {
		if r := send(c); r.Status >= 300 {
			t.Errorf("write lock let go: %s %s = %d %s; want success", c.method, c.path, r.Status, r.Body)
		}
	}
}
