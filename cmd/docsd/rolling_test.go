package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// requireNginxEnv, when set (as .ci/run sets it), turns a missing nginx
// from a skip into a failure.
const requireNginxEnv = "DOCSD_TEST_NGINX"

// nginxFront is an nginx running the shipped configs/nginx/docsd.conf in
// front of replicas.
type nginxFront struct {
	base string
	dir  string // holds its configuration and logs
}

// lookNginx returns the nginx to run, or skips the test without one
// unless DOCSD_TEST_NGINX says it is required.
func lookNginx(t *testing.T) string {
	t.Helper()
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv(requireNginxEnv) != "" {
			t.Fatalf("no nginx on PATH, and %s is set: install it (apt-get install nginx-light)", requireNginxEnv)
		}
		t.Skipf("nginx test skipped: no nginx on PATH (apt-get install nginx-light; .ci/run installs it and sets %s=1 to require it)", requireNginxEnv)
	}
	return nginx
}

// startNginx runs nginx on a free loopback port in front of the replicas
// at addrs, with the configuration scripts/nginx-conf.sh renders (as
// scripts/cluster.sh does), until the test ends.
func startNginx(t *testing.T, nginx string, addrs []string) *nginxFront {
	t.Helper()
	addr := freeAddr(t)
	f := &nginxFront{base: "http://" + addr, dir: t.TempDir()}
	render := exec.Command("../../scripts/nginx-conf.sh", append([]string{f.dir, strings.TrimPrefix(addr, "127.0.0.1:")}, addrs...)...)
	if out, err := render.CombinedOutput(); err != nil {
		t.Fatalf("scripts/nginx-conf.sh: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, "-p", f.dir, "-c", filepath.Join(f.dir, "nginx.conf"), "-e", filepath.Join(f.dir, "nginx-error.log"))
	out, err := os.Create(filepath.Join(f.dir, "nginx.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // ended by the cleanup below
		close(done)
	}()
	t.Cleanup(func() {
		// nginx's fast shutdown, which ends its workers too.
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("stop nginx: %v", err)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("nginx did not exit within 10s of SIGTERM")
			_ = cmd.Process.Kill() // its workers may outlive it
			<-done
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(f.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return f
			}
		}
		select {
		case <-done:
			b, _ := os.ReadFile(filepath.Join(f.dir, "nginx-error.log"))
			t.Fatalf("nginx exited before it answered:\n%s", b)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not answer GET /readyz 200 within 30s: %v", err)
		}
	}
}

// accessLog is what nginx's access log says of the requests it answered.
type accessLog struct {
	requests int
	failed   []string // lines with a 5xx
	retried  int      // requests sent on to another replica
}

func (f *nginxFront) accessLog(t *testing.T) accessLog {
	t.Helper()
	file, err := os.Open(filepath.Join(f.dir, "nginx-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var a accessLog
	status := regexp.MustCompile(`" (\d{3}) upstream=`)
	for s := bufio.NewScanner(file); s.Scan(); {
		line := s.Text()
		a.requests++
		if m := status.FindStringSubmatch(line); m == nil || m[1][0] == '5' {
			a.failed = append(a.failed, line)
		}
		if strings.Contains(line, ", ") {
			a.retried++
		}
	}
	return a
}

// upstreamErrors sums up nginx's error log: how many of each kind of
// failure to reach a replica, "none" when there were none.
func (f *nginxFront) upstreamErrors(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "nginx-error.log"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	kind := regexp.MustCompile(`\[error\] [^:]*: \*\d+ (.*?) while `)
	for _, m := range kind.FindAllSubmatch(b, -1) {
		kinds[string(m[1])]++
	}
	if len(kinds) == 0 {
		return "none"
	}
	var out []string
	for k, n := range kinds {
		out = append(out, fmt.Sprintf("%d× %s", n, k))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// servedAgain waits until the replica p logs a request that did not come
// from startDocsdOn's readiness check, that is one nginx sent it.
func servedAgain(t *testing.T, p *proc) {
	t.Helper()
	route := regexp.MustCompile(`msg=request route=(\w+)`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(p.log)
		for _, m := range route.FindAllSubmatch(b, -1) {
			if string(m[1]) != "ready" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx sent no request to the restarted replica %s within 30s\n%s", p.base, p.tail())
		}
	}
}

// failTimeout is the fail_timeout of configs/nginx/docsd.conf.
const failTimeout = 2 * time.Second

// TestRollingRestart runs three replicas on one PostgreSQL schema behind
// nginx with the shipped configuration, which keeps connections to the
// replicas open, and restarts them one at a time (SIGTERM, wait for the
// exit, start again on the same port, wait until it is ready and nginx
// sends it requests again, then fail_timeout more) while clients read and
// write through nginx: every request gets its expected answer, none a 5xx
// or a transport error, and every acknowledged write is there afterwards.
//
// The writers are enough for a POST or PATCH to be on its way to a
// replica on a kept connection whenever it is stopped: a replica that
// closed its idle connections at SIGTERM, as net/http's Shutdown does,
// failed this test with a 502 in every run seen.
func TestRollingRestart(t *testing.T) {
	const (
		writers = 8
		readers = 4
	)
	database := pgtest.URL(t)
	nginx := lookNginx(t)
	bin := buildDocsd(t)
	runDocsd(t, bin, database, "", "seed")
	// nginx forwards the client's address; the replicas trust it for that.
	const trusted = "DOCSD_SERVER_TRUSTED_PROXIES=127.0.0.1"
	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	reps := make([]*proc, len(addrs))
	for i, addr := range addrs {
		reps[i] = startDocsdOn(t, bin, database, addr, trusted)
	}
	front := startNginx(t, nginx, addrs)
	client := describedClient(t, &http.Transport{MaxIdleConnsPerHost: writers + readers})
	users := []string{"alice", "bob", "carol"}
	cookies := map[string]*http.Cookie{}
	for _, u := range users {
		cookies[u] = procLogin(t, client, front.base, u)
	}

	l := newLedger()
	var never atomic.Bool // every error is a failure: nothing may go away
	var reads atomic.Int64
	var wg sync.WaitGroup
	for i := range writers {
		user := users[i%3]
		wg.Go(func() { l.write(client, front.base, cookies[user], fmt.Sprintf("w%d", i), &never) })
	}
	for i := range readers {
		cookie := cookies[users[(i+1)%3]]
		wg.Go(func() {
			for !l.enough.Load() {
				for _, path := range []string{"/me", "/documents/1", "/documents?limit=20"} {
					r, err := apitest.Send(context.Background(), client, "GET", front.base+path, cookie, nil, "")
					if err != nil || r.Status != 200 {
						l.fail("reader %d: GET %s: got %d (%v) %s, want 200", i, path, r.Status, err, r.Body)
						return
					}
					reads.Add(1)
				}
			}
		})
	}
	answered := func() int64 { return int64(l.count()) + reads.Load() }

	shutdownTimeout := config.Defaults().Server.ShutdownTimeout
	began, start := answered(), time.Now()
	var exits []string
	for i, addr := range addrs {
		before := answered()
		sent := time.Now()
		if err := reps[i].cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := reps[i].wait(t, shutdownTimeout+5*time.Second); code != 0 {
			t.Fatalf("replica %d after SIGTERM: got exit %d, want 0\n%s", i+1, code, reps[i].tail())
		}
		exits = append(exits, time.Since(sent).Round(100*time.Millisecond).String())
		reps[i] = startDocsdOn(t, bin, database, addr, trusted)
		servedAgain(t, reps[i])
		// A connection refused while the replica was down keeps it out
		// of nginx's choice for fail_timeout: wait that out before the
		// next, lest every replica be out at once (docs/replicas.md).
		time.Sleep(failTimeout)
		if msg := l.failed(); msg != "" {
			t.Fatalf("restart of replica %d: %s\nnginx's error log: %s", i+1, msg, front.upstreamErrors(t))
		}
		if answered() == before {
			t.Fatalf("no request was answered while replica %d restarted; the load must overlap the restart", i+1)
		}
	}
	during, took := answered()-began, time.Since(start)
	l.enough.Store(true)
	wg.Wait()
	if msg := l.failed(); msg != "" {
		t.Fatal(msg)
	}
	if len(l.pending) != 0 {
		t.Fatalf("%d writes got no answer; want every one answered", len(l.pending))
	}
	log := front.accessLog(t)
	if len(log.failed) > 0 {
		t.Errorf("nginx answered %d requests with a 5xx or logged them unreadably; want none:\n%s", len(log.failed), strings.Join(log.failed[:min(len(log.failed), 10)], "\n"))
	}
	l.verify(t, client, front.base, cookies["alice"])
	t.Logf("rolling restart of 3 replicas behind nginx in %v (each exited %s after SIGTERM): %d requests answered during it (%d through nginx in all, %d reads, %d writes), zero failed; %d passed on to another replica (nginx's error log: %s); all %d documents read back",
		took.Round(100*time.Millisecond), strings.Join(exits, ", "), during, log.requests, reads.Load(), l.count(), log.retried, front.upstreamErrors(t), len(l.acked))
}
