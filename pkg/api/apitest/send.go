package apitest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
)

// Reply is one HTTP exchange, read in full.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send makes one request to a docsd under test and reads the whole answer.
// A non-empty body goes as JSON. It returns errors instead of failing the
// test, so load and crash tests can call it off the test goroutine.
func Send(ctx context.Context, client *http.Client, method, url string, cookie *http.Cookie, header map[string]string, body string) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, err
	}
	return Reply{resp.StatusCode, resp.Header, b}, nil
}

// Want fails t unless the reply has status; an error status must also come
// as a problem document that says the same status.
func (r Reply) Want(t testing.TB, status int) Reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d; want %d (body %s)", r.Status, status, r.Body)
	}
	if status >= 400 {
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("Content-Type = %q; want application/problem+json", ct)
		}
		p := r.Problem(t)
		if p.Status != status || p.Title != http.StatusText(status) || p.Type == "" {
			t.Errorf("problem = %+v; want status %d, title %q and a type", p, status, http.StatusText(status))
		}
	}
	return r
}

// Problem decodes the body as a problem document.
func (r Reply) Problem(t testing.TB) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("body %q is not a problem document: %v", r.Body, err)
	}
	return p
}
