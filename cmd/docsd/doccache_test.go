package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestDocumentCacheProcesses runs two real docsd processes on one database,
// each with its own document cache, and changes documents through the
// other process and through `docsd user rm --reassign-to`: the next GET on
// the first shows the change. It runs on a SQLite file always and on
// PostgreSQL when DOCSD_TEST_POSTGRES is set.
func TestDocumentCacheProcesses(t *testing.T) {
	bin := buildDocsd(t)
	t.Run("sqlite", func(t *testing.T) {
		testDocumentCacheProcesses(t, bin, filepath.Join(t.TempDir(), "docs.db"))
	})
	t.Run("postgres", func(t *testing.T) { testDocumentCacheProcesses(t, bin, pgtest.URL(t)) })
}

func testDocumentCacheProcesses(t *testing.T, bin, database string) {
	cli := func(args ...string) {
		t.Helper()
		runDocsd(t, bin, database, "password\n", args...)
	}
	cli("seed")
	cli("user", "add", "dave", "--password-stdin")
	a, b := startDocsd(t, bin, database), startDocsd(t, bin, database)
	client := &http.Client{Timeout: 30 * time.Second}
	send := func(p *proc, method, path string, cookie *http.Cookie, header map[string]string, body string) apitest.Reply {
		t.Helper()
		return p.send(t, client, method, path, cookie, header, body)
	}
	type document struct {
		Body    string
		Version int64
		Author  struct{ Username string }
	}
	// get reads path on A twice, the second time from A's cache.
	get := func(path string, cookie *http.Cookie) document {
		t.Helper()
		var d document
		for range 2 {
			r := send(a, "GET", path, cookie, nil, "")
			if r.Status != 200 {
				t.Fatalf("GET %s on A = %d %s; want 200", path, r.Status, r.Body)
			}
			if err := json.Unmarshal(r.Body, &d); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	bob, dave := procLogin(t, client, a.base, "bob"), procLogin(t, client, b.base, "dave")
	r := send(b, "POST", "/documents", dave, nil, `{"title":"Dave's","body":"first"}`)
	if r.Status != 201 {
		t.Fatalf("POST /documents on B = %d %s; want 201", r.Status, r.Body)
	}
	var created struct{ ID int64 }
	if err := json.Unmarshal(r.Body, &created); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/documents/%d", created.ID)

	if d := get(path, bob); d.Body != "first" || d.Author.Username != "dave" {
		t.Fatalf("GET %s on A = %+v; want dave's first body", path, d)
	}
	if r := send(b, "PATCH", path, dave, map[string]string{"If-Match": `"1"`}, `{"body":"second"}`); r.Status != 200 {
		t.Fatalf("PATCH %s on B = %d %s; want 200", path, r.Status, r.Body)
	}
	if d := get(path, bob); d.Body != "second" || d.Version != 2 {
		t.Errorf("GET %s on A after an edit on B = version %d %q; want version 2 \"second\"", path, d.Version, d.Body)
	}

	cli("user", "rm", "dave", "--reassign-to", "carol", "--yes")
	if d := get(path, bob); d.Author.Username != "carol" {
		t.Errorf("GET %s on A after docsd user rm dave --reassign-to carol: author %q; want carol", path, d.Author.Username)
	}

	if r := send(b, "DELETE", path, procLogin(t, client, b.base, "carol"), nil, ""); r.Status != 204 {
		t.Fatalf("DELETE %s on B by its new author = %d %s; want 204", path, r.Status, r.Body)
	}
	if r := send(a, "GET", path, bob, nil, ""); r.Status != 404 {
		t.Errorf("GET %s on A after a delete on B = %d %s; want 404", path, r.Status, r.Body)
	}
}
