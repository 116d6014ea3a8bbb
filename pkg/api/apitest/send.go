package apitest

import (
	"context"
	"io"
	"net/http"
	"strings"
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
