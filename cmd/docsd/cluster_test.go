package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestCluster runs three docsd processes on one fresh PostgreSQL schema and
// talks to each replica directly: a login holds everywhere, and so does
// every revocation, of a session or of a token, at the very next request,
// whichever replica or `docsd user` command makes it; the throttle counts
// attempts made on all of them; and the If-Match check holds across
// processes.
func TestCluster(t *testing.T) {
	database := pgtest.URL(t)
	bin := buildDocsd(t)
	cli := func(stdin string, args ...string) {
		t.Helper()
		runDocsd(t, bin, database, stdin, args...)
	}
	cli("", "seed")
	reps := []*proc{startDocsd(t, bin, database), startDocsd(t, bin, database), startDocsd(t, bin, database)}
	a, b, c := reps[0], reps[1], reps[2]
	client := &http.Client{Timeout: 30 * time.Second}
	send := func(p *proc, method, path string, cookie *http.Cookie, header map[string]string, body string) apitest.Reply {
		t.Helper()
		return p.send(t, client, method, path, cookie, header, body)
	}
	name := map[*proc]string{a: "A", b: "B", c: "C"}
	// expectWith checks that every replica answers method path, sent with
	// cookie and header, with status.
	expectWith := func(what string, status int, method, path string, cookie *http.Cookie, header map[string]string, on ...*proc) {
		t.Helper()
		for _, p := range on {
			if r := send(p, method, path, cookie, header, ""); r.Status != status {
				t.Errorf("%s: %s %s on %s = %d %s; want %d", what, method, path, name[p], r.Status, r.Body, status)
			}
		}
	}
	// expect checks every replica's answer to a request with cookie.
	expect := func(what string, status int, method, path string, cookie *http.Cookie, on ...*proc) {
		t.Helper()
		expectWith(what, status, method, path, cookie, nil, on...)
	}
	// expectToken checks every replica's answer to a request with the
	// bearer token secret. The first successful request on a replica
	// leaves the token in its cache, under the auth epoch it read.
	expectToken := func(what string, status int, method, path, secret string, on ...*proc) {
		t.Helper()
		expectWith(what, status, method, path, nil, apitest.Bearer(secret), on...)
	}
	// newToken creates a token with scopes (a JSON list) through p with
	// the owner's session, and returns its id and secret.
	newToken := func(p *proc, owner *http.Cookie, scopes string) (int64, string) {
		t.Helper()
		r := send(p, "POST", "/tokens", owner, nil, fmt.Sprintf(`{"name":"cluster","scopes":%s}`, scopes))
		var tok struct {
			ID    int64
			Token string
		}
		if err := json.Unmarshal(r.Body, &tok); err != nil || r.Status != 201 {
			t.Fatalf("POST /tokens on %s = %d %s; want 201", name[p], r.Status, r.Body)
		}
		return tok.ID, tok.Token
	}
	idOf := func(cookie *http.Cookie) int64 {
		t.Helper()
		var me struct{ ID int64 }
		if err := json.Unmarshal(send(a, "GET", "/me", cookie, nil, "").Body, &me); err != nil {
			t.Fatal(err)
		}
		return me.ID
	}

	t.Run("a login on A works on B and C; a document written through C is read through A", func(t *testing.T) {
		bob := procLogin(t, client, a.base, "bob")
		expect("bob logged in on A", 200, "GET", "/me", bob, b, c)
		r := send(c, "POST", "/documents", bob, nil, `{"title":"Across","body":"written through C"}`)
		if r.Status != 201 {
			t.Fatalf("POST /documents on C = %d %s; want 201", r.Status, r.Body)
		}
		var d struct{ ID int64 }
		if err := json.Unmarshal(r.Body, &d); err != nil {
			t.Fatal(err)
		}
		if got := send(a, "GET", fmt.Sprintf("/documents/%d", d.ID), bob, nil, ""); got.Status != 200 || !strings.Contains(string(got.Body), "written through C") {
			t.Errorf("GET /documents/%d on A = %d %s; want 200 with the body written through C", d.ID, got.Status, got.Body)
		}
	})

	t.Run("a logout on A is 401 on B and C at the next request", func(t *testing.T) {
		carol := procLogin(t, client, a.base, "carol")
		expect("before the logout", 200, "GET", "/me", carol, a, b, c)
		if r := send(a, "DELETE", "/logout", carol, nil, ""); r.Status != 204 {
			t.Fatalf("DELETE /logout on A = %d; want 204", r.Status)
		}
		expect("after a logout on A", 401, "GET", "/me", carol, b, c)
	})

	t.Run("a demotion made on B is 403 on A and C at the next request", func(t *testing.T) {
		alice, carol := procLogin(t, client, b.base, "alice"), procLogin(t, client, a.base, "carol")
		path := fmt.Sprintf("/users/%d", idOf(carol))
		if r := send(b, "PATCH", path, alice, nil, `{"role":"admin"}`); r.Status != 200 {
			t.Fatalf("PATCH %s on B = %d %s; want 200", path, r.Status, r.Body)
		}
		expect("carol made admin on B", 200, "GET", "/users", carol, a, c)
		if r := send(b, "PATCH", path, alice, nil, `{"role":"member"}`); r.Status != 200 {
			t.Fatalf("PATCH %s on B = %d %s; want 200", path, r.Status, r.Body)
		}
		expect("carol demoted on B", 403, "GET", "/users", carol, a, c)
	})

	t.Run("docsd user set-role holds on every replica at the next request", func(t *testing.T) {
		carol := procLogin(t, client, c.base, "carol")
		expect("before set-role", 403, "GET", "/users", carol, a, b, c)
		cli("", "user", "set-role", "carol", "admin")
		expect("after docsd user set-role carol admin", 200, "GET", "/users", carol, a, b, c)
		cli("", "user", "set-role", "carol", "member")
		expect("after docsd user set-role carol member", 403, "GET", "/users", carol, a, b, c)
	})

	t.Run("a password change on C ends the user's other sessions on A and B", func(t *testing.T) {
		onA, onB, onC := procLogin(t, client, a.base, "bob"), procLogin(t, client, b.base, "bob"), procLogin(t, client, c.base, "bob")
		expect("before the password change", 200, "GET", "/me", onA, a, b)
		if r := send(c, "PATCH", "/me", onC, nil, `{"current_password":"password","password":"a-new-password"}`); r.Status != 200 {
			t.Fatalf("PATCH /me on C = %d %s; want 200", r.Status, r.Body)
		}
		expect("bob's session from A after a password change on C", 401, "GET", "/me", onA, a, b, c)
		expect("bob's session from B after a password change on C", 401, "GET", "/me", onB, a, b, c)
	})

	t.Run("docsd user rm ends the user's sessions on all three", func(t *testing.T) {
		cli("password\n", "user", "add", "erin", "--password-stdin")
		sessions := []*http.Cookie{procLogin(t, client, a.base, "erin"), procLogin(t, client, b.base, "erin"), procLogin(t, client, c.base, "erin")}
		for _, s := range sessions {
			expect("before docsd user rm", 200, "GET", "/me", s, a, b, c)
		}
		cli("", "user", "rm", "erin", "--yes")
		for _, s := range sessions {
			expect("after docsd user rm erin", 401, "GET", "/me", s, a, b, c)
		}
	})

	// A token is cached as a session is, under the auth epoch: each case
	// below first uses the token successfully on every replica, so that
	// each holds it in memory, and a change made elsewhere must still hold
	// at the next request on all three.
	t.Run("a token revoked on A is 401 on A, B and C at the next request", func(t *testing.T) {
		carol := procLogin(t, client, a.base, "carol")
		id, secret := newToken(a, carol, `["read"]`)
		expectToken("carol's token before the revoke", 200, "GET", "/me", secret, a, b, c)
		path := fmt.Sprintf("/tokens/%d", id)
		if r := send(a, "DELETE", path, carol, nil, ""); r.Status != 204 {
			t.Fatalf("DELETE %s on A = %d %s; want 204", path, r.Status, r.Body)
		}
		expectToken("carol's token after DELETE "+path+" on A", 401, "GET", "/me", secret, a, b, c)
	})

	t.Run("an admin token is 403 on A, B and C at the next request once an admin demotes its owner on A", func(t *testing.T) {
		cli("password\n", "user", "add", "dave", "--password-stdin")
		alice, dave := procLogin(t, client, a.base, "alice"), procLogin(t, client, a.base, "dave")
		path := fmt.Sprintf("/users/%d", idOf(dave))
		if r := send(a, "PATCH", path, alice, nil, `{"role":"admin"}`); r.Status != 200 {
			t.Fatalf("PATCH %s on A = %d %s; want 200", path, r.Status, r.Body)
		}
		_, secret := newToken(a, dave, `["read","admin"]`)
		expectToken("dave's admin token while dave is an admin", 200, "GET", "/users", secret, a, b, c)
		if r := send(a, "PATCH", path, alice, nil, `{"role":"member"}`); r.Status != 200 {
			t.Fatalf("PATCH %s on A = %d %s; want 200", path, r.Status, r.Body)
		}
		expectToken("dave's admin token after alice demoted dave on A", 403, "GET", "/users", secret, a, b, c)
		expectToken("dave's admin token after the demotion, on a read route", 200, "GET", "/me", secret, a, b, c)
	})

	t.Run("docsd user rm makes the user's token 401 on A, B and C at the next request", func(t *testing.T) {
		cli("password\n", "user", "add", "frank", "--password-stdin")
		_, secret := newToken(b, procLogin(t, client, b.base, "frank"), `["read","write"]`)
		expectToken("frank's token before docsd user rm", 200, "GET", "/me", secret, a, b, c)
		cli("", "user", "rm", "frank", "--yes")
		expectToken("frank's token after docsd user rm frank", 401, "GET", "/me", secret, a, b, c)
	})

	t.Run("thirty concurrent PATCHes with one If-Match over the three: one 200, the rest 412, the winner's body stored", func(t *testing.T) {
		cookies := map[*proc]*http.Cookie{a: procLogin(t, client, a.base, "alice"), b: procLogin(t, client, b.base, "alice"), c: procLogin(t, client, c.base, "alice")}
		r := send(a, "POST", "/documents", cookies[a], nil, `{"title":"Contended","body":"v1"}`)
		var d struct{ ID int64 }
		if err := json.Unmarshal(r.Body, &d); err != nil || r.Status != 201 {
			t.Fatalf("POST /documents = %d %s; want 201", r.Status, r.Body)
		}
		path := fmt.Sprintf("/documents/%d", d.ID)
		const writers = 30
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			statuses = make([]int, writers)
		)
		for i := range writers {
			p := reps[i%3]
			wg.Go(func() {
				<-start
				r, err := apitest.Send(context.Background(), client, "PATCH", p.base+path, cookies[p], map[string]string{"If-Match": `"1"`}, fmt.Sprintf(`{"body":"writer %d"}`, i))
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
				statuses[i] = r.Status
			})
		}
		close(start)
		wg.Wait()
		winner, counts := -1, map[int]int{}
		for i, s := range statuses {
			counts[s]++
			if s == 200 {
				winner = i
			}
		}
		if counts[200] != 1 || counts[412] != writers-1 {
			t.Fatalf("%d PATCHes with If-Match \"1\": got %v; want one 200 and %d 412s", writers, counts, writers-1)
		}
		got := send(b, "GET", path, cookies[b], nil, "")
		if want := fmt.Sprintf(`"body":"writer %d"`, winner); !strings.Contains(string(got.Body), want) {
			t.Errorf("GET %s on B = %s; want the winner's body (%s)", path, got.Body, want)
		}
	})

	t.Run("five failed logins spread over A, B and C lock the user on all three", func(t *testing.T) {
		for i := range 5 {
			p := reps[i%3]
			if r := send(p, "POST", "/login", nil, nil, `{"username":"carol","password":"wrong-password"}`); r.Status != 401 {
				t.Fatalf("failed login %d on %s = %d; want 401", i+1, name[p], r.Status)
			}
		}
		for _, p := range reps {
			r := send(p, "POST", "/login", nil, nil, `{"username":"carol","password":"password"}`)
			if r.Status != 429 || r.Header.Get("Retry-After") == "" {
				t.Errorf("login after five failures over three replicas, on %s = %d, Retry-After %q; want 429 with Retry-After", name[p], r.Status, r.Header.Get("Retry-After"))
			}
		}
	})
}

// TestReplicaKilled kills replica A of three with SIGKILL while writers
// spread over all three create and update documents: B and C answer every
// request before and after the kill, and A, started again on its address,
// reads back every write any replica acknowledged and still knows the
// sessions made before the kill.
func TestReplicaKilled(t *testing.T) {
	const (
		perReplica = 2   // writers on each replica
		before     = 150 // writes acknowledged before the kill
		after      = 150 // writes B and C acknowledge after it
	)
	database := pgtest.URL(t)
	bin := buildDocsd(t)
	runDocsd(t, bin, database, "", "seed")
	reps := []*proc{startDocsd(t, bin, database), startDocsd(t, bin, database), startDocsd(t, bin, database)}
	a := reps[0]
	client := describedClient(t, &http.Transport{MaxIdleConnsPerHost: perReplica})
	// Each user logs in on a replica of its own and writes through all three.
	users := []string{"alice", "bob", "carol"}
	cookies := map[string]*http.Cookie{}
	for i, u := range users {
		cookies[u] = procLogin(t, client, reps[i].base, u)
	}

	l := newLedger()
	var aKilled, never atomic.Bool
	var wg sync.WaitGroup
	for i, p := range reps {
		// Only A's writers may see an error, and only once A is killed.
		stopped := &never
		if p == a {
			stopped = &aKilled
		}
		for w := range perReplica {
			user, name := users[(i+w)%3], fmt.Sprintf("%c-w%d", 'A'+i, w)
			wg.Go(func() { l.write(client, p.base, cookies[user], name, stopped) })
		}
	}
	// waitForWrites waits until n writes are acknowledged, a writer fails,
	// or a minute has passed.
	waitForWrites := func(n int) {
		for deadline := time.Now().Add(time.Minute); l.count() < n && l.failed() == "" && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitForWrites(before)
	aKilled.Store(true)
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.wait(t, 10*time.Second)
	atKill := l.count()
	waitForWrites(atKill + after)
	l.enough.Store(true)
	wg.Wait()
	if msg := l.failed(); msg != "" {
		t.Fatalf("writers: %s", msg)
	}
	if n := l.count() - atKill; n < after {
		t.Fatalf("B and C acknowledged %d writes in a minute after A was killed; want %d", n, after)
	}
	inFlight := len(l.pending)
	for _, p := range reps[1:] {
		if b, _ := os.ReadFile(p.log); regexp.MustCompile(`status=5\d\d`).Match(b) {
			t.Errorf("a replica that was not killed answered a 5xx:\n%s", p.tail())
		}
	}

	client.CloseIdleConnections()
	restarted := startDocsdOn(t, bin, database, strings.TrimPrefix(a.base, "http://"))
	l.verify(t, client, restarted.base, cookies["alice"])
	for _, u := range users {
		if r, err := apitest.Send(context.Background(), client, "GET", restarted.base+"/me", cookies[u], nil, ""); err != nil || r.Status != 200 {
			t.Errorf("GET /me on the restarted A with %s's session from before the kill: got %d (%v), want 200", u, r.Status, err)
		}
	}
	t.Logf("%d writes acknowledged over three replicas (%d before SIGKILL of A, %d by B and C after it; %d of A's in flight, %d of them landed): all %d documents read back through the restarted A, and the three sessions work on it",
		l.count(), atKill, l.count()-atKill, inFlight, l.landed, len(l.acked))
}
