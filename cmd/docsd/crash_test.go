package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to inspect the file after docsd has gone

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/session"
)

// TestProcess runs the docsd binary as a process on a real SQLite file and
// kills it: SIGKILL in the middle of acknowledged writes loses none of
// them, and SIGTERM under load lets in-flight requests finish, refuses new
// connections and exits 0 within server.shutdown_timeout.
func TestProcess(t *testing.T) {
	bin := buildDocsd(t)
	t.Run("SIGKILL mid-stream loses no acknowledged write", func(t *testing.T) {
		testKill(t, bin)
	})
	t.Run("SIGTERM under load finishes in-flight requests and exits 0", func(t *testing.T) {
		testTerm(t, bin)
	})
}

// buildDocsd builds docsd into t.TempDir(), with the race detector when the
// test binary has it, so that the build cache already holds every package
// and the server is checked for races too.
func buildDocsd(t *testing.T) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build docsd: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "docsd")
	args := []string{"build", "-o", bin}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-race" && s.Value == "true" {
				args = append(args, "-race")
			}
		}
	}
	out, err := exec.Command(gotool, append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// proc is a running docsd.
type proc struct {
	cmd  *exec.Cmd
	base string
	log  string
	done chan struct{}
	err  error // from Wait, once done is closed
}

// runDocsd runs a docsd command other than serve on database, with stdin,
// and fails the test when it fails.
func runDocsd(t *testing.T, bin, database, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--database", database)...)
	cmd.Dir = t.TempDir()
	cmd.Env = procEnv("DOCSD_AUTH_BCRYPT_COST=4")
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docsd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// send makes one request to p and fails the test when it gets no answer.
func (p *proc) send(t *testing.T, client *http.Client, method, path string, cookie *http.Cookie, header map[string]string, body string) apitest.Reply {
	t.Helper()
	r, err := apitest.Send(context.Background(), client, method, p.base+path, cookie, header, body)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, p.base, path, err)
	}
	return r
}

// procEnv is the environment without any DOCSD_ setting of the caller's.
func procEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOCSD_") {
			env = append(env, kv)
		}
	}
	// The race detector's pause at exit would count as shutdown time.
	race := "atexit_sleep_ms=0"
	if v := os.Getenv("GORACE"); v != "" {
		race = v + " " + race
	}
	return append(env, append(extra, "GORACE="+race)...)
}

// seedDB creates the demo users in a new database file.
func seedDB(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "docs.db")
	cmd := exec.Command(bin, "seed", "--database", db)
	cmd.Dir = dir
	cmd.Env = procEnv("DOCSD_AUTH_BCRYPT_COST=4")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docsd seed: %v\n%s", err, out)
	}
	return db
}

// startDocsd runs `docsd serve` on db and a free loopback port, and waits
// until it is ready.
func startDocsd(t *testing.T, bin, db string) *proc {
	t.Helper()
	return startDocsdOn(t, bin, db, freeAddr(t))
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startDocsdOn runs `docsd serve` on db and addr, with extra settings in
// env (KEY=value), and waits until GET /readyz answers 200, as a load
// balancer would before sending it requests. A restarted replica takes
// the address of the one it replaces.
func startDocsdOn(t *testing.T, bin, db, addr string, env ...string) *proc {
	t.Helper()
	logFile, err := os.CreateTemp(t.TempDir(), "docsd-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	p := &proc{base: "http://" + addr, log: logFile.Name(), done: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--addr", addr, "--database", db)
	// No configs/docsd.yaml in the working directory: defaults only.
	p.cmd.Dir = filepath.Dir(logFile.Name())
	p.cmd.Env = procEnv(append([]string{"DOCSD_AUTH_BCRYPT_COST=4"}, env...)...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill() // fails only when the process has already gone
		<-p.done
		// docsd is built with the race detector when the tests are.
		if b, _ := os.ReadFile(p.log); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
			t.Errorf("docsd reported a data race:\n%s", b[bytes.Index(b, []byte("WARNING: DATA RACE")):])
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("docsd exited before it answered: %v\n%s", p.err, p.tail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("docsd was not ready (GET /readyz 200) within 30s: %v\n%s", err, p.tail())
		}
	}
}

// tail is the end of the process's log, for failure messages.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("docsd did not exit within %v\n%s", d, p.tail())
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("docsd: %v", p.err)
	}
	return 0
}

// describedClient is a client over transport whose answers are checked
// against the OpenAPI description of a docsd on the defaults, as the
// processes of these tests run.
func describedClient(t *testing.T, transport *http.Transport) *http.Client {
	t.Helper()
	description, err := api.OpenAPI(api.DefaultSkipList(), session.DefaultCookieName)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: time.Minute, Transport: apitest.ValidatingTransport(t, transport, apitest.Described{Description: description})}
}

func procLogin(t *testing.T, client *http.Client, base, user string) *http.Cookie {
	t.Helper()
	a, err := apitest.Send(context.Background(), client, "POST", base+"/login", nil, nil, fmt.Sprintf(`{"username":%q,"password":"password"}`, user))
	if err != nil || a.Status != 200 {
		t.Fatalf("login %s: got %d (%v) %s, want 200", user, a.Status, err, a.Body)
	}
	for _, c := range (&http.Response{Header: a.Header}).Cookies() {
		if c.Name == "docs_session" {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", user)
	return nil
}

// stored is a document's content at a version.
type stored struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Version int64  `json:"version"`
}

// ledger records what docsd acknowledged. Writers touch only their own
// documents, so a document's next state is either its last acknowledged
// write or the one write sent after it whose answer never came.
type ledger struct {
	mu      sync.Mutex
	acked   map[int64]stored
	pending map[int64]stored
	writes  int
	// landed counts writes in flight at a kill that turned out stored.
	landed int
	// failure is the first unexpected answer, or an error before the kill.
	failure string
	// enough, once set, stops the writers between two documents.
	enough atomic.Bool
}

func newLedger() *ledger {
	return &ledger{acked: map[int64]stored{}, pending: map[int64]stored{}}
}

func (l *ledger) ack(id int64, s stored) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked[id] = s
	delete(l.pending, id)
	l.writes++
}

func (l *ledger) send(id int64, s stored) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[id] = s
}

func (l *ledger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failure == "" {
		l.failure = fmt.Sprintf(format, args...)
	}
}

func (l *ledger) failed() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failure
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes
}

// write creates documents and updates each three times with If-Match,
// recording every acknowledged write, until an error once stopped is set
// (the server is going away) or until l.enough is set. An error is
// expected only once stopped is set.
func (l *ledger) write(client *http.Client, base string, cookie *http.Cookie, name string, stopped *atomic.Bool) {
	ctx := context.Background()
	check := func(what string, a apitest.Reply, err error, want int) bool {
		switch {
		case err != nil && stopped.Load():
			return false
		case err != nil:
			l.fail("%s %s: %v before docsd was stopped", name, what, err)
			return false
		case a.Status != want:
			l.fail("%s %s: got %d %s, want %d", name, what, a.Status, a.Body, want)
			return false
		}
		return true
	}
	for n := 0; !l.enough.Load(); n++ {
		s := stored{Title: fmt.Sprintf("%s %d", name, n), Body: strings.Repeat(fmt.Sprintf("%s %d v1 ", name, n), 20), Version: 1}
		in, _ := json.Marshal(map[string]string{"title": s.Title, "body": s.Body})
		a, err := apitest.Send(ctx, client, "POST", base+"/documents", cookie, nil, string(in))
		if !check("create", a, err, 201) {
			return
		}
		var d struct{ ID int64 }
		if err := json.Unmarshal(a.Body, &d); err != nil {
			l.fail("%s create: %v", name, err)
			return
		}
		l.ack(d.ID, s)
		for v := int64(2); v <= 4; v++ {
			next := stored{Title: s.Title, Body: strings.Repeat(fmt.Sprintf("%s %d v%d ", name, n, v), 20), Version: v}
			l.send(d.ID, next)
			a, err := apitest.Send(ctx, client, "PATCH", fmt.Sprintf("%s/documents/%d", base, d.ID), cookie,
				map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v-1)}, fmt.Sprintf(`{"body":%q}`, next.Body))
			if !check("update", a, err, 200) {
				return
			}
			l.ack(d.ID, next)
		}
	}
}

// verify reads every acknowledged document back from docsd. A write in
// flight at the kill may or may not have landed; when it did, it becomes
// the document's acknowledged state.
func (l *ledger) verify(t *testing.T, client *http.Client, base string, cookie *http.Cookie) {
	t.Helper()
	for id, want := range l.acked {
		a, err := apitest.Send(context.Background(), client, "GET", fmt.Sprintf("%s/documents/%d", base, id), cookie, nil, "")
		if err != nil || a.Status != 200 {
			t.Fatalf("GET /documents/%d: got %d (%v) %s, want 200 with the acknowledged write", id, a.Status, err, a.Body)
		}
		var got stored
		if err := json.Unmarshal(a.Body, &got); err != nil {
			t.Fatal(err)
		}
		if next, ok := l.pending[id]; ok && got == next {
			l.acked[id] = next
			delete(l.pending, id)
			l.landed++
			continue
		}
		if got != want {
			t.Errorf("document %d: got version %d %q, want version %d %q (acknowledged before the kill)", id, got.Version, got.Body[:min(len(got.Body), 40)], want.Version, want.Body[:min(len(want.Body), 40)])
		}
	}
	// What was in flight and did not land is no longer pending: the next
	// round's writers start on new documents.
	clear(l.pending)
}

func testKill(t *testing.T, bin string) {
	const (
		cycles  = 3
		writers = 4
		// Writes acknowledged in a cycle before the kill; the kill lands
		// while every writer still has a request on its way.
		perCycle = 150
	)
	db := seedDB(t, bin)
	l := newLedger()
	client := describedClient(t, &http.Transport{MaxIdleConnsPerHost: writers})
	var earlier []*http.Cookie
	for cycle := range cycles {
		p := startDocsd(t, bin, db)
		cookies := map[string]*http.Cookie{}
		for _, u := range []string{"alice", "bob", "carol"} {
			cookies[u] = procLogin(t, client, p.base, u)
		}
		l.verify(t, client, p.base, cookies["alice"])
		// A login is an acknowledged write too: its session must survive.
		for _, c := range earlier {
			if a, err := apitest.Send(context.Background(), client, "GET", p.base+"/me", c, nil, ""); err != nil || a.Status != 200 {
				t.Errorf("cycle %d: GET /me with a session from before the kill: got %d (%v), want 200", cycle, a.Status, err)
			}
		}
		earlier = append(earlier, cookies["bob"])
		start := l.count()

		var stopped atomic.Bool
		var wg sync.WaitGroup
		for i := range writers {
			user := []string{"alice", "bob", "carol"}[i%3]
			wg.Go(func() { l.write(client, p.base, cookies[user], fmt.Sprintf("c%d-w%d", cycle, i), &stopped) })
		}
		deadline := time.Now().Add(time.Minute)
		for l.count() < start+perCycle && l.failed() == "" && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		stopped.Store(true)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		p.wait(t, 10*time.Second)
		client.CloseIdleConnections()
		if msg := l.failed(); msg != "" {
			t.Fatalf("cycle %d: %s\n%s", cycle, msg, p.tail())
		}
		if n := l.count() - start; n < perCycle {
			t.Fatalf("cycle %d: %d writes acknowledged in a minute; want %d before the kill", cycle, n, perCycle)
		}
		t.Logf("cycle %d: %d writes acknowledged, then SIGKILL with %d updates (and some creates) in flight", cycle, l.count()-start, len(l.pending))
	}

	p := startDocsd(t, bin, db)
	l.verify(t, client, p.base, procLogin(t, client, p.base, "carol"))
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("docsd after SIGTERM: got exit %d, want 0\n%s", code, p.tail())
	}
	client.CloseIdleConnections()
	checkIntegrity(t, db)
	t.Logf("%d writes acknowledged over %d SIGKILLs (%d documents), all found with their content after restart; %d unacknowledged updates had landed; integrity_check ok",
		l.count(), cycles, len(l.acked), l.landed)
}

func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// checkIntegrity opens the file docsd left and runs PRAGMA integrity_check.
func checkIntegrity(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		t.Fatal(err)
	}
	if res != "ok" {
		t.Fatalf("PRAGMA integrity_check: got %q, want ok", res)
	}
	return db
}

func testTerm(t *testing.T, bin string) {
	const (
		inFlight = 6
		loaders  = 4
	)
	db := seedDB(t, bin)
	p := startDocsd(t, bin, db)
	// Expect: 100-continue makes the client hold the body back until the
	// handler asks for it, which tells the test the request is inside its
	// handler; the body is sent only after the signal.
	client := describedClient(t, &http.Transport{ExpectContinueTimeout: time.Minute, MaxIdleConnsPerHost: loaders})
	cookies := map[string]*http.Cookie{}
	for _, u := range []string{"alice", "bob", "carol"} {
		cookies[u] = procLogin(t, client, p.base, u)
	}

	// Load: writers creating and updating documents until the signal.
	l := newLedger()
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for i := range loaders {
		user := []string{"alice", "bob", "carol"}[i%3]
		wg.Go(func() { l.write(client, p.base, cookies[user], fmt.Sprintf("load-%d", i), &stopped) })
	}

	// Requests held inside their handlers.
	type held struct {
		body  []byte
		pipe  *io.PipeWriter
		want  stored
		reply chan apitest.Reply
		err   chan error
	}
	holds := make([]held, inFlight)
	inHandler := make(chan int, inFlight)
	for i := range holds {
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		want := stored{Title: fmt.Sprintf("in flight %d", i), Body: fmt.Sprintf("body sent after SIGTERM, %d", i), Version: 1}
		body, _ := json.Marshal(map[string]string{"title": want.Title, "body": want.Body})
		holds[i] = held{body: body, pipe: pw, want: want, reply: make(chan apitest.Reply, 1), err: make(chan error, 1)}
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{Got100Continue: func() { inHandler <- i }})
		req, err := http.NewRequestWithContext(ctx, "POST", p.base+"/documents", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Expect", "100-continue")
		req.AddCookie(cookies["carol"])
		h := holds[i]
		own := describedClient(t, &http.Transport{ExpectContinueTimeout: time.Minute})
		go func() {
			// A client of its own, so that no load request shares the
			// connection.
			resp, err := own.Do(req)
			if err != nil {
				h.err <- err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				h.err <- err
				return
			}
			h.reply <- apitest.Reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
		}()
	}
	for range inFlight {
		select {
		case <-inHandler:
		case <-time.After(30 * time.Second):
			t.Fatalf("the held requests did not reach their handlers within 30s\n%s", p.tail())
		}
	}
	// Let the load run beside the held requests for a moment.
	for start := l.count(); l.count() < start+20 && l.failed() == ""; {
		time.Sleep(5 * time.Millisecond)
	}

	stopped.Store(true)
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused once shutdown has closed the listener.
	addr := strings.TrimPrefix(p.base, "http://")
	for refused := false; !refused; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		switch {
		case err == nil:
			c.Close() // still listening: the signal has not been handled yet
		case errors.Is(err, syscall.ECONNREFUSED):
			refused = true
			continue
		case errors.Is(err, syscall.ECONNRESET):
			// It reached the backlog just as the listener closed: not served.
		case isTimeout(err):
			// docsd drops new handshakes while those under way complete.
		default:
			t.Fatalf("dial after SIGTERM: got %v, want connection refused", err)
		}
		if time.Since(sent) > 10*time.Second {
			t.Fatal("docsd still accepted connections 10s after SIGTERM")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-p.done:
		t.Fatalf("docsd exited with requests still in flight: %v\n%s", p.err, p.tail())
	default:
	}

	// The held requests finish: their bodies go now and each gets a 201.
	for _, h := range holds {
		if _, err := h.pipe.Write(h.body); err != nil {
			t.Fatalf("send held body: %v", err)
		}
		h.pipe.Close()
	}
	for i, h := range holds {
		select {
		case a := <-h.reply:
			if a.Status != 201 {
				t.Errorf("held request %d: got %d %s, want 201", i, a.Status, a.Body)
				continue
			}
			var d struct{ ID int64 }
			if err := json.Unmarshal(a.Body, &d); err != nil {
				t.Fatal(err)
			}
			l.ack(d.ID, h.want)
		case err := <-h.err:
			t.Errorf("held request %d: got %v, want 201", i, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("held request %d: no answer within 30s", i)
		}
	}

	shutdownTimeout := config.Defaults().Server.ShutdownTimeout
	// Waiting a little past the timeout tells a slow exit (a failure)
	// from a hung one in the message.
	code := p.wait(t, shutdownTimeout+5*time.Second)
	took := time.Since(sent)
	wg.Wait()
	client.CloseIdleConnections()
	if code != 0 {
		t.Fatalf("docsd after SIGTERM: got exit %d, want 0\n%s", code, p.tail())
	}
	if took > shutdownTimeout {
		t.Errorf("docsd exited %v after SIGTERM; want within server.shutdown_timeout (%v)", took, shutdownTimeout)
	}
	if msg := l.failed(); msg != "" {
		t.Fatalf("load: %s", msg)
	}

	// Everything acknowledged, the held requests included, is in the file.
	sqlDB := checkIntegrity(t, db)
	for id, want := range l.acked {
		var got stored
		err := sqlDB.QueryRow(`SELECT title, body, version FROM documents WHERE id = ?`, id).Scan(&got.Title, &got.Body, &got.Version)
		if next, ok := l.pending[id]; ok && got == next {
			continue
		}
		if err != nil || got != want {
			t.Errorf("document %d after SIGTERM: got version %d %q (%v), want version %d %q", id, got.Version, got.Title, err, want.Version, want.Title)
		}
	}
	t.Logf("SIGTERM with %d requests held in their handlers and %d load writers: new connections refused, held requests answered 201, exit 0 after %v (timeout %v); %d writes acknowledged, all in the file; integrity_check ok",
		inFlight, loaders, took.Round(time.Millisecond), shutdownTimeout, l.count())
}
