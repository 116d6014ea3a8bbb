package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/seed"
)

// pausing is the real user store with one hook: while hold is set, the
// next call of the named method stops (after reading, for UserByName;
// before writing, for ChangePassword), says so on reached, and goes on
// when resume is closed. It orders a race step by step instead of hoping
// the scheduler does.
type pausing struct {
	docs.UserStore
	hold    atomic.Bool
	reached chan struct{}
	resume  chan struct{}
}

func newPausing() *pausing {
	return &pausing{reached: make(chan struct{}), resume: make(chan struct{})}
}

func (p *pausing) pause() {
	if p.hold.CompareAndSwap(true, false) {
		p.reached <- struct{}{}
		<-p.resume
	}
}

func (p *pausing) UserByName(ctx context.Context, name string) (*docs.User, error) {
	u, err := p.UserStore.UserByName(ctx, name)
	p.pause()
	return u, err
}

func (p *pausing) ChangePassword(ctx context.Context, id int64, current, hash []byte) error {
	p.pause()
	return p.UserStore.ChangePassword(ctx, id, current, hash)
}

func newPausingServer(t *testing.T) (*apitest.Server, *pausing) {
	p := newPausing()
	srv := apitest.NewServerWith(t, apitest.Options{Users: func(u docs.UserStore) docs.UserStore {
		p.UserStore = u
		return p
	}})
	return srv, p
}

func hashOf(t *testing.T, password string) []byte {
	t.Helper()
	pw, err := docs.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pw.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// credentialChanges are the ways a user's password can stop being valid
// while a login is in flight.
var credentialChanges = []struct {
	name   string
	change func(t *testing.T, srv *apitest.Server, id int64, other *http.Cookie)
}{
	{"docsd user passwd", func(t *testing.T, srv *apitest.Server, id int64, _ *http.Cookie) {
		if err := srv.DB.SetPassword(context.Background(), id, hashOf(t, "reset-password")); err != nil {
			t.Fatal(err)
		}
	}},
	{"PATCH /me from another session", func(t *testing.T, srv *apitest.Server, _ int64, other *http.Cookie) {
		do(t, srv, call{method: "PATCH", path: "/me", body: `{"current_password":"password","password":"changed-password"}`, cookie: other}).Want(t, 200)
	}},
	{"docsd user rm", func(t *testing.T, srv *apitest.Server, id int64, _ *http.Cookie) {
		if err := srv.DB.DeleteUser(context.Background(), id, 0, srv.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}},
}

// loginDuring sends dave's login with the seed password, holds it once it
// has read dave's hash, runs change, then lets it go on, and returns its
// answer.
func loginDuring(t *testing.T, srv *apitest.Server, p *pausing, change func()) apitest.Reply {
	t.Helper()
	p.hold.Store(true)
	done := make(chan apitest.Reply, 1)
	go func() {
		r, err := apitest.Send(context.Background(), srv.Client(), "POST", srv.URL+"/login", nil, nil, fmt.Sprintf(`{"username":"dave","password":%q}`, seed.Password))
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	<-p.reached
	change()
	close(p.resume)
	return <-done
}

// TestLoginRacingACredentialChange holds a login after it has read the
// user's hash and before it checks the password, changes the password (or
// removes the user), then lets the login go on: it checks the old password
// against the old hash and finds it right, but no session may come of it.
func TestLoginRacingACredentialChange(t *testing.T) {
	for _, tc := range credentialChanges {
		t.Run("a login in flight during "+tc.name+" is a 401 and makes no session", func(t *testing.T) {
			srv, p := newPausingServer(t)
			id := srv.AddUser(t, "dave", docs.RoleMember)
			other := srv.Login(t, "dave")
			r := loginDuring(t, srv, p, func() { tc.change(t, srv, id, other) }).Want(t, 401)
			if p := r.Problem(t); p.Detail != "invalid username or password" {
				t.Errorf("detail = %q; want the one answer to a failed login", p.Detail)
			}
			if len(r.Header.Values("Set-Cookie")) != 0 {
				t.Errorf("Set-Cookie = %q; want none", r.Header.Values("Set-Cookie"))
			}
		})
	}
}

// TestParallelLoginsDuringACredentialChange is the race as it was seen:
// workers log in with the old password in a loop while the password
// changes (or the user is removed). Whatever interleaving the scheduler
// picks, no session made from the old password works after the change, and
// no login gets a 5xx.
func TestParallelLoginsDuringACredentialChange(t *testing.T) {
	const workers, attempts = 4, 10
	for _, tc := range credentialChanges {
		t.Run(tc.name, func(t *testing.T) {
			srv := apitest.NewServer(t)
			id := srv.AddUser(t, "dave", docs.RoleMember)
			other := srv.Login(t, "dave")
			var (
				started, wg sync.WaitGroup
				mu          sync.Mutex
				cookies     []*http.Cookie
			)
			started.Add(workers)
			for range workers {
				wg.Go(func() {
					for i := range attempts {
						r, err := apitest.Send(context.Background(), srv.Client(), "POST", srv.URL+"/login", nil, nil, fmt.Sprintf(`{"username":"dave","password":%q}`, seed.Password))
						if i == 0 {
							started.Done()
						}
						if err != nil {
							t.Error(err)
							return
						}
						if r.Status != 200 {
							if r.Status != 401 && r.Status != 429 {
								t.Errorf("login during %s: status %d; want 200, 401 or 429 (body %s)", tc.name, r.Status, r.Body)
							}
							return
						}
						mu.Lock()
						cookies = append(cookies, cookieFrom(t, r))
						mu.Unlock()
					}
				})
			}
			started.Wait()
			tc.change(t, srv, id, other)
			wg.Wait()
			for i, c := range cookies {
				if r := do(t, srv, call{method: "GET", path: "/me", cookie: c}); r.Status != 401 {
					t.Errorf("session %d of %d made from the old password: GET /me after %s = %d; want 401", i+1, len(cookies), tc.name, r.Status)
				}
			}
		})
	}
}

// TestConcurrentPasswordChanges holds one PATCH /me after it has checked
// the current password, lets a second one from another session of the same
// user change the password, then lets the first go on: it must not apply.
func TestConcurrentPasswordChanges(t *testing.T) {
	srv, p := newPausingServer(t)
	first, second := srv.Login(t, "carol"), srv.Login(t, "carol")
	p.hold.Store(true)
	done := make(chan apitest.Reply, 1)
	go func() {
		r, err := apitest.Send(context.Background(), srv.Client(), "PATCH", srv.URL+"/me", first, nil, `{"current_password":"password","password":"first-new-password"}`)
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	<-p.reached
	do(t, srv, call{method: "PATCH", path: "/me", body: `{"current_password":"password","password":"second-new-password"}`, cookie: second}).Want(t, 200)
	close(p.resume)

	t.Run("the change that checked a replaced password is a 403", func(t *testing.T) {
		r := (<-done).Want(t, 403)
		if p := r.Problem(t); p.Detail != "the current password is wrong" {
			t.Errorf("detail = %q; want %q", p.Detail, "the current password is wrong")
		}
	})
	t.Run("the password in force is the one whose change got a 200", func(t *testing.T) {
		do(t, srv, login("carol", "first-new-password")).Want(t, 401)
		do(t, srv, login("carol", "second-new-password")).Want(t, 200)
	})
	t.Run("the refused change counts toward the throttle like a wrong password", func(t *testing.T) {
		// The password is reset by an operator, which clears no failures,
		// so the held change's own count is what remains.
		srv, p := newPausingServer(t)
		held := srv.Login(t, "carol")
		p.hold.Store(true)
		done := make(chan int, 1)
		go func() {
			r, _ := apitest.Send(context.Background(), srv.Client(), "PATCH", srv.URL+"/me", held, nil, `{"current_password":"password","password":"first-new-password"}`)
			done <- r.Status
		}()
		<-p.reached
		if err := srv.DB.SetPassword(context.Background(), srv.Users["carol"], hashOf(t, "reset-password")); err != nil {
			t.Fatal(err)
		}
		close(p.resume)
		if status := <-done; status != 403 {
			t.Fatalf("the held change: status %d; want 403", status)
		}
		for range 4 {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("carol", "reset-password")).Want(t, 429)
	})
}

// TestLoginRefusedByARaceKeepsItsCount: a login that checked the old
// password right but lost the race to a password change is a failed
// login, so it must not reset the username's throttle count as a good
// login does. Four wrong guesses, then the refused login, make five: the
// next login, with the new password, is throttled.
func TestLoginRefusedByARaceKeepsItsCount(t *testing.T) {
	srv, p := newPausingServer(t)
	id := srv.AddUser(t, "dave", docs.RoleMember)
	for range api.ThrottleDefaults().MaxFailures - 1 {
		do(t, srv, login("dave", "wrong-password")).Want(t, 401)
	}
	loginDuring(t, srv, p, func() {
		if err := srv.DB.SetPassword(context.Background(), id, hashOf(t, "reset-password")); err != nil {
			t.Error(err)
		}
	}).Want(t, 401)
	do(t, srv, login("dave", "reset-password")).Want(t, 429)
}

// creating is the real database with one hook: while hold is set, the
// next CreateDocument stops before it writes, says so on reached, and goes
// on when resume is closed.
type creating struct {
	docs.Backend
	hold    atomic.Bool
	reached chan struct{}
	resume  chan struct{}
}

func (c *creating) CreateDocument(ctx context.Context, d *docs.Document) error {
	if c.hold.CompareAndSwap(true, false) {
		c.reached <- struct{}{}
		<-c.resume
	}
	return c.Backend.CreateDocument(ctx, d)
}

// TestCreateRacingTheRemovalOfItsAuthor holds a POST /documents after its
// session was checked and before the insert, removes the author as
// `docsd user rm dave --reassign-to bob` does, then lets it go on: the
// session ended with its user, so the answer is 401 on every backend (it
// was a 500, FOREIGN KEY constraint failed, on SQLite and a 404 on
// PostgreSQL), and no document is left behind.
func TestCreateRacingTheRemovalOfItsAuthor(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T) {
		c := &creating{reached: make(chan struct{}), resume: make(chan struct{})}
		srv := apitest.NewServerWith(t, apitest.Options{Wrap: func(b docs.Backend) docs.Backend {
			c.Backend = b
			return c
		}})
		dave := srv.AddUser(t, "dave", docs.RoleEditor)
		cookie := srv.Login(t, "dave")
		c.hold.Store(true)
		done := make(chan apitest.Reply, 1)
		go func() {
			r, err := apitest.Send(context.Background(), srv.Client(), "POST", srv.URL+"/documents", cookie, nil, `{"title":"written while removed","body":"b"}`)
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		<-c.reached
		if err := srv.DB.DeleteUser(context.Background(), dave, srv.Users["bob"], srv.Clock.Now()); err != nil {
			t.Fatalf("DeleteUser(dave, bob) = %v", err)
		}
		close(c.resume)
		(<-done).Want(t, 401)
		list, err := srv.DB.ListDocuments(context.Background(), docs.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			if d.Title == "written while removed" {
				t.Errorf("document %d %q was stored for the removed author (now %s); want none", d.ID, d.Title, d.Author.Username)
			}
		}
	})
}
