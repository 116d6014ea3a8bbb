package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestNginxForwarding runs one docsd behind nginx with the shipped
// configuration (as scripts/nginx-conf.sh renders it) and checks the two
// headers docsd takes from its proxy: the request id is nginx's own for
// every request, whatever the client sent; and the Host docsd sees has
// nginx's port, so a browser on nginx's own origin may log in and one on
// another port of the same host may not.
func TestNginxForwarding(t *testing.T) {
	nginx := lookNginx(t)
	bin := buildDocsd(t)
	db := seedDB(t, bin)
	addr := freeAddr(t)
	p := startDocsdOn(t, bin, db, addr, "DOCSD_SERVER_TRUSTED_PROXIES=127.0.0.1")
	t.Cleanup(func() {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t, 30*time.Second); code != 0 {
			t.Errorf("docsd after SIGTERM: exit %d; want 0\n%s", code, p.tail())
		}
	})
	front := startNginx(t, nginx, []string{addr})
	ctx := context.Background()

	t.Run("every request gets nginx's id, not the one the client sent", func(t *testing.T) {
		nginxID := regexp.MustCompile(`^[0-9a-f]{32}$`)
		seen := map[string]bool{}
		for range 2 {
			r, err := apitest.Send(ctx, http.DefaultClient, "GET", front.base+"/documents", nil, map[string]string{"X-Request-Id": "chosen-by-the-client"}, "")
			if err != nil {
				t.Fatal(err)
			}
			id := r.Header.Get("X-Request-Id")
			if !nginxID.MatchString(id) || seen[id] {
				t.Errorf("GET /documents with X-Request-Id: chosen-by-the-client: got X-Request-Id %q, want a new 32-hex-digit id from nginx (seen before: %v)", id, seen[id])
			}
			seen[id] = true
		}
		// nginx writes a request's log line after its answer: look until
		// every id is there, or nginx has had ample time to write it.
		var b []byte
		for range 100 {
			var err error
			if b, err = os.ReadFile(filepath.Join(front.dir, "nginx-access.log")); err != nil {
				t.Fatal(err)
			}
			if logged(b, seen) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		for id := range seen {
			if !strings.Contains(string(b), "request_id="+id) {
				t.Errorf("nginx's access log has no line with request_id=%s; want the id docsd answered with:\n%s", id, b)
			}
		}
	})

	// Without Sec-Fetch-Site (older browsers), Go's cross-origin check
	// compares Origin with Host.
	login := `{"username":"bob","password":"password"}`
	for _, c := range []struct {
		name, origin string
		want         int
	}{
		{"a login from nginx's own origin is let in", front.base, 200},
		{"a login from another port of nginx's host is refused", "http://127.0.0.1", 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := apitest.Send(ctx, http.DefaultClient, "POST", front.base+"/login", nil, map[string]string{"Origin": c.origin}, login)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.want {
				t.Errorf("POST /login through nginx at %s with Origin %s: got %d %s, want %d", front.base, c.origin, r.Status, r.Body, c.want)
			}
		})
	}
}

// logged reports whether the access log b has a line for every id.
func logged(b []byte, ids map[string]bool) bool {
	for id := range ids {
		if !strings.Contains(string(b), "request_id="+id) {
			return false
		}
	}
	return true
}
