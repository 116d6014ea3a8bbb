package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Error is a non-2xx answer from docsd. When the server sent a problem
// document (RFC 9457) its fields are filled from it; otherwise Title is the
// status text and Detail a short excerpt of the body.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Type, Title, Detail and Instance are the problem document's members.
	Type     string
	Title    string
	Detail   string
	Instance string
	// RetryAfter is how long the server asked the client to wait before
	// trying again (the Retry-After header of a 429 or 503), or 0.
	RetryAfter time.Duration
	// Method and URL identify the request that failed.
	Method string
	URL    string
	// Header is the response's header.
	Header http.Header
	// Problem is the problem document as the server sent it, or one built
	// from the fields above when the server sent something else.
	Problem json.RawMessage
}

// Error formats the error as "403 Forbidden: detail".
func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s", e.StatusCode, e.Title)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// problem mirrors the members of an RFC 9457 problem document.
type problem struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Status   int    `json:"status,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// newError turns a non-2xx answer into *Error when it is docsd's problem
// document, and into *NotDocsdError when it is anything else.
func newError(base string, method string, u *url.URL, resp *http.Response, body []byte) error {
	var p problem
	if !isJSON(resp.Header.Get("Content-Type")) || json.Unmarshal(body, &p) != nil || p.Title == "" {
		return notDocsd(base, resp, body)
	}
	return &Error{
		StatusCode: resp.StatusCode, Method: method, URL: u.String(), Header: resp.Header,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Type:       p.Type, Title: p.Title, Detail: p.Detail, Instance: p.Instance,
		Problem: compactJSON(body),
	}
}

// NotDocsdError is an answer that is not what docsd sends: an error status
// without a problem document, or a success that is not JSON. Something
// else answers at that URL (another web server, a proxy's error page), so
// its status says nothing about the docs request.
type NotDocsdError struct {
	// URL is the server's base URL.
	URL string
	// StatusCode and ContentType are those of the answer.
	StatusCode  int
	ContentType string
	// Excerpt is the start of the body, for the message.
	Excerpt string
}

func notDocsd(base string, resp *http.Response, body []byte) *NotDocsdError {
	return &NotDocsdError{URL: base, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Excerpt: excerpt(body)}
}

// Error says so, with what did answer.
func (e *NotDocsdError) Error() string {
	s := fmt.Sprintf("the server at %s does not look like docsd: it answered %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.ContentType != "" {
		s += " with " + e.ContentType
	}
	if e.Excerpt != "" {
		s += ": " + e.Excerpt
	}
	return s
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// A missing, malformed or past value is 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > int64(math.MaxInt64/time.Second) {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func isJSON(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	return ct == "application/problem+json" || ct == "application/json"
}

func compactJSON(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return json.RawMessage(b)
	}
	return json.RawMessage(buf.Bytes())
}

// excerpt returns the first line of a non-JSON body, shortened, with
// control characters removed, for use as an error detail.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// StatusCode returns the HTTP status of err when it is (or wraps) an *Error,
// and 0 otherwise.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// RedirectError is a 3xx answer. The client follows no redirect, so the
// session cookie and passwords go to the configured server's scheme, host
// and port only.
type RedirectError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Location is where the server pointed, made absolute against the
	// request's URL, or "" when it named no place.
	Location string
	// Method and URL identify the request that was redirected.
	Method string
	URL    string
}

// Error names the status and where the server tried to send the request.
func (e *RedirectError) Error() string {
	status := fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Location == "" {
		return fmt.Sprintf("%s %s answered %s without a Location; docs follows no redirect", e.Method, e.URL, status)
	}
	return fmt.Sprintf("%s %s answered %s to %s; docs follows no redirect, so the session and passwords go only to the configured server (if the server has moved, configure its new URL)", e.Method, e.URL, status, e.Location)
}

func newRedirectError(method string, u *url.URL, resp *http.Response) *RedirectError {
	e := &RedirectError{StatusCode: resp.StatusCode, Method: method, URL: u.String()}
	if loc := resp.Header.Get("Location"); loc != "" {
		e.Location = excerpt([]byte(loc))
		if abs, err := u.Parse(loc); err == nil {
			e.Location = abs.String()
		}
	}
	return e
}

// UnreachableError reports that the server could not be reached at all:
// nothing was answered, so the request may or may not have been applied.
type UnreachableError struct {
	// URL is the server's base URL.
	URL string
	// Err is the transport error.
	Err error
}

// Error names the server and the reason in words, not as a raw dial error.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the docs server at %s: %s", e.URL, Reason(e.Err))
}

// Unwrap returns the transport error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Reason describes a transport error in a few words, such as
// "connection refused" or "no such host".
func Reason(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "no such host"
		}
		return "name lookup failed"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timed out"
	}
	// Strip the url.Error and net.OpError prefixes; keep the innermost cause.
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return err.Error()
}
