package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

// TestDocumentCacheAcrossProcesses runs two engines on one database, each
// with its own document cache, as two docsd processes or replicas have.
// Every check first reads the document through A twice, so A holds it in
// memory, then changes something through B or the store, as another
// process or `docsd user` would: A's next answer must be the new truth. A
// cache that missed the document epoch would serve its old copy.
func TestDocumentCacheAcrossProcesses(t *testing.T) {
	apitest.ForEachBackend(t, testDocumentCacheAcrossProcesses)
}

func testDocumentCacheAcrossProcesses(t *testing.T) {
	a := apitest.NewServer(t)
	b := apitest.NewServerWith(t, apitest.Options{Share: a})
	ctx := context.Background()
	alice, bob, carol := a.Login(t, "alice"), a.Login(t, "bob"), a.Login(t, "carol")
	// cached reads id through A twice, so A serves it from memory.
	cached := func(t *testing.T, id int64, cookie *http.Cookie) documentOut {
		t.Helper()
		get := call{method: "GET", path: fmt.Sprintf("/documents/%d", id), cookie: cookie}
		do(t, a, get).Want(t, 200)
		return documentOf(t, do(t, a, get).Want(t, 200))
	}

	t.Run("an edit through another process is seen at the next GET", func(t *testing.T) {
		id := a.CreateDocument(t, "carol", "Draft", "first words")
		before := cached(t, id, bob)
		path := fmt.Sprintf("/documents/%d", id)
		do(t, b, call{method: "PATCH", path: path, cookie: carol, body: `{"body":"second words"}`,
			header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, before.Version)}}).Want(t, 200)
		r := do(t, a, call{method: "GET", path: path, cookie: bob}).Want(t, 200)
		got := documentOf(t, r)
		if got.Body == nil || *got.Body != "second words" || got.Version != before.Version+1 {
			t.Errorf("GET %s on A after the edit on B = version %d %q; want version %d \"second words\"", path, got.Version, deref(got.Body), before.Version+1)
		}
		if want := fmt.Sprintf(`"%d"`, before.Version+1); r.Header.Get("ETag") != want {
			t.Errorf("ETag on A after the edit on B = %s; want %s", r.Header.Get("ETag"), want)
		}
	})

	t.Run("a delete through another process is a 404 at the next GET", func(t *testing.T) {
		id := a.CreateDocument(t, "carol", "Doomed", "soon gone")
		cached(t, id, bob)
		path := fmt.Sprintf("/documents/%d", id)
		do(t, b, call{method: "DELETE", path: path, cookie: carol}).Want(t, 204)
		do(t, a, call{method: "GET", path: path, cookie: bob}).Want(t, 404)
	})

	t.Run("a reassigned author shows at the next GET", func(t *testing.T) {
		dave := a.AddUser(t, "dave", docs.RoleMember)
		id := a.CreateDocument(t, "dave", "Dave's", "dave wrote this")
		if got := cached(t, id, bob); got.Author.Username != "dave" {
			t.Fatalf("author before = %q; want dave", got.Author.Username)
		}
		// What `docsd user rm dave --reassign-to carol` does.
		if err := b.DB.DeleteUser(ctx, dave, a.Users["carol"], b.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		got := documentOf(t, do(t, a, call{method: "GET", path: fmt.Sprintf("/documents/%d", id), cookie: bob}).Want(t, 200))
		if got.Author.Username != "carol" || got.Author.ID != a.Users["carol"] {
			t.Errorf("author on A after the reassignment = %d %q; want %d carol", got.Author.ID, got.Author.Username, a.Users["carol"])
		}
		// The policy reads the cached author too: carol may now delete it.
		do(t, a, call{method: "DELETE", path: fmt.Sprintf("/documents/%d", id), cookie: carol}).Want(t, 204)
	})

	t.Run("a role change still holds at the next request on a cached document", func(t *testing.T) {
		id := a.CreateDocument(t, "alice", "Alice's", "edited by editors")
		path := fmt.Sprintf("/documents/%d", id)
		erin := a.AddUser(t, "erin", docs.RoleEditor)
		erinCookie := a.Login(t, "erin")
		cached(t, id, erinCookie)
		do(t, a, call{method: "PATCH", path: path, cookie: erinCookie, body: `{"title":"Edited by erin"}`}).Want(t, 200)
		cached(t, id, erinCookie)
		if _, err := b.DB.SetRole(ctx, erin, docs.RoleMember); err != nil {
			t.Fatal(err)
		}
		do(t, a, call{method: "PATCH", path: path, cookie: erinCookie, body: `{"title":"Again"}`}).Want(t, 403)
		do(t, a, call{method: "GET", path: path, cookie: erinCookie}).Want(t, 200)
	})

	t.Run("the cache never serves a document to someone the policy refuses", func(t *testing.T) {
		id := a.CreateDocument(t, "alice", "Private", "for logged-in eyes only")
		path := fmt.Sprintf("/documents/%d", id)
		cached(t, id, bob)
		for _, tc := range []struct {
			name   string
			c      call
			status int
		}{
			{"anonymous", call{method: "GET", path: path}, 401},
			{"a forged cookie", call{method: "GET", path: path, cookie: &http.Cookie{Name: bob.Name, Value: bob.Value[:len(bob.Value)-4] + "AAAA"}}, 401},
			{"a member editing another's document", call{method: "PATCH", path: path, cookie: carol, body: `{"title":"mine now"}`}, 403},
			{"a member deleting another's document", call{method: "DELETE", path: path, cookie: carol}, 403},
		} {
			r := do(t, a, tc.c).Want(t, tc.status)
			if strings.Contains(string(r.Body), "for logged-in eyes only") {
				t.Errorf("%s: %s %s answered %d with the document's body: %s", tc.name, tc.c.method, path, r.Status, r.Body)
			}
		}
		// A logout through B holds on A at the next request.
		mallory := a.Login(t, "bob")
		cached(t, id, mallory)
		do(t, b, call{method: "DELETE", path: "/logout", cookie: mallory}).Want(t, 204)
		if r := do(t, a, call{method: "GET", path: path, cookie: mallory}).Want(t, 401); strings.Contains(string(r.Body), "for logged-in eyes only") {
			t.Errorf("GET %s with a logged-out cookie answered with the body: %s", path, r.Body)
		}
		do(t, a, call{method: "GET", path: path, cookie: alice}).Want(t, 200)
	})
}

func deref(s *string) string {
	if s == nil {
		return "<no body>"
	}
	return *s
}
