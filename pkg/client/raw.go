package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Raw sends a request to an API path of the server (such as
// "/documents?limit=2" or "me"), with the session or token the client holds, and
// returns the response as it came, whatever its status; the caller closes
// its body. It is for callers that pass the server's answer on, as
// `docs api` does; CheckResponse classifies it. Only a transport failure is
// an error (*UnreachableError).
func (c *Client) Raw(ctx context.Context, method, pathAndQuery string, body io.Reader, header http.Header) (*http.Response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	ref, err := url.Parse(pathAndQuery)
	if err != nil || ref.Scheme != "" || ref.Host != "" {
		return nil, fmt.Errorf("invalid API path %q: want a path such as /documents/7", pathAndQuery)
	}
	u := c.endpoint("/"+strings.TrimPrefix(ref.Path, "/"), nil)
	u.RawQuery = ref.RawQuery
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	c.setHeaders(req)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(ctx, err)
	}
	return resp, nil
}

// CheckResponse returns nil for a 2xx response, and otherwise the error the
// other methods return for it: *RedirectError for a 3xx (never followed),
// *Error for docsd's problem document, *NotDocsdError for anything else. body is the response body, read.
func (c *Client) CheckResponse(resp *http.Response, body []byte) error {
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		return nil
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return newRedirectError(resp.Request.Method, resp.Request.URL, resp)
	}
	return newError(c.base.String(), resp.Request.Method, resp.Request.URL, resp, body)
}
