package docsdcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/postgres/pgtest"
	"github.com/docsd/docs/pkg/version"
)

// docsd runs the whole program in-process, as main would.
func docsd(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, environ(env), &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb, TTY: -1})
	return out.String(), errb.String(), code
}

// environ is env in the form os.Environ gives.
func environ(env map[string]string) []string {
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func TestRoutesPrintsTheTable(t *testing.T) {
	out, errOut, code := docsd(t, nil, "", "routes")
	if code != 0 {
		t.Fatalf("docsd routes: exit %d, stderr %s", code, errOut)
	}
	want := `NAME                METHOD  PATH                               TOKEN    ACCESS
health              GET     /healthz                           read     public
ready               GET     /readyz                            read     public
openapi             GET     /openapi.json                      read     public
register            POST    /register                          session  public
login               POST    /login                             session  public
logout              DELETE  /logout                            session  login
me                  GET     /me                                read     login
me_update           PATCH   /me                                session  login
document_list       GET     /documents                         read     public
document_create     POST    /documents                         write    login
document            GET     /documents/:id                     read     login
document_update     PATCH   /documents/:id                     write    author, editor or admin
document_delete     DELETE  /documents/:id                     write    author or admin
document_revisions  GET     /documents/:id/revisions           read     login
document_revision   GET     /documents/:id/revisions/:version  read     login
document_revert     POST    /documents/:id/revert              write    author, editor or admin
document_restore    POST    /documents/:id/restore             write    author or admin
user_list           GET     /users                             admin    admin
user_update         PATCH   /users/:id                         admin    admin
token_create        POST    /tokens                            session  login
token_list          GET     /tokens                            session  login
token_delete        DELETE  /tokens/:id                        session  login
metrics             GET     /metrics                           -        off (server.metrics_addr is empty)
`
	if out != want {
		t.Errorf("docsd routes printed\n%s\nwant\n%s", out, want)
	}

	t.Run("the metrics route is on the metrics listener, outside the guard", func(t *testing.T) {
		env := map[string]string{"DOCSD_SERVER_METRICS_ADDR": "127.0.0.1:9555"}
		out, errOut, code := docsd(t, env, "", "routes")
		if code != 0 {
			t.Fatalf("docsd routes: exit %d, stderr %s", code, errOut)
		}
		line := "metrics             GET     /metrics                           -        anyone reaching server.metrics_addr (no session guard)\n"
		if !strings.Contains(out, line) {
			t.Errorf("docsd routes with %s printed\n%s\nwant a line %q", env["DOCSD_SERVER_METRICS_ADDR"], out, line)
		}
	})

	t.Run("a skip list that departs from the defaults is marked", func(t *testing.T) {
		env := map[string]string{"DOCSD_AUTH_PUBLIC_ROUTES": "health,login,document_list,document"}
		out, errOut, code := docsd(t, env, "", "routes")
		if code != 0 {
			t.Fatalf("docsd routes: exit %d, stderr %s", code, errOut)
		}
		for _, line := range []string{
			"register            POST    /register                          session  login (public by default)\n",
			"document            GET     /documents/:id                     read     public (configured)\n",
			"login               POST    /login                             session  public\n",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("docsd routes with %s printed\n%s\nwant a line %q", env["DOCSD_AUTH_PUBLIC_ROUTES"], out, line)
			}
		}
	})
}

// TestOpenAPIFollowsTheLoadedSkipList: `docsd openapi` describes the
// server its configuration would start, so whether a route needs the
// session cookie follows auth.public_routes.
func TestOpenAPIFollowsTheLoadedSkipList(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		public bool
	}{
		{"by default the document list needs no cookie", nil, true},
		{"off the skip list it needs the cookie", map[string]string{"DOCSD_AUTH_PUBLIC_ROUTES": "health,login"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := docsd(t, tc.env, "", "openapi")
			if code != 0 {
				t.Fatalf("docsd openapi: exit %d, stderr %s", code, errOut)
			}
			var doc struct {
				OpenAPI string
				Paths   map[string]map[string]struct {
					Security []map[string][]string
				}
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("docsd openapi printed no JSON: %v\n%s", err, out)
			}
			if doc.OpenAPI != "3.1.0" {
				t.Errorf("openapi = %q; want 3.1.0", doc.OpenAPI)
			}
			// Public: one requirement is empty (no credential at all).
			security := doc.Paths["/documents"]["get"].Security
			if got := slices.ContainsFunc(security, func(r map[string][]string) bool { return len(r) == 0 }); got != tc.public {
				t.Errorf("GET /documents security %v; want public %v", security, tc.public)
			}
		})
	}
}

func TestMisspeltSkipListStopsTheServer(t *testing.T) {
	env := map[string]string{"DOCSD_AUTH_PUBLIC_ROUTES": "health,documents_list", "DOCSD_DATABASE": filepath.Join(t.TempDir(), "d.db")}
	for _, cmd := range []string{"routes", "openapi", "serve"} {
		_, errOut, code := docsd(t, env, "", cmd)
		if code != 1 || !strings.Contains(errOut, `"documents_list"`) {
			t.Errorf("docsd %s with a misspelt skip list: exit %d, stderr %q; want exit 1 naming the entry", cmd, code, errOut)
		}
	}
}

// TestCommandLineMistakesAreUsageErrors walks the command tree: a wrong
// number of arguments to any command, or an unknown command, is a usage
// error (exit 2) before anything runs, whichever command it is.
func TestCommandLineMistakesAreUsageErrors(t *testing.T) {
	vars := map[string]string{"DOCSD_DATABASE": filepath.Join(t.TempDir(), "d.db")}
	var walk func(path []string, c *cobra.Command)
	walk = func(path []string, c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(append(slices.Clone(path), sub.Name()), sub)
		}
		// A group of commands (user) is walked too: an unknown
		// subcommand of it is as much a usage error as one of the root.
		if len(path) == 0 {
			return
		}
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			args := append(slices.Clone(path), "a1", "a2", "a3", "a4", "a5")
			_, errOut, code := docsd(t, vars, "", args...)
			if code != 2 || !strings.Contains(errOut, "(see docsd --help)") {
				t.Errorf("docsd %v: exit %d, stderr %q; want exit 2 and a pointer to --help", args, code, errOut)
			}
		})
	}
	walk(nil, newCmdRoot(&factory{IO: &IOStreams{TTY: -1}}))

	for _, tc := range []struct{ name, arg, want string }{
		{"an unknown command", "bogus", `unknown command "bogus" for "docsd"`},
		{"a misspelt command gets a suggestion", "serv", "did you mean serve?"},
		{"a plural gets the singular", "users list", "did you mean user?"},
		{"a misspelt subcommand gets a suggestion", "user lst", "did you mean list?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := docsd(t, vars, "", strings.Fields(tc.arg)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("docsd %s: exit %d, stderr %q; want exit 2 and %q", tc.arg, code, errOut, tc.want)
			}
		})
	}
}

func TestSeedAndUsers(t *testing.T) {
	env := map[string]string{"DOCSD_DATABASE": filepath.Join(t.TempDir(), "d.db"), "DOCSD_AUTH_BCRYPT_COST": "4"}
	out, errOut, code := docsd(t, env, "", "seed")
	if code != 0 || !strings.Contains(out, "created user alice (admin)") || !strings.Contains(out, "created user carol (member)") {
		t.Fatalf("first seed: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, _, code = docsd(t, env, "", "seed")
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("second seed: exit %d, stdout %q; want nothing to do", code, out)
	}
	// pkg/seed's test covers filler documents past one chunk of 10,000.
	out, _, code = docsd(t, env, "", "seed", "--documents", "25")
	if code != 0 || !strings.Contains(out, "created 25 filler documents, ids 8 to 32") {
		t.Errorf("seed --documents 25: exit %d, stdout %q; want ids 8 to 32", code, out)
	}

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"add with --password-stdin trims one line ending", "s3cret-pass\r\n", []string{"user", "add", "dave", "--role", "editor", "--password-stdin"}, 0, "created user dave (editor)"},
		{"a taken name is refused", "s3cret-pass\n", []string{"user", "add", "DAVE", "--password-stdin"}, 1, ""},
		{"no terminal and no --password-stdin is a usage error", "", []string{"user", "add", "erin"}, 2, ""},
		{"an unknown role is a usage error", "", []string{"user", "add", "erin", "--role", "root", "--password-stdin"}, 2, ""},
		{"set-role", "", []string{"user", "set-role", "dave", "admin"}, 0, "dave is now admin"},
		{"set-role of an unknown user", "", []string{"user", "set-role", "zed", "admin"}, 1, ""},
		{"list", "", []string{"user", "list"}, 0, "dave      admin"},
		{"passwd", "another-pass\n", []string{"user", "passwd", "dave", "--password-stdin"}, 0, "changed the password of dave"},
		{"passwd of an unknown user", "another-pass\n", []string{"user", "passwd", "zed", "--password-stdin"}, 1, ""},
		{"rm with no terminal and no --yes", "", []string{"user", "rm", "dave"}, 2, ""},
		{"rm of an unknown user", "", []string{"user", "rm", "zed", "--yes"}, 1, ""},
		{"rm of a user who owns documents refuses", "", []string{"user", "rm", "bob", "--yes"}, 1, ""},
		{"rm reassigning to an unknown user", "", []string{"user", "rm", "bob", "--yes", "--reassign-to", "zed"}, 1, ""},
		{"rm reassigning documents", "", []string{"user", "rm", "bob", "--yes", "--reassign-to", "alice"}, 0, "their documents now belong to alice"},
		{"rm of a user with no documents", "", []string{"user", "rm", "dave", "-y"}, 0, "removed user dave"},
		{"migrate is a no-op after seed", "", []string{"migrate"}, 0, "database is up to date"},
		{"migrate status", "", []string{"migrate", "status"}, 0, "00002_login_failures.sql  applied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := docsd(t, env, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("docsd %v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errOut, tc.code, tc.out)
			}
		})
	}
}

// TestOnlySetUpCommandsCreateADatabase runs every command that opens the
// database where the SQLite file does not exist. Those that set a database
// up (migrate, seed, serve) create it; every other one exits 1 naming the
// path and leaves no file behind, where `user list` printed an empty
// table, `user unlock alice` said there was no alice and `migrate status`
// created the file.
func TestOnlySetUpCommandsCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nothere.db")
	env := map[string]string{"DOCSD_DATABASE": missing, "DOCSD_AUTH_BCRYPT_COST": "4"}
	for _, tc := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"migrate", "status"}},
		{"", []string{"user", "list"}},
		{"s3cret-pass\n", []string{"user", "add", "dave", "--password-stdin"}},
		{"", []string{"user", "set-role", "alice", "admin"}},
		{"s3cret-pass\n", []string{"user", "passwd", "alice", "--password-stdin"}},
		{"", []string{"user", "rm", "alice", "--yes"}},
		{"", []string{"user", "sessions", "alice"}},
		{"", []string{"user", "logout", "alice"}},
		{"", []string{"user", "unlock", "alice"}},
		{"", []string{"backup", filepath.Join(dir, "copy.db")}},
	} {
		_, errOut, code := docsd(t, env, tc.stdin, tc.args...)
		if code != 1 || !strings.Contains(errOut, missing) || !strings.Contains(errOut, "does not exist") {
			t.Errorf("docsd %v without %s: exit %d, stderr %q; want exit 1 saying %s does not exist", tc.args, missing, code, errOut, missing)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Errorf("docsd %v created %s; want no database made", tc.args, missing)
			for _, f := range []string{missing, missing + "-wal", missing + "-shm"} {
				os.Remove(f)
			}
		}
	}
	t.Run("--database names the file too", func(t *testing.T) {
		flagged := filepath.Join(dir, "flagged.db")
		_, errOut, code := docsd(t, nil, "", "migrate", "status", "--database", flagged)
		if _, err := os.Stat(flagged); code != 1 || !strings.Contains(errOut, flagged) || err == nil {
			t.Errorf("docsd migrate status --database %s: exit %d, stderr %q, file made: %v; want exit 1 naming it and no file", flagged, code, errOut, err == nil)
		}
	})
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		t.Run(strings.Join(args, " ")+" creates the database", func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "new.db")
			env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
			if _, errOut, code := docsd(t, env, "", args...); code != 0 {
				t.Fatalf("docsd %v without %s: exit %d, stderr %q; want 0", args, db, code, errOut)
			}
			if out, errOut, code := docsd(t, env, "", "user", "list"); code != 0 || !strings.Contains(out, "USERNAME") {
				t.Errorf("docsd user list after docsd %v: exit %d, stdout %q, stderr %q; want the table", args, code, out, errOut)
			}
		})
	}
}

// TestServe starts docsd serve, logs in, restarts it on the same database
// and checks the session survived (the generated secret is kept), then
// checks that SIGTERM-style cancellation exits cleanly.
func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
	mustSeed(t, env)
	base, stop := serve(t, env)
	resp, err := http.Post(base+"/login", "application/json", strings.NewReader(`{"username":"alice","password":"password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != 200 || len(cookies) == 0 {
		t.Fatalf("login = %d with %d cookies; want 200 and a cookie", resp.StatusCode, len(cookies))
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown; want nil", err)
	}

	base, stop = serve(t, env)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("second serve returned %v after shutdown; want nil", err)
		}
	}()
	req, _ := http.NewRequest("GET", base+"/me", nil)
	req.AddCookie(cookies[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /me after restart = %d; want 200 (the session secret must persist)", resp.StatusCode)
	}
}

// serve runs `docsd serve` on a free port until stop is called.
func serve(t *testing.T, env map[string]string) (base string, stop func() error) {
	t.Helper()
	return serveWith(t, env, serveWithOptions{})
}

// mustSeed seeds the demo data into env's database, or fails the test.
func mustSeed(t *testing.T, env map[string]string) {
	t.Helper()
	if _, errOut, code := docsd(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", errOut)
	}
}

// serveSeeded seeds env's database and serves it until the test ends,
// then checks that serve returned cleanly.
func serveSeeded(t *testing.T, env map[string]string) string {
	t.Helper()
	mustSeed(t, env)
	base, stop := serve(t, env)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve returned %v after shutdown; want nil", err)
		}
	})
	return base
}

// serveWithOptions change how serveWith runs docsd.
type serveWithOptions struct {
	addr   string       // to listen on; a free loopback port by default
	scheme string       // http by default
	client *http.Client // to reach it; http.DefaultClient by default
	log    io.Writer    // docsd's standard error; discarded by default
	args   []string     // more arguments to docsd
}

// serveWith runs `docsd serve` in-process until stop is called. base is
// on 127.0.0.1 whatever address it listens on.
func serveWith(t *testing.T, env map[string]string, o serveWithOptions) (base string, stop func() error) {
	t.Helper()
	if o.addr == "" {
		o.addr = freeAddr(t)
	}
	if o.scheme == "" {
		o.scheme = "http"
	}
	if o.client == nil {
		o.client = http.DefaultClient
	}
	if o.log == nil {
		o.log = io.Discard
	}
	_, port, err := net.SplitHostPort(o.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		streams := &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: o.log, TTY: -1}
		if code := Run(ctx, append(o.args, "serve", "--addr", o.addr), environ(env), streams); code != 0 {
			done <- fmt.Errorf("docsd serve: exit %d", code)
			return
		}
		done <- nil
	}()
	base = o.scheme + "://127.0.0.1:" + port
	for i := 0; ; i++ {
		resp, err := o.client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited before it was ready: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if i > 500 {
			cancel()
			t.Fatal("serve did not become ready")
		}
	}
	var stopped bool
	return base, func() error {
		if stopped {
			return nil
		}
		stopped = true
		// A stopping docsd leaves an idle kept connection open for 5 s,
		// for the client to close first (pkg/httpserver): the client here
		// closes its own, as nginx does after keepalive_timeout.
		o.client.CloseIdleConnections()
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("serve did not stop")
		}
	}
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

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"serve", "--nope"}, {"routes", "extra"}} {
		_, errOut, code := docsd(t, nil, "", args...)
		if code != 2 {
			t.Errorf("docsd %v: exit %d, stderr %q; want 2", args, code, errOut)
		}
		if !strings.HasPrefix(errOut, "docsd: ") {
			t.Errorf("docsd %v: stderr %q; want a docsd: message", args, errOut)
		}
	}
}

// TestUnreachablePostgres needs no server: nothing listens on the port.
// Every command keeps trying for postgres.connect_timeout, then exits 1
// with a message that names the host and port, shows no password and no
// stack trace.
func TestUnreachablePostgres(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"DOCSD_DATABASE":                 "postgres://docsd:s3cret-pw@" + addr + "/docs?sslmode=disable",
		"DOCSD_POSTGRES_CONNECT_TIMEOUT": "1s",
		"DOCSD_AUTH_BCRYPT_COST":         "4",
		"DOCSD_ADDR":                     "127.0.0.1:0",
	}
	for _, args := range [][]string{{"serve"}, {"migrate", "status"}, {"user", "list"}} {
		_, errOut, code := docsd(t, env, "", args...)
		if code != 1 || !strings.Contains(errOut, addr) || strings.Contains(errOut, "s3cret-pw") || strings.Contains(errOut, "goroutine") {
			t.Errorf("docsd %v with the database unreachable: exit %d, stderr %q; want exit 1 naming %s, without the password or a stack trace", args, code, errOut, addr)
		}
	}
}

// TestRefusingPostgres asks the test server (DOCSD_TEST_POSTGRES) for a
// database that does not exist: every command exits 1 at once with the
// server's own words, instead of trying for postgres.connect_timeout and
// then saying the database did not answer.
func TestRefusingPostgres(t *testing.T) {
	base := os.Getenv(pgtest.EnvVar)
	if base == "" {
		t.Skipf("set %s to run it", pgtest.EnvVar)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/docsd_no_such_database"
	env := map[string]string{
		"DOCSD_DATABASE":                 u.String(),
		"DOCSD_POSTGRES_CONNECT_TIMEOUT": "3s",
		"DOCSD_AUTH_BCRYPT_COST":         "4",
		"DOCSD_ADDR":                     "127.0.0.1:0",
	}
	want := `FATAL: database "docsd_no_such_database" does not exist (SQLSTATE 3D000)`
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"migrate", "status"}, {"seed"}, {"user", "list"}} {
		_, errOut, code := docsd(t, env, "", args...)
		if code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "did not answer") {
			t.Errorf("docsd %v with no such database: exit %d, stderr %q; want exit 1 and %q", args, code, errOut, want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	out, errOut, code := docsd(t, nil, "", "--version")
	if want := "docsd version " + version.String() + "\n"; code != 0 || out != want {
		t.Errorf("docsd --version = %q, %q, exit %d; want %q, exit 0", out, errOut, code, want)
	}
}
