package docs

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/internal/syncbuf"
	"github.com/docsd/docs/pkg/docsdcmd"
)

// TestCurlSessionsAreRealOutput runs each curl session of the pages as
// written, against a freshly seeded docsd, and compares what curl printed
// with the page after normalising what varies between runs; and the
// request log lines docsd wrote with the page's, where it shows them.
func TestCurlSessionsAreRealOutput(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("DOCSD_TEST_CURL") != "" {
			t.Fatalf("DOCSD_TEST_CURL is set but curl is missing: %v", err)
		}
		t.Skip("the pages' curl sessions skipped: no curl on PATH (Debian package curl); .ci/run installs it and sets DOCSD_TEST_CURL=1")
	}
	for _, c := range []struct {
		page, session, log string // the page, its session's marker, its log's
	}{
		{"../README.md", "curl: first session", "request log: first session"},
		// api.md's log block shows a request its session does not make.
		{"api.md", "curl: api walkthrough", ""},
	} {
		t.Run(repoPath(c.page), func(t *testing.T) {
			session := onlyBlock(t, c.page, c.session)
			var logBlock *markedBlock
			if c.log != "" {
				b := onlyBlock(t, c.page, c.log)
				logBlock = &b
			}
			runCurlSession(t, curl, session, logBlock)
		})
	}
}

// runCurlSession runs session's commands against a fresh docsd, and
// compares their output with the page, and the request log with logBlock
// unless it is nil.
func runCurlSession(t *testing.T, curl string, session markedBlock, logBlock *markedBlock) {
	entries, err := parseSession(session.lines)
	if err != nil {
		t.Fatalf("%s: the curl session: %v", session.page, err)
	}
	if len(entries) == 0 {
		t.Fatalf("%s:%d: the curl session has no command", session.page, session.at)
	}

	dir := t.TempDir()
	addr, log, stop := serveSeeded(t, filepath.Join(dir, "docs.db"))
	var real []entry
	for _, e := range entries {
		// The commands name the quick-start server's address.
		cmd := exec.Command("sh", "-c", strings.ReplaceAll(e.cmd.text, "127.0.0.1:"+sessionPort, addr))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(curl)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("%s: %v", e.cmd.text, err)
			}
			code = ee.ExitCode()
		}
		r := entry{cmd: e.cmd, exit: code}
		for _, l := range strings.Split(string(out), "\n") {
			// curl -i prints the header lines as they came, ending in
			// CRLF; a terminal shows the CR as nothing.
			r.out = append(r.out, line{0, strings.TrimSuffix(l, "\r")})
		}
		for len(r.out) > 0 && strings.TrimSpace(r.out[len(r.out)-1].text) == "" {
			r.out = r.out[:len(r.out)-1]
		}
		real = append(real, r)
	}
	if d := diffSession(session.page, flatten(entries, ""), flatten(real, addr)); d != "" {
		t.Errorf("%s:%d: the curl session differs from what curl printed against docsd (- the page, + real, after normalising):\n%s", session.page, session.at, d)
	}

	stop()
	if logBlock == nil {
		return
	}
	var logged []line
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(l, " msg=request ") {
			logged = append(logged, line{0, normalise(l, addr)})
		}
	}
	var documented []line
	for _, l := range logBlock.lines {
		documented = append(documented, line{l.n, normalise(l.text, "")})
	}
	if d := diffSession(logBlock.page, documented, logged); d != "" {
		t.Errorf("%s:%d: the request log differs from what docsd logged for the curl session (- the page, + real, after normalising):\n%s", logBlock.page, logBlock.at, d)
	}
}

// onlyBlock returns page's one block marked <!-- MARKER -->.
func onlyBlock(t *testing.T, page, marker string) markedBlock {
	t.Helper()
	blocks, err := markedBlocks(page, marker)
	if err != nil {
		t.Fatal(err)
	}
	var found []markedBlock
	for _, b := range blocks {
		if b.marker == marker {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s has %d blocks marked <!-- %s -->; want 1", repoPath(page), len(found), marker)
	}
	return found[0]
}

// serveSeeded seeds a database at db and runs docsd serve on it in-process
// on a free port, until stop or the end of the test. log is what docsd
// writes to standard error; read it after stop, when docsd has flushed it.
func serveSeeded(t *testing.T, db string) (addr string, log *syncbuf.Buffer, stop func()) {
	t.Helper()
	environ := []string{"DOCSD_DATABASE=" + db, "DOCSD_AUTH_BCRYPT_COST=4"}
	var seedErr bytes.Buffer
	if code := docsdcmd.Run(context.Background(), []string{"seed"}, environ, &docsdcmd.IOStreams{In: strings.NewReader(""), Out: &seedErr, ErrOut: &seedErr, TTY: -1}); code != 0 {
		t.Fatalf("docsd seed: exit %d\n%s", code, seedErr.Bytes())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()

	log = &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		streams := &docsdcmd.IOStreams{In: strings.NewReader(""), Out: log, ErrOut: log, TTY: -1}
		done <- docsdcmd.Run(ctx, []string{"serve", "--addr", addr}, environ, streams)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("docsd serve: exit %d\n%s", code, log.String())
		}
	}
	t.Cleanup(stop)
	// Wait for the port to accept a connection, without a request: the
	// session's request IDs count from the first curl.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case code := <-done:
			stopped = true
			t.Fatalf("docsd serve exited (%d) before it listened:\n%s", code, log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if i > 500 {
			t.Fatalf("docsd serve did not listen on %s:\n%s", addr, log.String())
		}
	}
	return addr, log, stop
}
