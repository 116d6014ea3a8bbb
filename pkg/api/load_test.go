package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestMixedLoad runs readers, writers and users logging in and out against
// one docsd at once, first to warm up and then for the measured phase.
// Every answer must be the one its request calls for (so zero 5xx), every
// acknowledged create or update must be readable afterwards with its
// content, and once the clients have gone the goroutine count returns to
// its idle level and the heap is within 20% of its level after warm-up:
// sessions, goroutines and connections do not leak.
func TestMixedLoad(t *testing.T) {
	warmUp, measured := time.Second, 3*time.Second
	if testing.Short() {
		warmUp, measured = 300*time.Millisecond, time.Second
	}
	// scripts/soak.sh runs the measured phase for longer.
	if v := os.Getenv("DOCSD_TEST_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("DOCSD_TEST_LOAD_DURATION=%q: want a positive duration such as 5m", v)
		}
		measured = d
	}
	srv := apitest.NewServer(t)
	var seeded []int64
	for i := range 20 {
		seeded = append(seeded, srv.CreateDocument(t, "bob", fmt.Sprintf("seeded %d", i), "a seeded body"))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	l := &load{base: srv.URL, client: srv.ClientWith(t, transport), seeded: seeded, acked: map[int64]ackedWrite{}}

	idle := runtime.NumGoroutine()
	settle := func(phase string) {
		t.Helper()
		transport.CloseIdleConnections()
		// Closed connections take a moment to wind down on both ends.
		const slack = 5
		deadline := time.Now().Add(10 * time.Second)
		n := runtime.NumGoroutine()
		for n > idle+slack && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			n = runtime.NumGoroutine()
		}
		if n > idle+slack {
			var dump bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&dump, 1) // a bytes.Buffer does not fail
			t.Fatalf("after %s: %d goroutines; want at most %d (idle %d + %d)\n%s", phase, n, idle+slack, idle, slack, dump.String())
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC() // the second cycle frees what sync.Pools let go in the first
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}

	// Each phase is checked and its record of writes dropped before the
	// heap is read, so that the figures are docsd's and not the test's.
	phase := func(name string, d time.Duration) uint64 {
		t.Helper()
		l.run(d)
		if n := l.fiveXX.Load(); n != 0 {
			t.Errorf("%s: %d answers were 5xx; want 0", name, n)
		}
		for _, msg := range l.unexpected {
			t.Errorf("%s: %s", name, msg)
		}
		if t.Failed() {
			t.FailNow()
		}
		l.verify(t)
		l.acked = map[int64]ackedWrite{}
		settle(name)
		return heap()
	}
	warmHeap := phase("warm-up", warmUp)
	warmRequests, warmWrites := l.requests.Load(), l.writes.Load()
	loadHeap := phase("load", measured)
	if limit := warmHeap + warmHeap/5; loadHeap > limit {
		t.Errorf("heap after load = %d bytes; want at most %d (120%% of %d after warm-up)", loadHeap, limit, warmHeap)
	}
	t.Logf("mixed load: %d requests in %v after %d in a %v warm-up (%s); %d writes acknowledged, all found; heap %d bytes after warm-up, %d after load; goroutines idle %d",
		l.requests.Load()-warmRequests, measured, warmRequests, warmUp, l.opCounts(), l.writes.Load()-warmWrites, warmHeap, loadHeap, idle)
}

// load is mixed traffic against one docsd, with what it was told.
type load struct {
	base   string
	client *http.Client
	seeded []int64

	requests, fiveXX, writes atomic.Int64

	mu         sync.Mutex
	ops        map[string]int
	unexpected []string
	// acked is the last acknowledged write of each document a writer made
	// in this phase; the content follows from the writer and sequence
	// number.
	acked  map[int64]ackedWrite
	worker int32
}

type ackedWrite struct {
	worker, seq int32
	version     int64
}

func writeContent(worker, seq int32) (title, body string) {
	return fmt.Sprintf("load w%d s%d", worker, seq), strings.Repeat(fmt.Sprintf("w%d s%d ", worker, seq), 16)
}

// run drives the mix for d: 4 readers, 4 writers and 2 users logging in
// and out, each on its own goroutine.
func (l *load) run(d time.Duration) {
	deadline := time.Now().Add(d)
	users := []string{"alice", "bob", "carol"}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { l.reader(deadline, users[i%3]) })
		l.mu.Lock()
		l.worker++
		w := l.worker
		l.mu.Unlock()
		wg.Go(func() { l.writer(deadline, users[i%3], w) })
	}
	for i := range 2 {
		wg.Go(func() { l.sessions(deadline, users[(i+1)%3]) })
	}
	wg.Wait()
}

// call sends one request and checks its status is want. It returns the
// reply only when it is.
func (l *load) call(op, method, path string, cookie *http.Cookie, header map[string]string, body string, want int) (apitest.Reply, bool) {
	l.requests.Add(1)
	r, err := apitest.Send(context.Background(), l.client, method, l.base+path, cookie, header, body)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]int{}
	}
	l.ops[op]++
	if err == nil && r.Status >= 500 {
		l.fiveXX.Add(1)
	}
	if err != nil || r.Status != want {
		if len(l.unexpected) < 10 {
			l.unexpected = append(l.unexpected, fmt.Sprintf("%s %s %s: got %d (%v) %.200s, want %d", op, method, path, r.Status, err, r.Body, want))
		}
		return r, false
	}
	return r, true
}

func (l *load) login(user string) *http.Cookie {
	r, ok := l.call("login", "POST", "/login", nil, nil, fmt.Sprintf(`{"username":%q,"password":"password"}`, user), 200)
	if !ok {
		return nil
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "docs_session" {
			return c
		}
	}
	return nil
}

func (l *load) reader(deadline time.Time, user string) {
	cookie := l.login(user)
	if cookie == nil {
		return
	}
	for time.Now().Before(deadline) {
		id := l.seeded[rand.IntN(len(l.seeded))]
		l.call("list", "GET", fmt.Sprintf("/documents?limit=10&after=%d", rand.IntN(30)), nil, nil, "", 200)
		l.call("read", "GET", fmt.Sprintf("/documents/%d", id), cookie, nil, "", 200)
		l.call("read anonymous", "GET", fmt.Sprintf("/documents/%d", id), nil, nil, "", 401)
	}
}

// writer creates a document and updates it twice with If-Match, over and
// over, recording every acknowledged write.
func (l *load) writer(deadline time.Time, user string, worker int32) {
	cookie := l.login(user)
	if cookie == nil {
		return
	}
	var seq int32
	for time.Now().Before(deadline) {
		seq++
		title, body := writeContent(worker, seq)
		in, _ := json.Marshal(map[string]string{"title": title, "body": body})
		r, ok := l.call("create", "POST", "/documents", cookie, nil, string(in), 201)
		if !ok {
			return
		}
		var d documentOut
		if err := json.Unmarshal(r.Body, &d); err != nil {
			return
		}
		l.ack(d.ID, worker, seq, d.Version)
		etag := r.Header.Get("ETag")
		for range 2 {
			seq++
			title, body := writeContent(worker, seq)
			in, _ := json.Marshal(map[string]string{"title": title, "body": body})
			r, ok := l.call("update", "PATCH", fmt.Sprintf("/documents/%d", d.ID), cookie, map[string]string{"If-Match": etag}, string(in), 200)
			if !ok {
				return
			}
			etag = r.Header.Get("ETag")
			if err := json.Unmarshal(r.Body, &d); err != nil {
				return
			}
			l.ack(d.ID, worker, seq, d.Version)
		}
	}
}

func (l *load) ack(id int64, worker, seq int32, version int64) {
	l.writes.Add(1)
	l.mu.Lock()
	l.acked[id] = ackedWrite{worker, seq, version}
	l.mu.Unlock()
}

// sessions logs in, reads /me, logs out, and checks the cookie is dead.
func (l *load) sessions(deadline time.Time, user string) {
	for time.Now().Before(deadline) {
		cookie := l.login(user)
		if cookie == nil {
			return
		}
		l.call("me", "GET", "/me", cookie, nil, "", 200)
		l.call("logout", "DELETE", "/logout", cookie, nil, "", 204)
		l.call("me after logout", "GET", "/me", cookie, nil, "", 401)
	}
}

// verify reads back every acknowledged write.
func (l *load) verify(t *testing.T) {
	t.Helper()
	reader := l.login("carol")
	if reader == nil {
		t.Fatalf("login for verification: %v", l.unexpected)
	}
	for id, w := range l.acked {
		r, err := apitest.Send(context.Background(), l.client, "GET", fmt.Sprintf("%s/documents/%d", l.base, id), reader, nil, "")
		if err != nil || r.Status != 200 {
			t.Fatalf("GET /documents/%d after load: got %d (%v), want 200", id, r.Status, err)
		}
		var d documentOut
		if err := json.Unmarshal(r.Body, &d); err != nil {
			t.Fatal(err)
		}
		title, body := writeContent(w.worker, w.seq)
		if d.Version != w.version || d.Title != title || d.Body == nil || *d.Body != body {
			t.Errorf("document %d after load: got version %d, title %q; want version %d, title %q and its body", id, d.Version, d.Title, w.version, title)
		}
	}
}

func (l *load) opCounts() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for op, n := range l.ops {
		parts = append(parts, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
