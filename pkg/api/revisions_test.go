package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

type revisionOut struct {
	DocumentID int64   `json:"document_id"`
	Version    int64   `json:"version"`
	Title      string  `json:"title"`
	Body       *string `json:"body"`
	Author     struct {
		Username string `json:"username"`
	} `json:"author"`
	By *struct {
		Username string `json:"username"`
	} `json:"by"`
}

func revisionsOf(t *testing.T, r apitest.Reply) []revisionOut {
	t.Helper()
	var out []revisionOut
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return out
}

// history lists the versions of document id and who made each, "-" for
// no user, walking every page of limit.
func history(t *testing.T, srv *apitest.Server, id int64, cookie *http.Cookie, limit int) []string {
	t.Helper()
	var out []string
	path := fmt.Sprintf("/documents/%d/revisions?limit=%d", id, limit)
	for range 20 {
		r := do(t, srv, call{method: "GET", path: path, cookie: cookie}).Want(t, 200)
		for _, rev := range revisionsOf(t, r) {
			if rev.Body != nil {
				t.Errorf("GET %s: version %d has a body; want none in a list", path, rev.Version)
			}
			by := "-"
			if rev.By != nil {
				by = rev.By.Username
			}
			out = append(out, fmt.Sprintf("%d %s %s", rev.Version, rev.Title, by))
		}
		link := r.Header.Get("Link")
		if link == "" {
			return out
		}
		next, _, _ := strings.Cut(strings.TrimPrefix(link, "<"), ">")
		path = fmt.Sprintf("/documents/%d/%s", id, next)
	}
	t.Fatalf("GET %s: more than 20 pages", path)
	return nil
}

func TestRevisions(t *testing.T) { apitest.ForEachBackend(t, testRevisions) }

func testRevisions(t *testing.T) {
	srv := apitest.NewServer(t)
	srv.AddUser(t, "dave", docs.RoleMember)
	dave, bob, carol, alice := srv.Login(t, "dave"), srv.Login(t, "bob"), srv.Login(t, "carol"), srv.Login(t, "alice")
	newDoc := func(t *testing.T) (int64, string) {
		id := srv.CreateDocument(t, "dave", "v1", "one")
		do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/documents/%d", id), body: `{"title":"v2","body":"two"}`, cookie: bob, header: map[string]string{"If-Match": `"1"`}}).Want(t, 200)
		return id, fmt.Sprintf("/documents/%d", id)
	}

	t.Run("every change is a revision naming who made it, newest first, paged with Link", func(t *testing.T) {
		id, path := newDoc(t)
		do(t, srv, call{method: "PATCH", path: path, body: `{"title":"lost"}`, cookie: dave, header: map[string]string{"If-Match": `"1"`}}).Want(t, 412)
		do(t, srv, call{method: "POST", path: path + "/revert", body: `{"version":1}`, cookie: dave, header: map[string]string{"If-Match": `"2"`}}).Want(t, 200)
		want := []string{"3 v1 dave", "2 v2 bob", "1 v1 dave"}
		for _, limit := range []int{1, 2, 100} {
			if got := history(t, srv, id, carol, limit); !slices.Equal(got, want) {
				t.Errorf("history of document %d in pages of %d = %q; want %q", id, limit, got, want)
			}
		}
	})

	t.Run("a revision is sent with its body and a strong ETag, and private ones are never cached", func(t *testing.T) {
		id, path := newDoc(t)
		r := do(t, srv, call{method: "GET", path: path + "/revisions/1", cookie: carol}).Want(t, 200)
		var rev revisionOut
		if err := json.Unmarshal(r.Body, &rev); err != nil {
			t.Fatal(err)
		}
		if rev.DocumentID != id || rev.Version != 1 || rev.Body == nil || *rev.Body != "one" || rev.Author.Username != "dave" {
			t.Errorf("GET %s/revisions/1 = %s; want version 1 of document %d with body one by dave", path, r.Body, id)
		}
		if got := r.Header.Get("ETag"); got != `"1"` {
			t.Errorf("GET %s/revisions/1: ETag %q; want \"1\", strong", path, got)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s/revisions/1 on a private route: Cache-Control %q; want no-store", path, got)
		}
		do(t, srv, call{method: "GET", path: path + "/revisions/9", cookie: carol}).Want(t, 404)
		do(t, srv, call{method: "GET", path: path + "/revisions/x", cookie: carol}).Want(t, 400)
		do(t, srv, call{method: "GET", path: path + "/revisions/1"}).Want(t, 401)
	})

	t.Run("revert follows the edit rule and If-Match, and a refused one leaves no revision", func(t *testing.T) {
		id, path := newDoc(t)
		do(t, srv, call{method: "POST", path: path + "/revert", body: `{"version":1}`, cookie: carol}).Want(t, 403)
		do(t, srv, call{method: "POST", path: path + "/revert", body: `{"version":1}`, cookie: dave, header: map[string]string{"If-Match": `"1"`}}).Want(t, 412)
		do(t, srv, call{method: "POST", path: path + "/revert", body: `{"version":7}`, cookie: dave}).Want(t, 400)
		do(t, srv, call{method: "POST", path: path + "/revert", body: `{}`, cookie: dave}).Want(t, 400)
		r := do(t, srv, call{method: "POST", path: path + "/revert", body: `{"version":1}`, cookie: bob, header: map[string]string{"If-Match": `"2"`}}).Want(t, 200)
		if d := documentOf(t, r); d.Version != 3 || d.Title != "v1" || *d.Body != "one" || r.Header.Get("ETag") != `"3"` {
			t.Errorf("revert of document %d to 1 = %s, ETag %s; want version 3 titled v1, ETag \"3\"", id, r.Body, r.Header.Get("ETag"))
		}
		if got, want := history(t, srv, id, carol, 100), []string{"3 v1 bob", "2 v2 bob", "1 v1 dave"}; !slices.Equal(got, want) {
			t.Errorf("history of document %d = %q; want %q", id, got, want)
		}
	})

	t.Run("a deleted document is 404, keeps its history for its author and admins, and its author or an admin restores it", func(t *testing.T) {
		id, path := newDoc(t)
		do(t, srv, call{method: "GET", path: path, cookie: carol}).Want(t, 200) // cached
		do(t, srv, call{method: "POST", path: path + "/restore", cookie: dave}).Want(t, 409)
		do(t, srv, call{method: "DELETE", path: path, cookie: dave}).Want(t, 204)
		do(t, srv, call{method: "GET", path: path, cookie: dave}).Want(t, 404)
		do(t, srv, call{method: "PATCH", path: path, body: `{"title":"x"}`, cookie: dave}).Want(t, 404)
		if r := do(t, srv, call{method: "GET", path: "/documents?limit=1000", cookie: dave}).Want(t, 200); strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d,`, id)) {
			t.Errorf("GET /documents lists deleted document %d", id)
		}
		r := do(t, srv, call{method: "GET", path: path + "/revisions", cookie: carol}).Want(t, 403)
		if !strings.Contains(string(r.Body), "only the author (dave) or an admin may read the history of deleted document") {
			t.Errorf("carol's GET %s/revisions = %s; want a 403 that says who may", path, r.Body)
		}
		do(t, srv, call{method: "GET", path: path + "/revisions/1", cookie: bob}).Want(t, 403)
		for _, who := range []*http.Cookie{dave, alice} {
			if got, want := history(t, srv, id, who, 100), []string{"2 v2 bob", "1 v1 dave"}; !slices.Equal(got, want) {
				t.Errorf("history of deleted document %d = %q; want %q", id, got, want)
			}
			do(t, srv, call{method: "GET", path: path + "/revisions/2", cookie: who}).Want(t, 200)
		}
		do(t, srv, call{method: "POST", path: path + "/restore", cookie: carol}).Want(t, 403)
		do(t, srv, call{method: "POST", path: path + "/restore", cookie: bob}).Want(t, 403)
		r = do(t, srv, call{method: "POST", path: path + "/restore", cookie: alice}).Want(t, 200)
		if d := documentOf(t, r); d.ID != id || d.Version != 3 || d.Title != "v2" || d.Author.Username != "dave" {
			t.Errorf("restore of document %d = %s; want it back under its id as version 3 by dave", id, r.Body)
		}
		if d := documentOf(t, do(t, srv, call{method: "GET", path: path, cookie: carol}).Want(t, 200)); d.Version != 3 {
			t.Errorf("GET %s after the restore = version %d; want 3", path, d.Version)
		}
		do(t, srv, call{method: "POST", path: path + "/restore", cookie: alice}).Want(t, 409)
		do(t, srv, call{method: "POST", path: "/documents/999999/restore", cookie: alice}).Want(t, 404)
		do(t, srv, call{method: "GET", path: "/documents/999999/revisions", cookie: alice}).Want(t, 404)
	})

	t.Run("a replica sees a deletion and a restore made by another at its next request", func(t *testing.T) {
		other := apitest.NewServerWith(t, apitest.Options{Share: srv})
		id, path := newDoc(t)
		do(t, other, call{method: "GET", path: path, cookie: carol}).Want(t, 200)
		do(t, srv, call{method: "DELETE", path: path, cookie: dave}).Want(t, 204)
		do(t, other, call{method: "GET", path: path, cookie: carol}).Want(t, 404)
		do(t, srv, call{method: "POST", path: path + "/restore", cookie: dave}).Want(t, 200)
		if d := documentOf(t, do(t, other, call{method: "GET", path: path, cookie: carol}).Want(t, 200)); d.ID != id || d.Version != 3 {
			t.Errorf("the other replica's GET %s after the restore = version %d; want 3", path, d.Version)
		}
	})
}

// TestPublicRevisions: on a skip list that makes a document's history
// public, an anonymous caller reads a revision that anyone may keep for a
// year, and a logged-in one an answer no cache keeps.
func TestPublicRevisions(t *testing.T) { apitest.ForEachBackend(t, testPublicRevisions) }

func testPublicRevisions(t *testing.T) {
	public := append(api.DefaultSkipList(), "document", "document_revisions", "document_revision")
	srv := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{PublicRoutes: public, AllowRegistration: true}})
	srv.AddUser(t, "dave", docs.RoleMember)
	id := srv.CreateDocument(t, "dave", "wiki", "text")
	path := fmt.Sprintf("/documents/%d/revisions/1", id)
	r := do(t, srv, call{method: "GET", path: path}).Want(t, 200)
	if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("anonymous GET %s, public: Cache-Control %q; want public, max-age=31536000, immutable", path, got)
	}
	r = do(t, srv, call{method: "GET", path: path, cookie: srv.Login(t, "carol")}).Want(t, 200)
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("carol's GET %s, public: Cache-Control %q; want no-store", path, got)
	}
	do(t, srv, call{method: "DELETE", path: fmt.Sprintf("/documents/%d", id), cookie: srv.Login(t, "dave")}).Want(t, 204)
	do(t, srv, call{method: "GET", path: fmt.Sprintf("/documents/%d/revisions", id)}).Want(t, 404)
}
