package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
// DOCSD_TEST_POSTGRES makes the test required: without it the test skips;
// with it a missing pg_config or postgres user fails the test.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	if !pgtest.Enabled() {
		t.Skipf("PostgreSQL tests skipped: set %s (the PostgreSQL server programs must be installed too)", pgtest.EnvVar)
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		t.Fatalf("%s is set but pg_config --bindir failed: %v; install PostgreSQL's server programs (Debian postgresql)", pgtest.EnvVar, err)
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
			t.Fatalf("%s is set and the test runs as root, which needs a postgres user for initdb: %v", pgtest.EnvVar, err)
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

// seedPostgres creates the demo users in the database at url.
func seedPostgres(t *testing.T, bin, url string) {
	t.Helper()
	seed := exec.Command(bin, "seed", "--database", url)
	seed.Dir, seed.Env = t.TempDir(), procEnv("DOCSD_AUTH_BCRYPT_COST=4")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("docsd seed: %v\n%s", err, out)
	}
}
