package api_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
)

func login(username, password string) call {
	return call{method: "POST", path: "/login", body: fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)}
}

func TestLoginThrottle(t *testing.T) { apitest.ForEachBackend(t, testLoginThrottle) }

func testLoginThrottle(t *testing.T) {
	t.Run("five failures lock the username, the right password included, until the window passes", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		r := do(t, srv, login("carol", "password")).Want(t, 429)
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > int(api.ThrottleDefaults().Window/time.Second) {
			t.Errorf("Retry-After = %q; want seconds within the window", r.Header.Get("Retry-After"))
		}
		// Another username from the same address is not locked by carol's count.
		do(t, srv, login("bob", "password")).Want(t, 200)
		srv.Clock.Advance(api.ThrottleDefaults().Window + time.Second)
		do(t, srv, login("carol", "password")).Want(t, 200)
	})

	t.Run("parallel guesses cannot pass the check before any is counted", func(t *testing.T) {
		srv := apitest.NewServer(t)
		const guesses = 15
		statuses := make(chan int, guesses)
		var wg sync.WaitGroup
		for range guesses {
			wg.Go(func() { statuses <- do(t, srv, login("carol", "wrong-password")).Status })
		}
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		if counts[401] != api.ThrottleDefaults().MaxFailures || counts[429] != guesses-api.ThrottleDefaults().MaxFailures {
			t.Errorf("%d parallel wrong passwords got %v; want %d 401s and the rest 429", guesses, counts, api.ThrottleDefaults().MaxFailures)
		}
	})

	t.Run("registrations count toward the address", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for i := range api.ThrottleDefaults().MaxFailuresPerAddress {
			do(t, srv, call{method: "POST", path: "/register", body: fmt.Sprintf(`{"username":"user%d","password":"long enough"}`, i)}).Want(t, 201)
		}
		do(t, srv, call{method: "POST", path: "/register", body: `{"username":"one-more","password":"long enough"}`}).Want(t, 429)
	})

	t.Run("an overlong username is a plain 401 that still counts", func(t *testing.T) {
		srv := apitest.NewServer(t)
		long := strings.Repeat("x", 100_000)
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login(long, "wrong-password")).Want(t, 401)
		}
		do(t, srv, login(long, "wrong-password")).Want(t, 429)
	})

	t.Run("the username is throttled in any case", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login("CAROL", "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("carol", "password")).Want(t, 429)
	})

	t.Run("a successful login resets the username's count", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for range api.ThrottleDefaults().MaxFailures - 1 {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("carol", "password")).Want(t, 200)
		for range api.ThrottleDefaults().MaxFailures - 1 {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("carol", "password")).Want(t, 200)
	})

	t.Run("twenty failures lock the client address for every username", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for i := range api.ThrottleDefaults().MaxFailuresPerAddress {
			do(t, srv, login(fmt.Sprintf("guess%d", i), "wrong-password")).Want(t, 401)
		}
		do(t, srv, login("alice", "password")).Want(t, 429)
	})

	t.Run("X-Forwarded-For is ignored unless the peer is a trusted proxy", func(t *testing.T) {
		srv := apitest.NewServer(t)
		for i := range api.ThrottleDefaults().MaxFailuresPerAddress {
			c := login(fmt.Sprintf("guess%d", i), "wrong-password")
			c.header = map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)}
			do(t, srv, c).Want(t, 401)
		}
		do(t, srv, login("alice", "password")).Want(t, 429)

		proxied := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{
			PublicRoutes: api.DefaultSkipList(), TrustedProxies: []string{"127.0.0.1"},
		}})
		for i := range api.ThrottleDefaults().MaxFailuresPerAddress {
			c := login(fmt.Sprintf("guess%d", i), "wrong-password")
			c.header = map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)}
			do(t, proxied, c).Want(t, 401)
		}
		do(t, proxied, login("alice", "password")).Want(t, 200)
	})

	t.Run("a lockout holds on another replica sharing the database", func(t *testing.T) {
		srv := apitest.NewServer(t)
		replica := apitest.NewServerWith(t, apitest.Options{Share: srv})
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, login("carol", "wrong-password")).Want(t, 401)
		}
		do(t, replica, login("carol", "password")).Want(t, 429)
	})
}

func TestCrossOriginAndContentType(t *testing.T) {
	apitest.ForEachBackend(t, testCrossOriginAndContentType)
}

func testCrossOriginAndContentType(t *testing.T) {
	srv := apitest.NewServer(t)
	carol := srv.Login(t, "carol")
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}

	t.Run("a cross-site browser request that changes state is a 403, login included", func(t *testing.T) {
		c := login("carol", "password")
		c.header = crossSite
		p := do(t, srv, c).Want(t, 403).Problem(t)
		if !strings.Contains(p.Detail, "cross-origin") {
			t.Errorf("detail = %q; want it to say cross-origin", p.Detail)
		}
		do(t, srv, call{method: "DELETE", path: "/documents/6", cookie: carol, header: crossSite}).Want(t, 403)
	})

	t.Run("the cross-origin check comes before the session guard", func(t *testing.T) {
		do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"x"}`, header: crossSite}).Want(t, 403)
	})

	t.Run("a cross-site read is allowed", func(t *testing.T) {
		do(t, srv, call{method: "GET", path: "/documents", header: crossSite}).Want(t, 200)
	})

	t.Run("a trusted origin may", func(t *testing.T) {
		trusting := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{
			PublicRoutes: api.DefaultSkipList(), TrustedOrigins: []string{"https://app.example"},
		}})
		c := login("carol", "password")
		c.header = map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://app.example"}
		do(t, trusting, c).Want(t, 200)
	})

	t.Run("a body that is not JSON is a 415, after the session guard", func(t *testing.T) {
		form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"x"}`, header: form}).Want(t, 401)
		do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"x"}`, cookie: carol, header: form}).Want(t, 415)
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"carol","password":"password"}`, header: map[string]string{"Content-Type": "text/plain"}}).Want(t, 415)
	})

	t.Run("a charset parameter is fine", func(t *testing.T) {
		do(t, srv, call{method: "POST", path: "/documents", body: `{"title":"x"}`, cookie: carol,
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}).Want(t, 201)
	})

	t.Run("a bodiless DELETE needs no content type", func(t *testing.T) {
		id := srv.CreateDocument(t, "carol", "gone", "")
		do(t, srv, call{method: "DELETE", path: fmt.Sprintf("/documents/%d", id), cookie: carol}).Want(t, 204)
	})
}

func TestPasswordChange(t *testing.T) { apitest.ForEachBackend(t, testPasswordChange) }

func testPasswordChange(t *testing.T) {
	srv := apitest.NewServer(t)
	other := srv.Login(t, "carol")
	mine := srv.Login(t, "carol")

	t.Run("a wrong current password is a 403 that counts toward the throttle", func(t *testing.T) {
		for range api.ThrottleDefaults().MaxFailures {
			do(t, srv, call{method: "PATCH", path: "/me", body: `{"current_password":"wrong-one","password":"new-password"}`, cookie: mine}).Want(t, 403)
		}
		do(t, srv, login("carol", "password")).Want(t, 429)
		srv.Clock.Advance(api.ThrottleDefaults().Window + time.Second)
	})

	r := do(t, srv, call{method: "PATCH", path: "/me", body: `{"current_password":"password","password":"new-password"}`, cookie: mine}).Want(t, 200)
	renewed := cookieFrom(t, r)

	t.Run("the caller continues under a new session id", func(t *testing.T) {
		if renewed.Value == mine.Value {
			t.Fatal("session id unchanged after a password change")
		}
		do(t, srv, call{method: "GET", path: "/me", cookie: renewed}).Want(t, 200)
		do(t, srv, call{method: "GET", path: "/me", cookie: mine}).Want(t, 401)
	})
	t.Run("every other session of the user ends", func(t *testing.T) {
		do(t, srv, call{method: "GET", path: "/me", cookie: other}).Want(t, 401)
	})
	t.Run("the new password works and the old does not", func(t *testing.T) {
		do(t, srv, login("carol", "password")).Want(t, 401)
		do(t, srv, login("carol", "new-password")).Want(t, 200)
	})
	t.Run("a short new password names the field", func(t *testing.T) {
		p := do(t, srv, call{method: "PATCH", path: "/me", body: `{"current_password":"new-password","password":"short"}`, cookie: renewed}).Want(t, 400).Problem(t)
		if p.Field != "password" {
			t.Errorf("field = %q; want password", p.Field)
		}
	})
}

// TestReplay holds the session-replay cases of the OWASP testing guide
// (WSTG-SESS): each cookie that should be dead is.
func TestReplay(t *testing.T) { apitest.ForEachBackend(t, testReplay) }

func testReplay(t *testing.T) {
	srv := apitest.NewServer(t)

	t.Run("the pre-login cookie after login", func(t *testing.T) {
		pre := srv.Login(t, "bob")
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`, cookie: pre}).Want(t, 200)
		do(t, srv, call{method: "GET", path: "/me", cookie: pre}).Want(t, 401)
	})

	t.Run("the cookie after logout", func(t *testing.T) {
		c := srv.Login(t, "bob")
		do(t, srv, call{method: "DELETE", path: "/logout", cookie: c}).Want(t, 204)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})

	t.Run("a cookie past the idle timeout", func(t *testing.T) {
		c := srv.Login(t, "bob")
		srv.Clock.Advance(apitest.IdleTimeout + time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})

	t.Run("a cookie past the absolute timeout", func(t *testing.T) {
		c := srv.Login(t, "bob")
		for range 2 * int(apitest.AbsoluteTimeout/apitest.IdleTimeout) {
			do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
			srv.Clock.Advance(apitest.IdleTimeout / 2)
		}
		srv.Clock.Advance(time.Second)
		do(t, srv, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	})

	t.Run("another user's cookie swapped in acts as that user only", func(t *testing.T) {
		alice, carol := srv.Login(t, "alice"), srv.Login(t, "carol")
		if !strings.Contains(string(do(t, srv, call{method: "GET", path: "/me", cookie: carol}).Want(t, 200).Body), `"carol"`) {
			t.Error("carol's cookie is not carol")
		}
		do(t, srv, call{method: "DELETE", path: "/documents/1", cookie: carol}).Want(t, 403)
		if !strings.Contains(string(do(t, srv, call{method: "GET", path: "/me", cookie: alice}).Want(t, 200).Body), `"alice"`) {
			t.Error("alice's cookie is not alice after carol's was used")
		}
	})

	t.Run("a cookie signed with another server's secret", func(t *testing.T) {
		elsewhere := apitest.NewServerWith(t, apitest.Options{Secrets: [][]byte{[]byte("another-server-secret-0123456789abcdef")}})
		foreign := elsewhere.Login(t, "alice")
		do(t, srv, call{method: "GET", path: "/me", cookie: foreign}).Want(t, 401)
	})
}

func TestSecretRotation(t *testing.T) { apitest.ForEachBackend(t, testSecretRotation) }

func testSecretRotation(t *testing.T) {
	oldKey := []byte("old-secret-0123456789abcdef-0123456789")
	newKey := []byte("new-secret-0123456789abcdef-0123456789")
	before := apitest.NewServerWith(t, apitest.Options{Secrets: [][]byte{oldKey}})
	c := before.Login(t, "alice")

	during := apitest.NewServerWith(t, apitest.Options{Share: before, Secrets: [][]byte{newKey, oldKey}})
	do(t, during, call{method: "GET", path: "/me", cookie: c}).Want(t, 200)
	fresh := during.Login(t, "bob")

	after := apitest.NewServerWith(t, apitest.Options{Share: before, Secrets: [][]byte{newKey}})
	do(t, after, call{method: "GET", path: "/me", cookie: c}).Want(t, 401)
	do(t, after, call{method: "GET", path: "/me", cookie: fresh}).Want(t, 200)
}

// TestSlowHeaderIsCutOff runs the engine behind an http.Server with a short
// ReadHeaderTimeout and trickles a header: the server must hang up.
func TestSlowHeaderIsCutOff(t *testing.T) {
	srv := apitest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Config.Handler, ReadHeaderTimeout: 200 * time.Millisecond}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	defer func() {
		hs.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve = %v; want http.ErrServerClosed", err)
		}
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	closed := false
	for range 50 {
		if _, err := fmt.Fprint(conn, "X-Slow: a\r\n"); err != nil {
			closed = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !closed {
		// A write can still succeed into the kernel buffer; a read tells.
		if err := conn.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := bufio.NewReader(conn).ReadString('\n')
		closed = err != nil
	}
	if !closed {
		t.Error("a client trickling its header for 2.5 s was not cut off by a 200 ms ReadHeaderTimeout")
	}
}

// TestReplicas runs two engines, each with its own session cache, on one
// database: what one does to a session or a role holds on the other at its
// next request.
func TestReplicas(t *testing.T) { apitest.ForEachBackend(t, testReplicas) }

func testReplicas(t *testing.T) {
	a := apitest.NewServer(t)
	b := apitest.NewServerWith(t, apitest.Options{Share: a})
	carol := a.Login(t, "carol")
	do(t, b, call{method: "GET", path: "/users", cookie: carol}).Want(t, 403)

	t.Run("a role change on one holds on the other", func(t *testing.T) {
		do(t, a, call{method: "PATCH", path: fmt.Sprintf("/users/%d", a.Users["carol"]), body: `{"role":"admin"}`, cookie: a.Login(t, "alice")}).Want(t, 200)
		do(t, b, call{method: "GET", path: "/users", cookie: carol}).Want(t, 200)
	})
	t.Run("a logout on one holds on the other", func(t *testing.T) {
		do(t, b, call{method: "GET", path: "/me", cookie: carol}).Want(t, 200)
		do(t, a, call{method: "DELETE", path: "/logout", cookie: carol}).Want(t, 204)
		do(t, b, call{method: "GET", path: "/me", cookie: carol}).Want(t, 401)
	})
}
