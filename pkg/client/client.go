// Package client is a typed Go client for the docsd HTTP API.
//
// It sends either a session cookie, kept in a cookie jar, or a personal
// access token as "Authorization: Bearer", turns problem documents
// (RFC 9457) into *Error values that carry the status, title and detail,
// and reports an unreachable server as *UnreachableError. It imports
// nothing from the server, so scripts and the docs CLI can use it alike.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// SessionCookie is the name of the cookie that carries a docsd session.
const SessionCookie = "docs_session"

// maxResponseBytes bounds how much of a response body the client reads, so a
// misbehaving server cannot make it allocate without limit.
const maxResponseBytes = 64 << 20

// Options configures a Client. The zero value is usable.
type Options struct {
	// Session is a session cookie value to send, as stored after Login.
	Session string
	// Token is a personal access token (docs_pat_...) to send as
	// "Authorization: Bearer" instead of a session. With a token the client
	// keeps no cookies, since docsd refuses a request that carries both
	// (400); setting Session as well is an error every method reports.
	Token string
	// HTTPClient is the client to use; its Jar is replaced by the Client's
	// own, and its CheckRedirect by one that follows no redirect. When nil,
	// a client with conservative timeouts is used.
	HTTPClient *http.Client
	// UserAgent is sent with every request when not empty.
	UserAgent string
}

// Client talks to one docsd server. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseErr   error // an invalid base URL or Options, reported by every method
	http      *http.Client
	jar       http.CookieJar
	token     string
	userAgent string
}

// New returns a client for the docsd server at baseURL
// (for example "http://127.0.0.1:5555"). An invalid baseURL is reported
// by every method call.
func New(baseURL string, opts *Options) *Client {
	if opts == nil {
		opts = &Options{}
	}
	c := &Client{userAgent: opts.UserAgent, token: opts.Token}
	c.base, c.baseErr = ParseServerURL(baseURL)
	if c.baseErr == nil && opts.Token != "" && opts.Session != "" {
		c.baseErr = errors.New("client options: both a session and a token were given; docsd refuses a request that carries both")
	}
	jar, _ := cookiejar.New(nil) // never fails with nil options
	c.jar = jar
	hc := http.Client{Timeout: 60 * time.Second}
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	hc.Jar = jar
	if c.token != "" {
		hc.Jar = nil
	}
	hc.CheckRedirect = refuseRedirect
	c.http = &hc
	if c.baseErr == nil && opts.Session != "" {
		c.SetSession(opts.Session)
	}
	return c
}

// refuseRedirect hands a 3xx back to do, which makes it a *RedirectError.
// Following one would send the session cookie, or a password in the body
// of a 307, to wherever the answer points: another host, another port of
// this one (cookies do not care for ports), or plain http from https.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// BaseURL returns the server URL in its normalised form,
// scheme://host:port[/prefix].
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// SetSession makes the client send the given session cookie value. A
// client made with a token holds no session, and ignores it.
func (c *Client) SetSession(value string) {
	if c.base == nil || c.token != "" {
		return
	}
	// The jar only decides where the cookie is sent: Secure would keep it
	// from an http:// server the user chose, and HttpOnly and SameSite mean
	// nothing outside a browser.
	c.jar.SetCookies(c.base, []*http.Cookie{{Name: SessionCookie, Value: value, Path: "/"}}) //nolint:gosec // G124: a client-side jar entry, see above
}

// Session returns the session cookie value the client currently holds,
// or "" when it holds none (before Login, or after Logout).
func (c *Client) Session() string {
	if c.base == nil {
		return ""
	}
	for _, ck := range c.jar.Cookies(c.base) {
		if ck.Name == SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// request describes one API call.
type request struct {
	method string
	path   string     // relative to the base URL, e.g. "/documents/7"
	url    *url.URL   // absolute URL; overrides path when set
	query  url.Values // added to path
	body   any        // marshalled as JSON when not nil
	header http.Header
	out    any // unmarshalled from JSON when not nil and the status is 2xx
}

// response is what do returns for a successful (2xx) call.
type response struct {
	status int
	header http.Header
	url    *url.URL
}

// do sends r and decodes a 2xx JSON answer into r.out. A 3xx answer
// becomes *RedirectError, any other non-2xx answer *Error, and a transport
// failure *UnreachableError.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	u := r.url
	if u == nil {
		u = c.endpoint(r.path, r.query)
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.setHeaders(req)
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, newRedirectError(r.method, u, resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, c.unreachable(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newError(c.base.String(), r.method, u, resp, data)
	}
	if r.out != nil && resp.StatusCode != http.StatusNoContent {
		if !isJSON(resp.Header.Get("Content-Type")) {
			return nil, notDocsd(c.base.String(), resp, data)
		}
		if err := json.Unmarshal(data, r.out); err != nil {
			return nil, fmt.Errorf("decode %s %s response: %w", r.method, u.Path, err)
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header, url: u}, nil
}

// setHeaders sets what every request carries: the User-Agent and, with a
// token, the Authorization header.
func (c *Client) setHeaders(req *http.Request) {
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
}

// endpoint is the URL of an API path: the server URL's path prefix (docsd
// behind a reverse proxy under /api) followed by the route's path.
func (c *Client) endpoint(path string, query url.Values) *url.URL {
	u := *c.base
	u.Path = c.base.Path + path
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return &u
}

// unreachable wraps a transport error, keeping context cancellation as is.
func (c *Client) unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	return &UnreachableError{URL: c.base.String(), Err: err}
}

// ParseServerURL checks that s is an http or https URL and returns it
// normalised to scheme://host:port[/prefix]: lower case, the default port
// made explicit, and no query or trailing slash. A bare host:port is taken
// as http://host:port. A path is kept as a prefix for every API path (docsd
// behind a reverse proxy under /api). The normalised form names a server
// in the keyring.
func ParseServerURL(s string) (*url.URL, error) {
	raw := strings.TrimSpace(s)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid server URL %q: %w", s, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("invalid server URL %q: it must start with http:// or https://", s)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return nil, fmt.Errorf("invalid server URL %q: no host", s)
	}
	if u.User != nil {
		return nil, fmt.Errorf("invalid server URL %q: it must not carry a user name or password", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid server URL %q: it must not carry a query or fragment", s)
	}
	port := u.Port()
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535) {
		return nil, fmt.Errorf("invalid server URL %q: the port must be 1 to 65535", s)
	}
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	prefix := ""
	if u.Path != "" {
		prefix = strings.TrimSuffix(path.Clean("/"+u.Path), "/")
	}
	return &url.URL{Scheme: scheme, Host: host + ":" + port, Path: prefix}, nil
}

// NormalizeServerURL returns s in the form ParseServerURL produces.
func NormalizeServerURL(s string) (string, error) {
	u, err := ParseServerURL(s)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
