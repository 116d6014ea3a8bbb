package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

// trap is a server a redirect points at. It records every request it gets,
// with its cookies and body, so a test can prove no credential reached it.
type trap struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

// newTrap starts a trap listening on addr ("127.0.0.1:0" for another port
// of the same host, "127.0.0.2:0" for another host).
func newTrap(t *testing.T, addr string) *trap {
	t.Helper()
	tr := &trap{}
	tr.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tr.mu.Lock()
		tr.seen = append(tr.seen, fmt.Sprintf("%s %s Cookie=%q body=%q", r.Method, r.URL, r.Header.Get("Cookie"), body))
		tr.mu.Unlock()
		// What a server stealing a login would answer.
		http.SetCookie(w, &http.Cookie{Name: client.SessionCookie, Value: "from-the-trap", Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
	}))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s for the redirect target: %v", addr, err)
	}
	tr.Listener = l
	tr.Start()
	t.Cleanup(tr.Close)
	return tr
}

func (tr *trap) requests() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen...)
}

// redirector answers every request with status and a Location on target,
// keeping the request's path.
func redirector(status int, target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), status)
	})
}

// wantRedirectRefused requires err to be a *client.RedirectError for status
// naming where the server pointed, and the trap to have seen nothing.
func wantRedirectRefused(t *testing.T, what string, err error, status int, tr *trap) {
	t.Helper()
	if got := tr.requests(); len(got) != 0 {
		t.Errorf("%s: the redirect target received %q; want nothing", what, got)
	}
	var re *client.RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("%s = %v; want *client.RedirectError", what, err)
	}
	if re.StatusCode != status {
		t.Errorf("%s: StatusCode = %d; want %d", what, re.StatusCode, status)
	}
	if !strings.HasPrefix(re.Location, tr.URL+"/") || !strings.Contains(err.Error(), re.Location) {
		t.Errorf("%s: error %q, Location %q; want it to name %s", what, err, re.Location, tr.URL)
	}
}

func TestRedirectsAreNeverFollowed(t *testing.T) {
	ctx := t.Context()
	cred := client.Credentials{Username: "alice", Password: "s3cret-password"}
	calls := []struct {
		name string
		call func(context.Context, *client.Client) error
	}{
		{"Login", func(ctx context.Context, c *client.Client) error { _, err := c.Login(ctx, cred); return err }},
		{"Register", func(ctx context.Context, c *client.Client) error { _, err := c.Register(ctx, cred); return err }},
		{"ChangePassword", func(ctx context.Context, c *client.Client) error {
			_, err := c.ChangePassword(ctx, "s3cret-password", "n3w-password")
			return err
		}},
		{"Me", func(ctx context.Context, c *client.Client) error { _, err := c.Me(ctx); return err }},
		{"ListDocuments", func(ctx context.Context, c *client.Client) error {
			_, err := c.ListDocuments(ctx, client.ListOptions{})
			return err
		}},
		{"CreateDocument", func(ctx context.Context, c *client.Client) error {
			_, err := c.CreateDocument(ctx, client.NewDocument{Title: "t", Body: "b"})
			return err
		}},
		{"DeleteDocument", func(ctx context.Context, c *client.Client) error { return c.DeleteDocument(ctx, 1) }},
		{"Logout", func(ctx context.Context, c *client.Client) error { return c.Logout(ctx) }},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, call := range calls {
			t.Run(fmt.Sprintf("%s answered %d sends nothing to another host", call.name, status), func(t *testing.T) {
				tr := newTrap(t, "127.0.0.2:0")
				srv := httptest.NewServer(redirector(status, tr.URL))
				defer srv.Close()
				c := client.New(srv.URL, &client.Options{Session: "the-session"})
				wantRedirectRefused(t, call.name, call.call(ctx, c), status, tr)
			})
		}
	}

	t.Run("a 307 login to another port does not re-send the password", func(t *testing.T) {
		tr := newTrap(t, "127.0.0.1:0")
		srv := httptest.NewServer(redirector(http.StatusTemporaryRedirect, tr.URL))
		defer srv.Close()
		c := client.New(srv.URL, nil)
		_, err := c.Login(ctx, cred)
		wantRedirectRefused(t, "Login", err, http.StatusTemporaryRedirect, tr)
		if got := c.Session(); got != "" {
			t.Errorf("Session() after a refused login = %q; want \"\"", got)
		}
	})

	t.Run("a 302 to another port of the same host gets no cookie", func(t *testing.T) {
		// A cookie jar sends a host's cookies to all its ports.
		tr := newTrap(t, "127.0.0.1:0")
		srv := httptest.NewServer(redirector(http.StatusFound, tr.URL))
		defer srv.Close()
		_, err := client.New(srv.URL, &client.Options{Session: "the-session"}).Me(ctx)
		wantRedirectRefused(t, "Me", err, http.StatusFound, tr)
	})

	t.Run("https to http sends no cookie in the clear", func(t *testing.T) {
		tr := newTrap(t, "127.0.0.1:0")
		srv := httptest.NewTLSServer(redirector(http.StatusFound, tr.URL))
		defer srv.Close()
		// The caller's HTTP client (it trusts the test certificate) follows
		// redirects by default; the client must not let it.
		c := client.New(srv.URL, &client.Options{Session: "the-session", HTTPClient: srv.Client()})
		_, err := c.Me(ctx)
		wantRedirectRefused(t, "Me over https", err, http.StatusFound, tr)
	})

	t.Run("a redirect without Location is refused too", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusFound)
		}))
		defer srv.Close()
		_, err := client.New(srv.URL, nil).Me(ctx)
		var re *client.RedirectError
		if !errors.As(err, &re) || re.Location != "" {
			t.Fatalf("Me = %v; want *client.RedirectError with no Location", err)
		}
	})

	t.Run("a relative Location is named in full", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(http.StatusMovedPermanently)
		}))
		defer srv.Close()
		_, err := client.New(srv.URL, nil).Me(ctx)
		var re *client.RedirectError
		if !errors.As(err, &re) || re.Location != srv.URL+"/elsewhere" {
			t.Fatalf("Me = %v; want *client.RedirectError to %s/elsewhere", err, srv.URL)
		}
	})
}
