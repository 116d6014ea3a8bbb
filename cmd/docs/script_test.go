package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/cli"
)

// TestMain lets the test binary be docs itself, and a small keyring tool
// that checks the Secret Service from outside docs, when a script runs them.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"docs":    func() { os.Exit(cli.Main()) },
		"keyring": func() { os.Exit(keyringMain(os.Args[1:])) },
		"ptyrun":  func() { os.Exit(ptyrunMain(os.Args[1:])) },
	})
}

// keyringMain is `keyring get|set|delete SERVICE ACCOUNT [SECRET]`, straight
// through go-keyring, so scripts can see what docs left in the keyring.
func keyringMain(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: keyring get|set|delete SERVICE ACCOUNT [SECRET]")
		return 2
	}
	var err error
	switch args[0] {
	case "get":
		var v string
		if v, err = keyring.Get(args[1], args[2]); err == nil {
			fmt.Println(v)
		}
	case "set":
		err = keyring.Set(args[1], args[2], args[3])
	case "delete":
		err = keyring.Delete(args[1], args[2])
	}
	if errors.Is(err, keyring.ErrNotFound) {
		fmt.Fprintln(os.Stderr, "keyring: not found")
		return 3
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "keyring:", err)
		return 1
	}
	return 0
}

// TestScripts runs testdata/script/*.txtar: the docs binary against a real
// docsd process (its own port and database for each script) and the
// session's real Secret Service. scripts/e2e.sh provides the D-Bus session
// and an unlocked gnome-keyring.
func TestScripts(t *testing.T) {
	if os.Getenv("DOCS_E2E") == "" {
		t.Skip("end-to-end tests skipped: set DOCS_E2E=1 and run them under a D-Bus session with an unlocked Secret Service, as scripts/e2e.sh does")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("end-to-end tests skipped: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is empty); run scripts/e2e.sh")
	}
	docsd := buildDocsd(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               func(env *testscript.Env) error { return startDocsd(env, docsd) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"envfile":    cmdEnvfile,
			"genfile":    cmdGenfile,
			"writebytes": cmdWritebytes,
			"proxy":      cmdProxy,
			"notdocsd":   cmdNotDocsd,
			"trap":       cmdTrap,
			"redirector": cmdRedirector,
			"docblock":   cmdDocblock,
		},
	})
}

var (
	docsdOnce sync.Once
	docsdPath string
	docsdErr  error
)

// buildDocsd builds cmd/docsd once per test run.
func buildDocsd(t *testing.T) string {
	docsdOnce.Do(func() {
		dir, err := os.MkdirTemp("", "docs-e2e-")
		if err != nil {
			docsdErr = err
			return
		}
		docsdPath = filepath.Join(dir, "docsd")
		out, err := exec.Command("go", "build", "-o", docsdPath, "github.com/docsd/docs/cmd/docsd").CombinedOutput()
		if err != nil {
			docsdErr = fmt.Errorf("go build ./cmd/docsd: %w\n%s", err, out)
		}
	})
	if docsdErr != nil {
		t.Fatal(docsdErr)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(docsdPath)) })
	return docsdPath
}

// startDocsd seeds a database, starts docsd on a free port and waits until
// /healthz answers. Scripts see $SERVER (and $ADDR, its host:port), and
// docs is pointed at it.
func startDocsd(env *testscript.Env, docsd string) error {
	dir := filepath.Join(env.WorkDir, ".docsd")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	db := filepath.Join(dir, "docs.db")
	port, err := freePort()
	if err != nil {
		return err
	}
	server := "http://127.0.0.1:" + strconv.Itoa(port)
	denv := append(os.Environ(), "DOCSD_AUTH_BCRYPT_COST=4")

	seed := exec.Command(docsd, "seed", "--database", db)
	seed.Env = denv
	if out, err := seed.CombinedOutput(); err != nil {
		return fmt.Errorf("docsd seed: %w\n%s", err, out)
	}

	logf, err := os.Create(filepath.Join(dir, "docsd.log"))
	if err != nil {
		return err
	}
	serve := exec.Command(docsd, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--database", db)
	serve.Env = denv
	serve.Stdout, serve.Stderr = logf, logf
	if err := serve.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start docsd: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	env.Defer(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		if err := <-exited; err != nil {
			// docsd's own tests hold its exit status; note it for whoever reads the log.
			fmt.Fprintf(logf, "e2e: docsd exited after SIGTERM: %v\n", err)
		}
		logf.Close()
	})
	if err := waitHealthy(server, exited); err != nil {
		log, _ := os.ReadFile(logf.Name())
		return fmt.Errorf("docsd at %s: %w\n%s", server, err, log)
	}

	env.Setenv("SERVER", server)
	env.Setenv("ADDR", "127.0.0.1:"+strconv.Itoa(port))
	env.Setenv("DOCS_SERVER", server)
	env.Setenv("DOCS_CONFIG_DIR", filepath.Join(env.WorkDir, "config"))
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "GORACE"} {
		if v := os.Getenv(k); v != "" {
			env.Setenv(k, v)
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls /healthz until docsd answers, exits, or a minute passes
// (a bound for a broken build, not a performance assertion).
func waitHealthy(server string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before it was healthy: %w", err)
		case <-ctx.Done():
			return errors.New("not healthy after a minute")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cmdExits is `exits N command [args...]`: run the command like exec and
// require exit code N, keeping stdout and stderr for the next assertions.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d; want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdEnvfile is `envfile NAME FILE`: set NAME to FILE's contents, trimmed
// (FILE may be stdout), so a later command can use a value an earlier one
// printed.
func cmdEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile NAME FILE")
	}
	ts.Setenv(args[0], string(bytes.TrimSpace([]byte(ts.ReadFile(args[1])))))
}

// cmdGenfile is `genfile FILE N`: write N bytes of "a" to FILE, for bodies
// at and over the size limit.
func cmdGenfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genfile FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		ts.Fatalf("genfile: bad size %q", args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), bytes.Repeat([]byte("a"), n), 0o600))
}

// cmdWritebytes is `writebytes FILE GOSTRING`: write the bytes of a Go
// string literal, such as "caf\xe9", so a script can make binary files
// and invalid UTF-8 without keeping them in the txtar.
func cmdWritebytes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: writebytes FILE GOSTRING")
	}
	b, err := strconv.Unquote(`"` + args[1] + `"`)
	if err != nil {
		ts.Fatalf("writebytes: bad Go string %q: %v", args[1], err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b), 0o600))
}

// cmdDocblock is `docblock FILE HEADING OUT`: write to OUT the first
// ```sh block under the heading HEADING of the Markdown file FILE (a path
// from the repository's root), so a script runs an example of the docs as
// it is written there.
func cmdDocblock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: docblock FILE HEADING OUT")
	}
	// go test runs in the package's directory, cmd/docs.
	text, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(args[0])))
	ts.Check(err)
	_, section, ok := strings.Cut(string(text), "\n## "+args[1]+"\n")
	if !ok {
		ts.Fatalf("docblock: no heading %q in %s", args[1], args[0])
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "\n```sh\n")
	if !ok {
		ts.Fatalf("docblock: no sh block under %q in %s", args[1], args[0])
	}
	block, _, ok = strings.Cut(block, "\n```\n")
	if !ok {
		ts.Fatalf("docblock: the sh block under %q in %s does not end", args[1], args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(block+"\n"), 0o600))
}

// cmdTrap is `trap NAME ADDR`: serve on ADDR (such as 127.0.0.2:0) a server
// that records every request it gets, with its Cookie header and body, as
// a line of $WORK/NAME.log, and set NAME to its URL. A script points a
// redirect at it and checks that nothing arrived.
func cmdTrap(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: trap NAME ADDR")
	}
	logPath := ts.MkAbs(args[0] + ".log")
	ts.Check(os.WriteFile(logPath, nil, 0o600))
	var mu sync.Mutex
	url := serveInScript(ts, args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			fmt.Fprintf(f, "%s %s Cookie=%q body=%q\n", r.Method, r.URL, r.Header.Get("Cookie"), body)
			f.Close()
		}
		http.SetCookie(w, &http.Cookie{Name: "docs_session", Value: "from-the-trap", Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
	}))
	ts.Setenv(args[0], url)
}

// cmdRedirector is `redirector NAME STATUS TARGET`: serve on 127.0.0.1 a
// server that answers every request with STATUS and a Location of TARGET
// followed by the request's path, and set NAME to its URL.
func cmdRedirector(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: redirector NAME STATUS TARGET")
	}
	status, err := strconv.Atoi(args[1])
	if err != nil || status < 300 || status > 399 {
		ts.Fatalf("redirector: bad status %q", args[1])
	}
	target := args[2]
	ts.Setenv(args[0], serveInScript(ts, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), status)
	})))
}

// serveInScript serves h on addr until the script ends and returns its URL.
func serveInScript(ts *testscript.TestScript, addr string, h http.Handler) string {
	l, err := net.Listen("tcp", addr)
	ts.Check(err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(l) }()
	ts.Defer(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// cmdProxy is `proxy PREFIX`: serve $SERVER under the path PREFIX, as a
// reverse proxy does, and nothing else; $PROXY is the proxy's URL without
// the prefix.
func cmdProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || !strings.HasPrefix(args[0], "/") {
		ts.Fatalf("usage: proxy /PREFIX")
	}
	target, err := url.Parse(ts.Getenv("SERVER"))
	ts.Check(err)
	ts.Setenv("PROXY", serveInScript(ts, "127.0.0.1:0", http.StripPrefix(args[0], httputil.NewSingleHostReverseProxy(target))))
}

// cmdNotDocsd is `notdocsd`: start a web server that is not docsd, as
// found at a mistyped URL: an HTML page for /documents, an HTML 404 for the
// rest. $NOTDOCSD is its URL.
func cmdNotDocsd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: notdocsd")
	}
	ts.Setenv("NOTDOCSD", serveInScript(ts, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path != "/documents" {
			w.WriteHeader(http.StatusNotFound)
		}
		fmt.Fprint(w, "<!DOCTYPE HTML>\n<html><body>Welcome</body></html>\n")
	})))
}
