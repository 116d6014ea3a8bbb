package client

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseServerURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"keeps an explicit port", "http://127.0.0.1:5555", "http://127.0.0.1:5555"},
		{"drops the trailing slash", "http://127.0.0.1:5555/", "http://127.0.0.1:5555"},
		{"keeps a path as the prefix", "http://127.0.0.1:5555/api", "http://127.0.0.1:5555/api"},
		{"cleans the prefix and drops its trailing slash", "http://127.0.0.1:5555//api/./v1/", "http://127.0.0.1:5555/api/v1"},
		{"takes a bare host:port as http", "127.0.0.1:5555", "http://127.0.0.1:5555"},
		{"takes a bare name:port as http", "localhost:5555", "http://localhost:5555"},
		{"takes a bare host:port with a path as http", "127.0.0.1:5555/api", "http://127.0.0.1:5555/api"},
		{"adds the http default port", "http://docs.example", "http://docs.example:80"},
		{"adds the https default port", "https://docs.example/", "https://docs.example:443"},
		{"lowers scheme and host", "HTTPS://Docs.Example:8443", "https://docs.example:8443"},
		{"keeps IPv6 brackets", "http://[::1]:5555", "http://[::1]:5555"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeServerURL(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("NormalizeServerURL(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"ftp://x", "http://", "http://user:pw@host", "", "http://h:1/api?x=1", "http://h:1/#top", "http://127.0.0.1:99999", "http://h:0"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			if got, err := NormalizeServerURL(bad); err == nil {
				t.Errorf("NormalizeServerURL(%q) = %q, nil; want an error", bad, got)
			}
		})
	}
}

func TestNextLink(t *testing.T) {
	tests := []struct {
		name  string
		links []string
		want  string
	}{
		{"docsd's relative next link", []string{`<documents?after=100&limit=100>; rel="next"`}, "documents?after=100&limit=100"},
		{"unquoted rel", []string{`</d?after=2>; rel=next`}, "/d?after=2"},
		{"next among several links", []string{`</d?after=0>; rel="prev", </d?after=2>; rel="next"`}, "/d?after=2"},
		{"next in a second header", []string{`</a>; rel="prev"`, `</b>; rel="next"`}, "/b"},
		{"rel with several values", []string{`</c>; rel="last next"`}, "/c"},
		{"comma inside the target", []string{`</d?x=a,b>; rel="next"`}, "/d?x=a,b"},
		{"no next link", []string{`</a>; rel="prev"`}, ""},
		{"no Link header", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tt.links {
				h.Add("Link", l)
			}
			if got := nextLink(h); got != tt.want {
				t.Errorf("nextLink(%q) = %q; want %q", tt.links, got, tt.want)
			}
		})
	}
}

func TestNewError(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:5555/documents/7")
	t.Run("a problem document keeps the server's title and detail", func(t *testing.T) {
		body := `{"type":"about:blank", "title":"Forbidden","status":403,"detail":"only the author (alice) or an admin may delete document 7"}`
		resp := &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"application/problem+json"}}}
		err := newError("http://127.0.0.1:5555", "DELETE", u, resp, []byte(body))
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("newError = %T %v; want *Error", err, err)
		}
		want := "403 Forbidden: only the author (alice) or an admin may delete document 7"
		if e.Error() != want {
			t.Errorf("Error() = %q; want %q", e.Error(), want)
		}
		if string(e.Problem) != strings.ReplaceAll(body, `", "`, `","`) {
			t.Errorf("Problem = %s; want the server's document, compacted", e.Problem)
		}
	})
	notDocsd := []struct {
		name, contentType, body string
	}{
		{"an HTML page", "text/html", "<!DOCTYPE HTML>\n<html>not found</html>"},
		{"JSON that is not a problem document", "application/json", `{"message":"no route"}`},
		{"a problem content type that is not JSON", "application/problem+json", "oops"},
	}
	for _, tt := range notDocsd {
		t.Run(tt.name+" is not from docsd", func(t *testing.T) {
			resp := &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {tt.contentType}}}
			err := newError("http://127.0.0.1:5555", "GET", u, resp, []byte(tt.body))
			var nd *NotDocsdError
			if !errors.As(err, &nd) || StatusCode(err) != 0 {
				t.Fatalf("newError = %T %v; want *NotDocsdError, no status to act on", err, err)
			}
			if want := "the server at http://127.0.0.1:5555 does not look like docsd: it answered 404 Not Found with " + tt.contentType; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q; want it to start %q", err, want)
			}
		})
	}
	t.Run("StatusCode sees through wrapping", func(t *testing.T) {
		err := fmt.Errorf("delete: %w", &Error{StatusCode: 404})
		if got := StatusCode(err); got != 404 {
			t.Errorf("StatusCode = %d; want 404", got)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"delay in seconds", "900", 15 * time.Minute},
		{"an HTTP date in the future", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"an HTTP date in the past is no wait", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"no header is no wait", "", 0},
		{"garbage is no wait", "soon", 0},
		{"a negative delay is no wait", "-5", 0},
		{"a delay too large for a Duration is no wait, not an overflow", "99999999999999999999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header, now); got != tt.want {
				t.Errorf("retryAfter(%q) = %v; want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"refused", &url.Error{Op: "Get", URL: "x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, "connection refused"},
		{"no such host", &url.Error{Op: "Get", URL: "x", Err: &net.DNSError{Err: "no such host", Name: "nope", IsNotFound: true}}, "no such host"},
		{"timeout", &url.Error{Op: "Get", URL: "x", Err: os.ErrDeadlineExceeded}, "timed out"},
		{"other", &url.Error{Op: "Get", URL: "x", Err: errors.New("tls: handshake failure")}, "tls: handshake failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Reason(tt.err); got != tt.want {
				t.Errorf("Reason(%v) = %q; want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestUnreachableNamesTheServer(t *testing.T) {
	// Port 1 on loopback is closed on any sane machine: a real refused dial.
	c := New("http://127.0.0.1:1", nil)
	err := c.Health(t.Context())
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("Health() = %v; want *UnreachableError", err)
	}
	want := "cannot reach the docs server at http://127.0.0.1:1: connection refused"
	if err.Error() != want {
		t.Errorf("Health() error = %q; want %q", err.Error(), want)
	}
}

func TestLoginWithoutCookieFailsEvenWithASessionHeld(t *testing.T) {
	// A server that accepts the login but sets no cookie: the session the
	// client already held must not pass for the new one.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
	}))
	defer srv.Close()
	c := New(srv.URL, &Options{Session: "old-session"})
	if u, err := c.Login(t.Context(), Credentials{Username: "alice", Password: "pw"}); err == nil {
		t.Fatalf("Login with no cookie set = %+v, nil; want an error", u)
	}
}
