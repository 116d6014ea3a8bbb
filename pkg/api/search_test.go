package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
)

type foundOut struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Author struct {
		Username string `json:"username"`
	} `json:"author"`
	Snippet []struct {
		Text  string `json:"text"`
		Match bool   `json:"match"`
	} `json:"snippet"`
}

// searchPages walks a search from path by its Link and returns every
// result and how many pages it took.
func searchPages(t *testing.T, srv *apitest.Server, path string, c call) ([]foundOut, int) {
	t.Helper()
	var (
		out   []foundOut
		pages int
	)
	for next := path; next != ""; {
		c.method, c.path = "GET", next
		r := do(t, srv, c).Want(t, 200)
		pages++
		var page []foundOut
		if err := json.Unmarshal(r.Body, &page); err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		out = append(out, page...)
		next = ""
		if link := r.Header.Get("Link"); link != "" {
			here, _ := url.Parse(c.path)
			ref, err := url.Parse(strings.TrimPrefix(strings.Split(link, ">")[0], "<"))
			if err != nil {
				t.Fatal(err)
			}
			next = here.ResolveReference(ref).String()
		}
	}
	return out, pages
}

func ids(list []foundOut) []int64 {
	var out []int64
	for _, f := range list {
		out = append(out, f.ID)
	}
	return out
}

func TestSearch(t *testing.T) { apitest.ForEachBackend(t, testSearch) }

func testSearch(t *testing.T) {
	srv := apitest.NewServer(t)
	alice := srv.Login(t, "alice")
	inBody := srv.CreateDocument(t, "bob", "Configuration", "Set user_id in configs/docsd.yaml, then restart.")
	inTitle := srv.CreateDocument(t, "carol", "The user_id column", "Why it is a number.")
	apart := srv.CreateDocument(t, "bob", "Users", "Each user has an id.")

	t.Run("q finds what was typed, the title match first, with the match marked in a snippet", func(t *testing.T) {
		got, _ := searchPages(t, srv, "/documents?q=user_id", call{cookie: alice})
		if want := []int64{inTitle, inBody}; !slices.Equal(ids(got), want) {
			t.Fatalf("GET /documents?q=user_id = %v; want %v (not %d, whose words are apart)", ids(got), want, apart)
		}
		var marked []string
		var text string
		for _, s := range got[1].Snippet {
			text += s.Text
			if s.Match {
				marked = append(marked, s.Text)
			}
		}
		if text != "Set user_id in configs/docsd.yaml, then restart." || !slices.Equal(marked, []string{"user_id"}) {
			t.Errorf("snippet of %d = %+v; want the body, with user_id marked", inBody, got[1].Snippet)
		}
	})

	t.Run("a search pages by its Link and combines with author", func(t *testing.T) {
		for i := range 5 {
			srv.CreateDocument(t, "bob", fmt.Sprintf("Zebra %d", i), "stripes")
			srv.CreateDocument(t, "carol", fmt.Sprintf("Note %d", i), "a zebra")
		}
		all, _ := searchPages(t, srv, "/documents?q=zebra", call{cookie: alice})
		walked, pages := searchPages(t, srv, "/documents?q=zebra&limit=3", call{cookie: alice})
		if len(all) != 10 || !slices.Equal(ids(walked), ids(all)) || pages != 4 {
			t.Errorf("pages of 3 = %v in %d pages; one page = %v; want the same 10 in 4", ids(walked), pages, ids(all))
		}
		carols, _ := searchPages(t, srv, "/documents?q=zebra&author=carol&limit=2", call{cookie: alice})
		if len(carols) != 5 {
			t.Errorf("carol's zebras = %v; want her 5", ids(carols))
		}
		for _, f := range carols {
			if f.Author.Username != "carol" {
				t.Errorf("author=carol found %d by %s", f.ID, f.Author.Username)
			}
		}
	})

	t.Run("an edit is found at once, and a deleted document never", func(t *testing.T) {
		id := srv.CreateDocument(t, "alice", "Plans", "okapi")
		do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/documents/%d", id), body: `{"body":"giraffe"}`, cookie: alice}).Want(t, 200)
		if got, _ := searchPages(t, srv, "/documents?q=giraffe", call{cookie: alice}); !slices.Equal(ids(got), []int64{id}) {
			t.Errorf("after the edit, giraffe is found in %v; want [%d]", ids(got), id)
		}
		if got, _ := searchPages(t, srv, "/documents?q=okapi", call{cookie: alice}); len(got) != 0 {
			t.Errorf("after the edit, okapi is found in %v; want none", ids(got))
		}
		do(t, srv, call{method: "DELETE", path: fmt.Sprintf("/documents/%d", id), cookie: alice}).Want(t, 204)
		if got, _ := searchPages(t, srv, "/documents?q=giraffe", call{cookie: alice}); len(got) != 0 {
			t.Errorf("after the delete, giraffe is found in %v; want none", ids(got))
		}
	})

	t.Run("nothing found is an empty page", func(t *testing.T) {
		r := do(t, srv, call{method: "GET", path: "/documents?q=nowhere", cookie: alice}).Want(t, 200)
		if string(r.Body) != "[]" || r.Header.Get("Link") != "" {
			t.Errorf("GET /documents?q=nowhere = %s, Link %q; want [] and no Link", r.Body, r.Header.Get("Link"))
		}
	})

	t.Run("a query that cannot be read is a 400 naming q", func(t *testing.T) {
		for _, q := range []string{
			"", `"open`, "OR", "a%20OR", "-", "-a", "%26%26", "a*", "%00", "caf%E9",
			strings.Repeat("w+", 1000), strings.Repeat("x", 10<<10),
		} {
			refused(t, srv, call{method: "GET", path: "/documents?q=" + q, cookie: alice}, "q")
		}
	})

	t.Run("a bad cursor, or one without q, and after with q are 400s naming them", func(t *testing.T) {
		for _, tc := range []struct{ query, field string }{
			{"q=a&cursor=x", "cursor"},
			{"q=a&cursor=5-1", "cursor"},
			{"q=a&cursor=0-1", "cursor"},
			{"q=a&cursor=1-0", "cursor"},
			{"q=a&cursor=1-%2B5", "cursor"},
			{"q=a&cursor=1-1&cursor=1-2", "cursor"},
			{"cursor=1-1", "cursor"},
			{"q=a&after=1", "after"},
			{"q=a&q=b", "q"},
		} {
			refused(t, srv, call{method: "GET", path: "/documents?" + tc.query, cookie: alice}, tc.field)
		}
	})
}
