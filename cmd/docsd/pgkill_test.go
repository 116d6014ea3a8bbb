package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestPostgresKilled kills docsd's PostgreSQL with pg_ctl -m immediate
// under a running docsd: every request that needs the database answers a
// 503 problem with Retry-After within 5 s, none a 500, the process stays
// up, and once the server is started again the same session reads and
// writes without a restart of docsd.
func TestPostgresKilled(t *testing.T) {
	pg := startPrivatePostgres(t)
	bin := buildDocsd(t)
	seedPostgres(t, bin, pg.url())
	p := startDocsd(t, bin, pg.url())
	client := &http.Client{Timeout: 5 * time.Second}
	carol := procLogin(t, client, p.base, "carol")
	send := func(method, path, body string) apitest.Reply {
		t.Helper()
		r, err := apitest.Send(context.Background(), client, method, p.base+path, carol, nil, body)
		if err != nil {
			t.Fatalf("%s %s: %v; want an answer within 5 s\n%s", method, path, err, p.tail())
		}
		return r
	}
	created := send("POST", "/documents", `{"title":"Before","body":"v1"}`)
	if created.Status != 201 {
		t.Fatalf("POST /documents = %d %s; want 201", created.Status, created.Body)
	}
	doc := "/documents/" + strings.TrimPrefix(created.Header.Get("Location"), "/documents/")

	pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-m", "immediate", "stop")
	for _, c := range []struct{ method, path, body string }{
		{"GET", doc, ""}, {"PATCH", doc, `{"body":"v2"}`}, {"POST", "/documents", `{"title":"During"}`}, {"GET", "/readyz", ""},
	} {
		r := send(c.method, c.path, c.body)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("PostgreSQL killed: %s %s = %d, Retry-After %q, %s; want 503 with Retry-After", c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if r := send("GET", "/healthz", ""); r.Status != 200 {
		t.Errorf("PostgreSQL killed: GET /healthz = %d; want 200", r.Status)
	}
	select {
	case <-p.done:
		t.Fatalf("docsd exited while PostgreSQL was down: %v\n%s", p.err, p.tail())
	default:
	}

	pg.start()
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/readyz", "", 200}, {"GET", doc, "", 200}, {"PATCH", doc, `{"body":"after"}`, 200}, {"POST", "/documents", `{"title":"After"}`, 201},
	} {
		if r := send(c.method, c.path, c.body); r.Status != c.want {
			t.Errorf("PostgreSQL back: %s %s = %d %s; want %d", c.method, c.path, r.Status, r.Body, c.want)
		}
	}
	if log := p.tail(); strings.Contains(log, "status=500") {
		t.Errorf("docsd logged a 500:\n%s", log)
	}
}
