package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/docs"
)

// These tests run the client against the real docsd engine over httptest,
// with a fresh seeded SQLite database each.

func login(t *testing.T, srv *apitest.Server, user string) *client.Client {
	t.Helper()
	c := client.New(srv.URL, nil)
	if _, err := c.Login(t.Context(), client.Credentials{Username: user, Password: "password"}); err != nil {
		t.Fatalf("Login(%s) = %v; want nil", user, err)
	}
	return c
}

// wantStatus requires err to be a *client.Error with the status.
func wantStatus(t *testing.T, what string, err error, status int) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s error = %v; want *client.Error with status %d", what, err, status)
	}
	if ce.StatusCode != status {
		t.Fatalf("%s status = %d (%v); want %d", what, ce.StatusCode, err, status)
	}
}

// wantProblem is wantStatus returning the *client.Error, for checks of
// its other fields. (The two are apart so that a caller that wants only
// the check does not discard an error value.)
func wantProblem(t *testing.T, what string, err error, status int) *client.Error {
	t.Helper()
	wantStatus(t, what, err, status)
	var ce *client.Error
	errors.As(err, &ce)
	return ce
}

func TestLoginSessionLifecycle(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()

	t.Run("login returns the user and a session cookie", func(t *testing.T) {
		c := client.New(srv.URL, nil)
		u, err := c.Login(ctx, client.Credentials{Username: "alice", Password: "password"})
		if err != nil {
			t.Fatalf("Login = %v", err)
		}
		if u.Username != "alice" || u.Role != client.RoleAdmin {
			t.Errorf("Login user = %+v; want alice, admin", u)
		}
		if c.Session() == "" {
			t.Errorf("Session() = \"\" after login; want the cookie value")
		}
	})

	t.Run("a stored session value works in a new client", func(t *testing.T) {
		value := login(t, srv, "bob").Session()
		me, err := client.New(srv.URL, &client.Options{Session: value}).Me(ctx)
		if err != nil || me.Username != "bob" {
			t.Fatalf("Me() with stored session = %+v, %v; want bob", me, err)
		}
	})

	t.Run("a login carrying a session ends that session", func(t *testing.T) {
		old := login(t, srv, "bob").Session()
		c := client.New(srv.URL, &client.Options{Session: old})
		if _, err := c.Login(ctx, client.Credentials{Username: "bob", Password: "password"}); err != nil {
			t.Fatalf("Login with a session = %v", err)
		}
		if c.Session() == old || c.Session() == "" {
			t.Fatalf("Session() after login = %q; want a new session, not %q", c.Session(), old)
		}
		_, err := client.New(srv.URL, &client.Options{Session: old}).Me(ctx)
		wantStatus(t, "Me() with the replaced session", err, http.StatusUnauthorized)
	})

	t.Run("a failed login leaves the session it carried alive", func(t *testing.T) {
		old := login(t, srv, "bob").Session()
		c := client.New(srv.URL, &client.Options{Session: old})
		_, err := c.Login(ctx, client.Credentials{Username: "bob", Password: "nope"})
		wantStatus(t, "Login(wrong password) with a session", err, http.StatusUnauthorized)
		if me, err := client.New(srv.URL, &client.Options{Session: old}).Me(ctx); err != nil || me.Username != "bob" {
			t.Fatalf("Me() with the session after a failed login = %+v, %v; want bob", me, err)
		}
	})

	t.Run("wrong password is a 401", func(t *testing.T) {
		_, err := client.New(srv.URL, nil).Login(ctx, client.Credentials{Username: "alice", Password: "nope"})
		wantStatus(t, "Login(wrong password)", err, http.StatusUnauthorized)
	})

	t.Run("no session is a 401 on a private route", func(t *testing.T) {
		_, err := client.New(srv.URL, nil).Me(ctx)
		ce := wantProblem(t, "Me() logged out", err, http.StatusUnauthorized)
		if ce.Title == "" {
			t.Errorf("401 title is empty; want the problem title")
		}
	})

	t.Run("logout ends the session on the server", func(t *testing.T) {
		c := login(t, srv, "carol")
		value := c.Session()
		if err := c.Logout(ctx); err != nil {
			t.Fatalf("Logout = %v", err)
		}
		_, err := client.New(srv.URL, &client.Options{Session: value}).Me(ctx)
		wantStatus(t, "Me() with the logged-out session", err, http.StatusUnauthorized)
	})
}

func TestDocuments(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()
	alice, carol := login(t, srv, "alice"), login(t, srv, "carol")

	created, err := alice.CreateDocument(ctx, client.NewDocument{Title: "T", Body: "B"})
	if err != nil {
		t.Fatalf("CreateDocument = %v", err)
	}
	if created.Author.Username != "alice" || created.Version != 1 || created.ETag != `"1"` {
		t.Errorf("CreateDocument = %+v; want author alice, version 1, ETag \"1\"", created)
	}

	t.Run("get returns body and ETag", func(t *testing.T) {
		d, err := carol.GetDocument(ctx, created.ID)
		if err != nil {
			t.Fatalf("GetDocument(%d) = %v", created.ID, err)
		}
		if d.Body != "B" || d.ETag != client.VersionETag(d.Version) {
			t.Errorf("GetDocument(%d) = body %q, ETag %q; want B, %q", created.ID, d.Body, d.ETag, client.VersionETag(d.Version))
		}
	})

	t.Run("a missing document is a 404", func(t *testing.T) {
		_, err := alice.GetDocument(ctx, 999999)
		wantStatus(t, "GetDocument(999999)", err, http.StatusNotFound)
	})

	t.Run("update with the current ETag succeeds and bumps the version", func(t *testing.T) {
		d, _ := alice.GetDocument(ctx, created.ID)
		body := "B2"
		u, err := alice.UpdateDocument(ctx, d.ID, client.DocumentPatch{Body: &body}, client.UpdateOptions{IfMatch: d.ETag})
		if err != nil {
			t.Fatalf("UpdateDocument = %v", err)
		}
		if u.Body != "B2" || u.Version != d.Version+1 || u.Title != "T" {
			t.Errorf("UpdateDocument = %+v; want body B2, title T, version %d", u, d.Version+1)
		}
	})

	t.Run("update with a stale ETag is a 412", func(t *testing.T) {
		body := "lost"
		_, err := alice.UpdateDocument(ctx, created.ID, client.DocumentPatch{Body: &body}, client.UpdateOptions{IfMatch: `"1"`})
		wantStatus(t, "UpdateDocument(stale If-Match)", err, http.StatusPreconditionFailed)
	})

	t.Run("member cannot delete another author's document: 403 with the reason", func(t *testing.T) {
		err := carol.DeleteDocument(ctx, created.ID)
		ce := wantProblem(t, "carol DeleteDocument", err, http.StatusForbidden)
		if ce.Detail == "" || ce.Title != "Forbidden" {
			t.Errorf("403 = title %q, detail %q; want Forbidden and the server's reason", ce.Title, ce.Detail)
		}
		if len(ce.Problem) == 0 {
			t.Errorf("403 Problem is empty; want the problem document")
		}
	})

	t.Run("the author deletes", func(t *testing.T) {
		if err := alice.DeleteDocument(ctx, created.ID); err != nil {
			t.Fatalf("alice DeleteDocument = %v", err)
		}
		_, err := alice.GetDocument(ctx, created.ID)
		wantStatus(t, "GetDocument after delete", err, http.StatusNotFound)
	})
}

func TestListDocumentsFollowsPages(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()
	for i := range 7 {
		srv.CreateDocument(t, "bob", fmt.Sprintf("extra %d", i), "x")
	}
	anon := client.New(srv.URL, nil) // listing is public

	all, err := anon.ListDocuments(ctx, client.ListOptions{})
	if err != nil {
		t.Fatalf("ListDocuments() = %v", err)
	}
	if len(all) < 8 {
		t.Fatalf("ListDocuments() returned %d documents; want at least 8", len(all))
	}

	tests := []struct {
		name string
		opts client.ListOptions
		want int
	}{
		{"small pages are followed to the end", client.ListOptions{PageSize: 2}, len(all)},
		{"a limit stops across pages", client.ListOptions{PageSize: 2, Limit: 5}, 5},
		{"a limit alone sets the page size", client.ListOptions{Limit: 3}, 3},
		{"after skips earlier documents", client.ListOptions{PageSize: 3, After: all[1].ID}, len(all) - 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := anon.ListDocuments(ctx, tt.opts)
			if err != nil {
				t.Fatalf("ListDocuments(%+v) = %v", tt.opts, err)
			}
			if len(got) != tt.want {
				t.Fatalf("ListDocuments(%+v) returned %d documents; want %d", tt.opts, len(got), tt.want)
			}
			offset := len(all) - tt.want
			if tt.opts.Limit > 0 {
				offset = 0
			}
			for i, d := range got {
				if d.ID != all[i+offset].ID {
					t.Fatalf("ListDocuments(%+v)[%d].ID = %d; want %d (ID order, no gaps or repeats)", tt.opts, i, d.ID, all[i+offset].ID)
				}
				if d.Body != "" {
					t.Errorf("listed document %d has a body; the list omits it", d.ID)
				}
			}
		})
	}
}

func TestUsers(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()
	us, err := login(t, srv, "alice").ListUsers(ctx)
	if err != nil || len(us) < 3 {
		t.Fatalf("admin ListUsers = %d users, %v; want the 3 seeded users", len(us), err)
	}
	_, err = login(t, srv, "carol").ListUsers(ctx)
	wantStatus(t, "member ListUsers", err, http.StatusForbidden)

	u, err := login(t, srv, "alice").SetRole(ctx, srv.Users["carol"], client.RoleEditor)
	if err != nil || u.Role != client.RoleEditor {
		t.Fatalf("SetRole(carol, editor) = %+v, %v; want role editor", u, err)
	}
}

func TestContextCancelIsNotUnreachable(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := client.New(srv.URL, nil).Health(ctx)
	var ue *client.UnreachableError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ue) {
		t.Errorf("Health(cancelled) = %v; want context.Canceled, not *UnreachableError", err)
	}
}

func TestThrottledLoginCarriesRetryAfter(t *testing.T) {
	srv := apitest.NewServer(t)
	c := client.New(srv.URL, nil)
	wrong := client.Credentials{Username: "carol", Password: "wrong password"}
	for i := range 5 {
		_, err := c.Login(t.Context(), wrong)
		wantStatus(t, fmt.Sprintf("wrong login %d", i+1), err, http.StatusUnauthorized)
	}
	_, err := c.Login(t.Context(), client.Credentials{Username: "carol", Password: "password"})
	ce := wantProblem(t, "login after 5 failures", err, http.StatusTooManyRequests)
	if ce.RetryAfter <= 0 || !strings.Contains(ce.Detail, "too many failed logins") {
		t.Errorf("429 RetryAfter = %v, Detail = %q; want a positive wait and the server's detail", ce.RetryAfter, ce.Detail)
	}
}

func TestChangePassword(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()

	t.Run("a wrong current password is a 403 and changes nothing", func(t *testing.T) {
		c := login(t, srv, "bob")
		_, err := c.ChangePassword(ctx, "not my password", "new password")
		wantStatus(t, "ChangePassword with a wrong current password", err, http.StatusForbidden)
		login(t, srv, "bob") // the old password still works
	})

	t.Run("a too short new password is a 400 naming the field", func(t *testing.T) {
		c := login(t, srv, "bob")
		_, err := c.ChangePassword(ctx, "password", "short")
		ce := wantProblem(t, "ChangePassword to a short password", err, http.StatusBadRequest)
		if !strings.Contains(ce.Detail, "password") {
			t.Errorf("Detail = %q; want it to name the password", ce.Detail)
		}
	})

	t.Run("success renews this session and ends the others", func(t *testing.T) {
		c := login(t, srv, "carol")
		other := login(t, srv, "carol")
		before := c.Session()
		u, err := c.ChangePassword(ctx, "password", "a new password")
		if err != nil || u.Username != "carol" {
			t.Fatalf("ChangePassword = %+v, %v; want carol", u, err)
		}
		if c.Session() == "" || c.Session() == before {
			t.Errorf("Session() after the change = %q; want a new value, not %q", c.Session(), before)
		}
		if _, err := c.Me(ctx); err != nil {
			t.Errorf("Me() with the renewed session = %v; want nil", err)
		}
		_, err = client.New(srv.URL, &client.Options{Session: before}).Me(ctx)
		wantStatus(t, "Me() with the session from before the change", err, http.StatusUnauthorized)
		_, err = other.Me(ctx)
		wantStatus(t, "Me() with another session of the user", err, http.StatusUnauthorized)
		if _, err := client.New(srv.URL, nil).Login(ctx, client.Credentials{Username: "carol", Password: "a new password"}); err != nil {
			t.Errorf("Login with the new password = %v; want nil", err)
		}
	})
}

func TestListUsersFollowsPages(t *testing.T) {
	srv := apitest.NewServer(t)
	// More than the server's default page of 100 users, with the seeded ones.
	const extra = 150
	for i := range extra {
		srv.AddUser(t, fmt.Sprintf("user%03d", i), docs.RoleMember)
	}
	us, err := login(t, srv, "alice").ListUsers(t.Context())
	if err != nil {
		t.Fatalf("ListUsers() = %v", err)
	}
	if len(us) != len(srv.Users) {
		t.Fatalf("ListUsers() returned %d users; want all %d", len(us), len(srv.Users))
	}
	seen := map[int64]bool{}
	for i, u := range us {
		if seen[u.ID] || srv.Users[u.Username] != u.ID {
			t.Fatalf("ListUsers()[%d] = %d %q; want each stored user once", i, u.ID, u.Username)
		}
		if i > 0 && u.ID <= us[i-1].ID {
			t.Fatalf("ListUsers()[%d].ID = %d after %d; want ID order", i, u.ID, us[i-1].ID)
		}
		seen[u.ID] = true
	}
}

func TestServerBehindAPathPrefix(t *testing.T) {
	srv := apitest.NewServer(t)
	// A reverse proxy that serves docsd under /api, and nothing else.
	proxy := httptest.NewServer(http.StripPrefix("/api", srv.Config.Handler))
	t.Cleanup(proxy.Close)
	ctx := t.Context()

	c := client.New(proxy.URL+"/api/", nil)
	if got, want := c.BaseURL(), proxy.URL+"/api"; got != want {
		t.Errorf("BaseURL() = %q; want %q", got, want)
	}
	if _, err := c.Login(ctx, client.Credentials{Username: "alice", Password: "password"}); err != nil {
		t.Fatalf("Login through /api = %v; want nil", err)
	}
	t.Run("requests go to the prefix and the route path", func(t *testing.T) {
		me, err := c.Me(ctx)
		if err != nil || me.Username != "alice" {
			t.Fatalf("Me through /api = %v, %v; want alice", me, err)
		}
	})
	t.Run("the next page links stay under the prefix", func(t *testing.T) {
		all, err := client.New(proxy.URL+"/api", nil).ListDocuments(ctx, client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		paged, err := client.New(proxy.URL+"/api", nil).ListDocuments(ctx, client.ListOptions{PageSize: 1})
		if err != nil {
			t.Fatalf("ListDocuments one per page through /api = %v; want nil", err)
		}
		if len(all) < 2 || len(paged) != len(all) {
			t.Errorf("one per page listed %d documents; want all %d (more than one)", len(paged), len(all))
		}
	})
}
