package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

// call is one request in a handler test.
type call struct {
	method, path string
	body         string
	cookie       *http.Cookie
	header       map[string]string
}

func do(t *testing.T, srv *apitest.Server, c call) apitest.Reply {
	t.Helper()
	r, err := apitest.Send(context.Background(), srv.Client(), c.method, srv.URL+c.path, c.cookie, c.header, c.body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type documentOut struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Body   *string `json:"body"`
	Author struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"author"`
	Version int64 `json:"version"`
}

func documentOf(t *testing.T, r apitest.Reply) documentOut {
	t.Helper()
	var d documentOut
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return d
}

func cookieFrom(t *testing.T, r apitest.Reply) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "docs_session" {
			return c
		}
	}
	t.Fatalf("no docs_session cookie in %v", r.Header["Set-Cookie"])
	return nil
}

func TestLogin(t *testing.T) {
	srv := apitest.NewServer(t)

	t.Run("sets an HttpOnly SameSite=Lax cookie and returns the user", func(t *testing.T) {
		r := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"alice","password":"password"}`}).Want(t, 200)
		c := cookieFrom(t, r)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Errorf("cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure", c)
		}
		if !strings.Contains(string(r.Body), `"username":"alice"`) || !strings.Contains(string(r.Body), `"role":"admin"`) {
			t.Errorf("body = %s; want alice as admin", r.Body)
		}
		if strings.Contains(string(r.Body), "password") {
			t.Errorf("body = %s leaks the password hash", r.Body)
		}
	})

	t.Run("username is case-insensitive", func(t *testing.T) {
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"ALICE","password":"password"}`}).Want(t, 200)
	})

	t.Run("unknown user and wrong password get the same answer", func(t *testing.T) {
		unknown := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"nobody","password":"password"}`}).Want(t, 401)
		wrong := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"alice","password":"wrong-password"}`}).Want(t, 401)
		if !bytes.Equal(unknown.Body, wrong.Body) {
			t.Errorf("unknown user body %s differs from wrong password body %s", unknown.Body, wrong.Body)
		}
	})

	t.Run("a pre-login cookie is dead after login", func(t *testing.T) {
		before := srv.Login(t, "carol")
		r := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"carol","password":"password"}`, cookie: before}).Want(t, 200)
		after := cookieFrom(t, r)
		if after.Value == before.Value {
			t.Fatal("login kept the session id; want a new one")
		}
		do(t, srv, call{method: "GET", path: "/me", cookie: before}).Want(t, 401)
		do(t, srv, call{method: "GET", path: "/me", cookie: after}).Want(t, 200)
	})

	t.Run("logout ends the session for good", func(t *testing.T) {
		c := srv.Login(t, "bob")
		r := do(t, srv, call{method: "DELETE", path: "/logout", cookie: c}).Want(t, 204)
		gone := cookieFrom(t, r)
		if gone.MaxAge >= 0 || !gone.HttpOnly || gone.SameSite != http.SameSiteLaxMode || gone.Path != "/" {
			t.Errorf("logout cookie = %+v; want an expiring cookie with the login attributes", gone)
		}
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})

	t.Run("missing fields are a 400", func(t *testing.T) {
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"alice"}`}).Want(t, 400)
	})
}

func TestSessionTimeouts(t *testing.T) {
	srv := apitest.NewServer(t)

	t.Run("idle timeout", func(t *testing.T) {
		c := srv.Login(t, "alice")
		srv.Clock.Advance(apitest.IdleTimeout - time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
		srv.Clock.Advance(apitest.IdleTimeout - time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
		srv.Clock.Advance(apitest.IdleTimeout + time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})

	t.Run("absolute timeout holds even for a busy session", func(t *testing.T) {
		c := srv.Login(t, "alice")
		for elapsed := time.Duration(0); elapsed < apitest.AbsoluteTimeout; elapsed += apitest.IdleTimeout / 2 {
			do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
			srv.Clock.Advance(apitest.IdleTimeout / 2)
		}
		srv.Clock.Advance(time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})
}

func TestRegister(t *testing.T) {
	srv := apitest.NewServer(t)
	do(t, srv, call{method: "POST", path: "/register", body: `{"username":"dora","password":"correct horse"}`}).Want(t, 201)
	r := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"dora","password":"correct horse"}`}).Want(t, 200)
	if !strings.Contains(string(r.Body), `"role":"member"`) {
		t.Errorf("registered user = %s; want a member", r.Body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"a taken name in another case is a conflict", `{"username":"DORA","password":"correct horse"}`, 409, ""},
		{"a short password is refused", `{"username":"eve","password":"short"}`, 400, "password"},
		{"a password longer than bcrypt reads is refused", fmt.Sprintf(`{"username":"eve","password":"%s"}`, strings.Repeat("x", 73)), 400, "password"},
		{"a username with spaces is refused", `{"username":"e v e","password":"correct horse"}`, 400, "username"},
		{"a wrongly typed field names the field", `{"username":5,"password":"correct horse"}`, 400, "username"},
		{"an unknown field names the field", `{"username":"eve","password":"correct horse","role":"admin"}`, 400, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := do(t, srv, call{method: "POST", path: "/register", body: tc.body}).Want(t, tc.status).Problem(t)
			if p.Field != tc.field {
				t.Errorf("field = %q; want %q (%s)", p.Field, tc.field, p.Detail)
			}
		})
	}

	t.Run("disabled registration is a 403", func(t *testing.T) {
		closed := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{PublicRoutes: api.DefaultSkipList()}})
		do(t, closed, call{method: "POST", path: "/register", body: `{"username":"eve","password":"correct horse"}`}).Want(t, 403)
	})
}

func TestDocuments(t *testing.T) {
	srv := apitest.NewServer(t)
	alice, bob, carol := srv.Login(t, "alice"), srv.Login(t, "bob"), srv.Login(t, "carol")

	r := do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"Plan","body":"v1"}`, cookie: carol}).Want(t, 201)
	d := documentOf(t, r)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/documents/%d", d.ID) {
		t.Errorf("Location = %q; want /documents/%d", loc, d.ID)
	}
	if d.Author.Username != "carol" || d.Version != 1 || r.Header.Get("ETag") != `"1"` {
		t.Errorf("created = %+v, ETag %s; want carol's version 1 with ETag \"1\"", d, r.Header.Get("ETag"))
	}
	path := fmt.Sprintf("/documents/%d", d.ID)

	t.Run("get returns the body and an ETag", func(t *testing.T) {
		r := do(t, srv, call{method: "GET", path: path, cookie: bob}).Want(t, 200)
		if got := documentOf(t, r); got.Body == nil || *got.Body != "v1" || r.Header.Get("ETag") != `"1"` {
			t.Errorf("get = %s, ETag %s; want body v1, ETag \"1\"", r.Body, r.Header.Get("ETag"))
		}
	})

	t.Run("a POST and a GET of the document show the same times, in microseconds", func(t *testing.T) {
		var posted, got struct {
			CreatedAt string `json:"created_at"`
			UpdatedAt string `json:"updated_at"`
		}
		if err := json.Unmarshal(r.Body, &posted); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(do(t, srv, call{method: "GET", path: path, cookie: bob}).Want(t, 200).Body, &got); err != nil {
			t.Fatal(err)
		}
		if posted != got {
			t.Errorf("times: POST answered %+v, GET %+v; want the same", posted, got)
		}
		if ts, err := time.Parse(time.RFC3339Nano, posted.CreatedAt); err != nil || ts.Nanosecond()%1000 != 0 {
			t.Errorf("created_at %q (%v); want a time in whole microseconds", posted.CreatedAt, err)
		}
	})

	t.Run("an editor's update with the current ETag succeeds", func(t *testing.T) {
		r := do(t, srv, call{method: "PATCH", path: path, body: `{"body":"v2"}`, cookie: bob, header: map[string]string{"If-Match": `"1"`}}).Want(t, 200)
		if got := documentOf(t, r); got.Version != 2 || got.Title != "Plan" || *got.Body != "v2" || r.Header.Get("ETag") != `"2"` {
			t.Errorf("update = %s; want version 2, title kept, body v2", r.Body)
		}
	})

	t.Run("a stale If-Match is a 412 and changes nothing", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: path, body: `{"body":"lost"}`, cookie: carol, header: map[string]string{"If-Match": `"1"`}}).Want(t, 412)
		if got := documentOf(t, do(t, srv, call{method: "GET", path: path, cookie: carol})); *got.Body != "v2" {
			t.Errorf("body after stale update = %q; want v2", *got.Body)
		}
	})

	t.Run("a malformed If-Match is a 400", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: path, body: `{"body":"x"}`, cookie: carol, header: map[string]string{"If-Match": `W/"2"`}}).Want(t, 400)
	})

	t.Run("racing writers on one version: exactly one wins", func(t *testing.T) {
		cur := do(t, srv, call{method: "GET", path: path, cookie: carol}).Want(t, 200).Header.Get("ETag")
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts = map[int]int{}
		)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := do(t, srv, call{method: "PATCH", path: path, body: fmt.Sprintf(`{"body":"writer %d"}`, i), cookie: alice, header: map[string]string{"If-Match": cur}})
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[200] != 1 || counts[412] != 7 {
			t.Errorf("statuses = %v; want one 200 and seven 412", counts)
		}
	})

	t.Run("validation names the field", func(t *testing.T) {
		for _, tc := range []struct {
			name, body, field string
		}{
			{"empty title", `{"title":""}`, "title"},
			{"title over 200 characters", fmt.Sprintf(`{"title":%q}`, strings.Repeat("é", 201)), "title"},
			{"body over 1 MiB", fmt.Sprintf(`{"body":%q}`, strings.Repeat("b", docs.MaxBodyBytes+1)), "body"},
			{"title of the wrong type", `{"title":42}`, "title"},
			{"nothing to change", `{}`, ""},
			{"two objects", `{"title":"a"}{"title":"b"}`, ""},
			{"not JSON", `title=a`, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := do(t, srv, call{method: "PATCH", path: path, body: tc.body, cookie: carol}).Want(t, 400).Problem(t)
				if p.Field != tc.field {
					t.Errorf("field = %q; want %q (%s)", p.Field, tc.field, p.Detail)
				}
			})
		}
	})

	t.Run("a title of exactly 200 characters is accepted", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: path, body: fmt.Sprintf(`{"title":%q}`, strings.Repeat("é", 200)), cookie: carol}).Want(t, 200)
	})

	t.Run("a body over the request cap is a 413; exactly the cap is read", func(t *testing.T) {
		over := `{"body":"` + strings.Repeat("b", api.DefaultMaxBodyBytes) + `"}`
		do(t, srv, call{method: "POST", path: "/documents", body: over, cookie: carol}).Want(t, 413)
		// Exactly the limit passes the size check and meets the 1 MiB body rule.
		exact := `{"title":"t","body":"` + strings.Repeat("b", api.DefaultMaxBodyBytes-len(`{"title":"t","body":""}`)) + `"}`
		if len(exact) != api.DefaultMaxBodyBytes {
			t.Fatalf("test body is %d bytes; want %d", len(exact), api.DefaultMaxBodyBytes)
		}
		p := do(t, srv, call{method: "POST", path: "/documents", body: exact, cookie: carol}).Want(t, 400).Problem(t)
		if p.Field != "body" {
			t.Errorf("problem = %+v; want a 400 about body", p)
		}
	})

	t.Run("a missing document is 404 before ownership", func(t *testing.T) {
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			do(t, srv, call{method: method, path: "/documents/999999", body: `{"title":"x"}`, cookie: carol}).Want(t, 404)
		}
	})

	t.Run("an id that is not a positive integer is a 400", func(t *testing.T) {
		for _, id := range []string{"0", "-1", "+1", "abc", "1.5", "99999999999999999999"} {
			do(t, srv, call{method: "GET", path: "/documents/" + id, cookie: carol}).Want(t, 400)
		}
	})

	t.Run("the 403 says who may delete", func(t *testing.T) {
		p := do(t, srv, call{method: "DELETE", path: path, cookie: bob}).Want(t, 403).Problem(t)
		if want := fmt.Sprintf("only the author (carol) or an admin may delete document %d", d.ID); p.Detail != want {
			t.Errorf("detail = %q; want %q", p.Detail, want)
		}
	})

	t.Run("the author deletes; then it is gone", func(t *testing.T) {
		do(t, srv, call{method: "DELETE", path: path, cookie: carol}).Want(t, 204)
		do(t, srv, call{method: "GET", path: path, cookie: carol}).Want(t, 404)
	})
}

// TestListPagination walks both lists by their next links: the same
// ?limit and ?after, the same Link, the same 400s.
func TestListPagination(t *testing.T) {
	srv := apitest.NewServer(t)
	for i := range 25 {
		srv.CreateDocument(t, "bob", fmt.Sprintf("doc %d", i), "body")
	}
	for i := range 22 {
		srv.AddUser(t, fmt.Sprintf("user%d", i), docs.RoleMember)
	}
	alice := srv.Login(t, "alice")
	for _, tc := range []struct {
		name, path   string
		items, pages int
	}{
		// 7 seeded documents + 25 = 32: pages of 10, 10, 10, 2.
		{"documents", "/documents", 32, 4},
		// 3 seeded users + 22 = 25: pages of 10, 10, 5.
		{"users", "/users", 25, 3},
	} {
		t.Run("the "+tc.name+" list walks every item once in id order", func(t *testing.T) {
			var (
				ids   []int64
				pages int
				next  = tc.path + "?limit=10"
			)
			for next != "" {
				r := do(t, srv, call{method: "GET", path: next, cookie: alice}).Want(t, 200)
				pages++
				var page []struct {
					ID   int64   `json:"id"`
					Body *string `json:"body"`
				}
				if err := json.Unmarshal(r.Body, &page); err != nil {
					t.Fatal(err)
				}
				for _, item := range page {
					if item.Body != nil {
						t.Errorf("list item %d has a body; lists carry none", item.ID)
					}
					ids = append(ids, item.ID)
				}
				here, err := url.Parse(next)
				if err != nil {
					t.Fatal(err)
				}
				next = ""
				if link := r.Header.Get("Link"); link != "" {
					ref := strings.TrimPrefix(strings.Split(link, ">")[0], "<")
					if strings.HasPrefix(ref, "/") {
						t.Errorf("Link %q; want a reference relative to the request's URL, which holds under a proxy's path prefix", link)
					}
					u, err := url.Parse(ref)
					if err != nil {
						t.Fatal(err)
					}
					next = here.ResolveReference(u).String()
				}
			}
			if len(ids) != tc.items || pages != tc.pages {
				t.Fatalf("walked %d items in %d pages; want %d in %d", len(ids), pages, tc.items, tc.pages)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i] <= ids[i-1] {
					t.Fatalf("ids not increasing: %v", ids)
				}
			}
		})
		t.Run("the "+tc.name+" list refuses a bad limit or cursor", func(t *testing.T) {
			for _, q := range []string{"limit=0", "limit=1001", "limit=x", "after=-1", "after=x"} {
				do(t, srv, call{method: "GET", path: tc.path + "?" + q, cookie: alice}).Want(t, 400)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	srv := apitest.NewServer(t)
	alice, carol := srv.Login(t, "alice"), srv.Login(t, "carol")

	t.Run("a role change applies at the next request", func(t *testing.T) {
		do(t, srv, call{method: "GET", path: "/users", cookie: carol}).Want(t, 403)
		do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/users/%d", srv.Users["carol"]), body: `{"role":"admin"}`, cookie: alice}).Want(t, 200)
		do(t, srv, call{method: "GET", path: "/users", cookie: carol}).Want(t, 200)
		do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/users/%d", srv.Users["carol"]), body: `{"role":"member"}`, cookie: alice}).Want(t, 200)
		do(t, srv, call{method: "GET", path: "/users", cookie: carol}).Want(t, 403)
	})

	t.Run("the last admin cannot demote themselves", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/users/%d", srv.Users["alice"]), body: `{"role":"member"}`, cookie: alice}).Want(t, 409)
	})

	t.Run("an unknown role names the field", func(t *testing.T) {
		p := do(t, srv, call{method: "PATCH", path: fmt.Sprintf("/users/%d", srv.Users["carol"]), body: `{"role":"root"}`, cookie: alice}).Want(t, 400).Problem(t)
		if p.Field != "role" {
			t.Errorf("field = %q; want role", p.Field)
		}
	})

	t.Run("an unknown user is a 404, before the body is read", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: "/users/999", body: `{"role":"editor"}`, cookie: alice}).Want(t, 404)
		do(t, srv, call{method: "PATCH", path: "/users/999", body: `{"role":"bogus"}`, cookie: alice}).Want(t, 404)
	})

	t.Run("only an admin learns anything about /users/:id", func(t *testing.T) {
		do(t, srv, call{method: "PATCH", path: "/users/999", body: `{"role":"bogus"}`, cookie: carol}).Want(t, 403)
		do(t, srv, call{method: "PATCH", path: "/users/abc", body: `{"role":"editor"}`, cookie: carol}).Want(t, 403)
	})

	t.Run("a user removed from the database loses their session", func(t *testing.T) {
		id := srv.AddUser(t, "temp", docs.RoleMember)
		c := srv.Login(t, "temp")
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
		if err := srv.DB.DeleteUser(context.Background(), id, 0, srv.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})
}

func TestUnmatchedRoutes(t *testing.T) {
	srv := apitest.NewServer(t)
	t.Run("an unknown path is 404 for everyone", func(t *testing.T) {
		do(t, srv, call{method: "GET", path: "/nope"}).Want(t, 404)
		do(t, srv, call{method: "GET", path: "/nope", cookie: srv.Login(t, "alice")}).Want(t, 404)
	})
	t.Run("a wrong method is 405 with Allow", func(t *testing.T) {
		r := do(t, srv, call{method: "PUT", path: "/documents/1"}).Want(t, 405)
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") || !strings.Contains(allow, "DELETE") {
			t.Errorf("Allow = %q; want GET, PATCH and DELETE", allow)
		}
	})
}

// TestNewLeavesGinModeAlone: gin's mode is global, so building an engine
// must not change it under the program (or another test) that set it.
func TestNewLeavesGinModeAlone(t *testing.T) {
	apitest.NewServer(t) // the harness sets release mode once, first
	before := gin.Mode()
	t.Cleanup(func() { gin.SetMode(before) })
	gin.SetMode(gin.TestMode)
	apitest.NewServer(t)
	if got := gin.Mode(); got != gin.TestMode {
		t.Errorf("gin.Mode() after api.New = %q; want %q, as set before", got, gin.TestMode)
	}
}

// TestReassignedAuthorIsANewVersion: `docsd user rm dave --reassign-to bob`
// changes what a GET of dave's documents returns, so it changes their ETag,
// and an If-Match from before the change is stale (the ETag stayed "1" and
// such a PATCH succeeded).
func TestReassignedAuthorIsANewVersion(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T) {
		srv := apitest.NewServer(t)
		dave := srv.AddUser(t, "dave", docs.RoleEditor)
		id := srv.CreateDocument(t, "dave", "Dave's", "words")
		path := fmt.Sprintf("/documents/%d", id)
		bob := srv.Login(t, "bob")
		if r := do(t, srv, call{method: "GET", path: path, cookie: bob}).Want(t, 200); r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag before the reassignment = %s; want \"1\"", r.Header.Get("ETag"))
		}
		srv.Clock.Advance(time.Hour)
		if err := srv.DB.DeleteUser(context.Background(), dave, srv.Users["bob"], srv.Clock.Now()); err != nil {
			t.Fatalf("DeleteUser(dave, bob) = %v", err)
		}
		r := do(t, srv, call{method: "GET", path: path, cookie: bob}).Want(t, 200)
		got := documentOf(t, r)
		if got.Author.Username != "bob" || got.Version != 2 || r.Header.Get("ETag") != `"2"` {
			t.Errorf("GET %s after the reassignment = author %q, version %d, ETag %s; want bob, 2, \"2\"", path, got.Author.Username, got.Version, r.Header.Get("ETag"))
		}
		do(t, srv, call{method: "PATCH", path: path, cookie: bob, body: `{"body":"from a stale copy"}`, header: map[string]string{"If-Match": `"1"`}}).Want(t, 412)
		do(t, srv, call{method: "PATCH", path: path, cookie: bob, body: `{"body":"from the new version"}`, header: map[string]string{"If-Match": `"2"`}}).Want(t, 200)
	})
}
