package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// privatePostgres is a PostgreSQL server of the test's own, in a temporary
// folder on a free port, so that it can be killed without touching the
// machine's shared server.
type privatePostgres struct {
	t      *testing.T
	bindir string
	dir    string
	port   int
}

// startPrivatePostgres runs initdb and pg_ctl from `pg_config --bindir`,
// as the postgres user when the test runs as root (initdb refuses root).
// It needs what DOCSD_TEST_POSTGRES says is there: PostgreSQL installed.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	if !pgtest.Enabled() {
		t.Skipf("PostgreSQL tests skipped: set %s (the PostgreSQL server programs must be installed too)", pgtest.EnvVar)
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		t.Skipf("pg_config --bindir: %v; install PostgreSQL's server programs", err)
	}
	dir, err := os.MkdirTemp("", "docsd-pg-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	pg := &privatePostgres{t: t, bindir: strings.TrimSpace(string(out)), dir: dir, port: port}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root needs a postgres user for initdb: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	pg.run("initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync")
	pg.start()
	t.Cleanup(func() {
		_ = pg.command("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop").Run() // it may be down already
	})
	return pg
}

func (pg *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

func (pg *privatePostgres) start() {
	pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "log"), "-w",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir), "start")
}

func (pg *privatePostgres) run(name string, args ...string) {
	pg.t.Helper()
	if out, err := pg.command(name, args...).CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func (pg *privatePostgres) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bindir, name)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// TestPostgresKilled kills docsd's PostgreSQL with pg_ctl -m immediate
// under a running docsd: every request that needs the database answers a
// 503 problem with Retry-After within 5 s, none a 500, the process stays
// up, and once the server is started again the same session reads and
// writes without a restart of docsd.
func TestPostgresKilled(t *testing.T) {
	pg := startPrivatePostgres(t)
	bin := buildDocsd(t)
	seed := exec.Command(bin, "seed", "--database", pg.url())
	seed.Dir, seed.Env = t.TempDir(), procEnv("DOCSD_AUTH_BCRYPT_COST=4")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("docsd seed: %v\n%s", err, out)
	}
	p := startDocsd(t, bin, pg.url())
	client := &http.Client{Timeout: 5 * time.Second}
	carol := procLogin(t, client, p.base, "carol")
	send := func(method, path, body string) apitest.Reply {
		t.Helper()
		r, err := apitest.Send(context.Background(), client, method, p.base+path, carol, nil, body)
		if err != nil {
			t.Fatalf("%s %s: %v; want an answer within 5 s\n%s", method, path, err, p.tail())
		}
		return r
	}
	created := send("POST", "/documents", `{"title":"Before","body":"v1"}`)
	if created.Status != 201 {
		t.Fatalf("POST /documents = %d %s; want 201", created.Status, created.Body)
	}
	doc := "/documents/" + strings.TrimPrefix(created.Header.Get("Location"), "/documents/")

	pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-m", "immediate", "stop")
	for _, c := range []struct{ method, path, body string }{
		{"GET", doc, ""}, {"PATCH", doc, `{"body":"v2"}`}, {"POST", "/documents", `{"title":"During"}`}, {"GET", "/readyz", ""},
	} {
		r := send(c.method, c.path, c.body)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("PostgreSQL killed: %s %s = %d, Retry-After %q, %s; want 503 with Retry-After", c.method, c.path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if r := send("GET", "/healthz", ""); r.Status != 200 {
		t.Errorf("PostgreSQL killed: GET /healthz = %d; want 200", r.Status)
	}
	select {
	case <-p.done:
		t.Fatalf("docsd exited while PostgreSQL was down: %v\n%s", p.err, p.tail())
	default:
	}

	pg.start()
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/readyz", "", 200}, {"GET", doc, "", 200}, {"PATCH", doc, `{"body":"after"}`, 200}, {"POST", "/documents", `{"title":"After"}`, 201},
	} {
		if r := send(c.method, c.path, c.body); r.Status != c.want {
			t.Errorf("PostgreSQL back: %s %s = %d %s; want %d", c.method, c.path, r.Status, r.Body, c.want)
		}
	}
	if log := p.tail(); strings.Contains(log, "status=500") {
		t.Errorf("docsd logged a 500:\n%s", log)
	}
}
