package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// Problem is an RFC 9457 problem document, the body of every error.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Field names the request field at fault, for 400s about one field.
	Field string `json:"field,omitempty"`
}

// statusOf is the one mapping from an error kind to an HTTP status.
func statusOf(k docs.Kind) int {
	switch k {
	case docs.Invalid:
		return http.StatusBadRequest
	case docs.Unauthorized:
		return http.StatusUnauthorized
	case docs.Forbidden:
		return http.StatusForbidden
	case docs.NotFound:
		return http.StatusNotFound
	case docs.Conflict:
		return http.StatusConflict
	case docs.PreconditionFailed:
		return http.StatusPreconditionFailed
	case docs.TooManyRequests:
		return http.StatusTooManyRequests
	case docs.Unavailable, docs.ReadOnly:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// httpError is an error only the HTTP layer makes: a body too large (413),
// a content type it does not read (415), a method a path does not take
// (405). The domain's kinds (pkg/docs) have no word for these.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return e.detail }

func httpErrorf(status int, format string, args ...any) error {
	return &httpError{status: status, detail: fmt.Sprintf(format, args...)}
}

// statusClientClosed is nginx's status for a request its client gave up.
const statusClientClosed = 499

// fail writes err as a problem document and aborts the chain. Errors that
// nobody classified are logged in full and shown as a bare 500; a database
// out of reach or read-only is logged too, and answered 503 with
// Retry-After. For 401s
// and 403s the detail is kept for the request log line.
func (s *Server) fail(c *gin.Context, err error) {
	var (
		he *httpError
		de *docs.Error
		p  = Problem{Type: "about:blank"}
	)
	switch {
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away before the answer: nothing failed here,
		// and nobody reads what is written. It is logged and counted as
		// nginx does, 499, not as a server error.
		c.Set(ctxReason, "the client closed the request")
		c.AbortWithStatus(statusClientClosed)
		return
	case errors.As(err, &he):
		p.Status, p.Detail = he.status, he.detail
	case errors.As(err, &de) && de.Kind != docs.Internal:
		if de.Kind == docs.Unavailable || de.Kind == docs.ReadOnly {
			s.log.Warn("database unavailable", "route", routeName(c), "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		}
		p.Status, p.Detail, p.Field = statusOf(de.Kind), de.Detail, de.Field
		if de.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
		}
	default:
		s.log.Error("internal error", "route", routeName(c), "method", c.Request.Method, "path", echoPath(c.Request.URL.Path), "err", err)
		p.Status = http.StatusInternalServerError
		p.Detail = "the server could not complete the request; the error is in its log"
	}
	p.Title = http.StatusText(p.Status)
	if p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden || p.Status == http.StatusTooManyRequests {
		if _, logged := c.Get(ctxReason); !logged {
			c.Set(ctxReason, p.Detail)
		}
	}
	writeProblem(c, p)
}

// writeProblem sends p. It is encoded by hand like documents (encode.go):
// denials are what an attacker can send most of, so they must be cheap.
func writeProblem(c *gin.Context, p Problem) {
	h := c.Writer.Header()
	h["Content-Type"] = problemContentType
	h["Cache-Control"] = noStore
	b := make([]byte, 0, 96+len(p.Detail))
	b = append(b, `{"type":`...)
	b = appendString(b, p.Type)
	b = append(b, `,"title":`...)
	b = appendString(b, p.Title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(p.Status), 10)
	if p.Detail != "" {
		b = append(b, `,"detail":`...)
		b = appendString(b, p.Detail)
	}
	if p.Field != "" {
		b = append(b, `,"field":`...)
		b = appendString(b, p.Field)
	}
	b = append(b, '}')
	c.Status(p.Status)
	c.Writer.Write(b) //nolint:errcheck // a client gone away is not the server's error
	c.Abort()
}

var (
	problemContentType = []string{"application/problem+json"}
	noStore            = []string{"no-store"}
)

func (s *Server) noRoute(c *gin.Context) {
	s.fail(c, docs.Errorf(docs.NotFound, "no route for %s %s", echoPath(c.Request.Method), echoPath(c.Request.URL.Path)))
}

// noMethod answers a known path with a wrong method; gin has set Allow.
func (s *Server) noMethod(c *gin.Context) {
	s.fail(c, httpErrorf(http.StatusMethodNotAllowed, "%s is not allowed on %s; allowed: %s",
		echoPath(c.Request.Method), echoPath(c.Request.URL.Path), c.Writer.Header().Get("Allow")))
}

// maxEcho bounds how much of a client's path (or method) a problem
// document or a log line repeats: enough to recognise it, not enough to
// turn a 900 KB path into a 900 KB answer and log line.
const maxEcho = 256

// echoPath returns p, or its first maxEcho bytes (cut at a character
// boundary) marked as cut, with the full length.
func echoPath(p string) string {
	if len(p) <= maxEcho {
		return p
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(p[cut]) {
		cut--
	}
	return p[:cut] + "... (cut: " + strconv.Itoa(len(p)) + " bytes in all)"
}

// recover turns a panic into a logged 500 problem, never a stack trace on
// the wire.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.fail(c, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}
	}()
	c.Next()
}
