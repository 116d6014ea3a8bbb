package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// request is one request of a test, by a user (with a cookie) or nobody.
type request struct {
	method, path string
	cookie       *http.Cookie
	body         string
}

// processes returns the postmaster's pid and those of its children: the
// whole server, as `kill -STOP` by an operator (or a frozen VM) stops it.
func (pg *privatePostgres) processes() []int {
	pg.t.Helper()
	b, err := os.ReadFile(filepath.Join(pg.dir, "data", "postmaster.pid"))
	if err != nil {
		pg.t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		pg.t.Fatalf("postmaster.pid: %v", err)
	}
	pids := []int{postmaster}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		pg.t.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		fields := strings.Fields(string(rest))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signal sends sig to every pid.
func (pg *privatePostgres) signal(pids []int, sig syscall.Signal) {
	pg.t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil {
			pg.t.Errorf("kill -%d %d: %v", sig, pid, err)
		}
	}
}

// TestPostgresHung stops docsd's PostgreSQL with SIGSTOP, postmaster and
// children, so that it keeps every connection open and answers nothing:
// every request that needs the database answers a 503 problem with
// Retry-After instead of hanging (the client gives up only after 30 s, far
// past postgres.query_timeout), twice over, with requests sharing the read
// of the epochs; /healthz answers 200 with a session cookie or without;
// and once the server runs again, docsd serves by itself.
func TestPostgresHung(t *testing.T) {
	pg := startPrivatePostgres(t)
	bin := buildDocsd(t)
	seedPostgres(t, bin, pg.url())
	p := startDocsd(t, bin, pg.url())
	client := &http.Client{Timeout: 30 * time.Second}
	carol := procLogin(t, client, p.base, "carol")
	send := func(c request) apitest.Reply {
		r, err := apitest.Send(context.Background(), client, c.method, p.base+c.path, c.cookie, nil, c.body)
		if err != nil {
			t.Errorf("%s %s: %v; want an answer within the client's 30 s", c.method, c.path, err)
		}
		return r
	}
	created := send(request{method: "POST", path: "/documents", cookie: carol, body: `{"title":"Before","body":"v1"}`})
	if created.Status != http.StatusCreated {
		t.Fatalf("POST /documents = %d %s; want 201", created.Status, created.Body)
	}
	doc := created.Header.Get("Location")
	needDB := []request{
		{method: "GET", path: "/readyz"},
		{method: "GET", path: doc, cookie: carol},
		{method: "GET", path: "/me", cookie: carol},
		{method: "GET", path: "/documents"},
		{method: "GET", path: "/documents", cookie: carol},
		{method: "PATCH", path: doc, cookie: carol, body: `{"body":"v2"}`},
		{method: "POST", path: "/documents", cookie: carol, body: `{"title":"During"}`},
		{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`},
	}

	pids := pg.processes()
	pg.signal(pids, syscall.SIGSTOP)
	stopped := true
	t.Cleanup(func() {
		if stopped {
			pg.signal(pids, syscall.SIGCONT)
		}
	})
	for round := range 2 {
		var wg sync.WaitGroup
		for _, c := range needDB {
			wg.Go(func() {
				r := send(c)
				if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("round %d, PostgreSQL stopped: %s %s = %d, Retry-After %q, %s; want a 503 problem with Retry-After", round, c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
				}
			})
		}
		for _, cookie := range []*http.Cookie{nil, carol} {
			wg.Go(func() {
				if r := send(request{method: "GET", path: "/healthz", cookie: cookie}); r.Status != http.StatusOK {
					t.Errorf("round %d, PostgreSQL stopped: GET /healthz with cookie %v = %d %s; want 200 (liveness does not ask the database)", round, cookie != nil, r.Status, r.Body)
				}
			})
		}
		wg.Wait()
	}
	select {
	case <-p.done:
		t.Fatalf("docsd exited while PostgreSQL was stopped: %v\n%s", p.err, p.tail())
	default:
	}

	pg.signal(pids, syscall.SIGCONT)
	stopped = false
	for _, c := range []struct {
		request
		want int
	}{
		{request{method: "GET", path: "/readyz"}, http.StatusOK},
		{request{method: "GET", path: doc, cookie: carol}, http.StatusOK},
		{request{method: "PATCH", path: doc, cookie: carol, body: `{"body":"after"}`}, http.StatusOK},
		{request{method: "POST", path: "/documents", cookie: carol, body: `{"title":"After"}`}, http.StatusCreated},
		{request{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`}, http.StatusOK},
	} {
		if r := send(c.request); r.Status != c.want {
			t.Errorf("PostgreSQL running again: %s %s = %d %s; want %d", c.method, c.path, r.Status, r.Body, c.want)
		}
	}
	if log := p.tail(); strings.Contains(log, "status=500") {
		t.Errorf("docsd logged a 500:\n%s", log)
	}
}
