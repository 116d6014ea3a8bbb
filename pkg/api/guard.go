package api

import (
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// guard runs before every handler. A route whose name is on the skip list
// passes; every other matched route, including one registered outside the
// route table and so without a name, needs a valid session, else 401. The
// user is read with the session on every request, so a role change or a
// removed user (whose sessions go with it) takes effect at once.
func (s *Server) guard(c *gin.Context) {
	if c.FullPath() == "" {
		// No route matched: gin answers 404 or 405, the same for everyone.
		c.Next()
		return
	}
	r := s.byRoute[c.Request.Method][c.FullPath()]
	if r != nil {
		c.Set(ctxRoute, r)
		if s.public[r.Name] {
			s.optionalUser(c)
			return
		}
	}
	u, reason, err := s.Sessions.Authenticate(c.Request)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u == nil {
		c.Set(ctxReason, string(reason))
		s.fail(c, unauthorized(reason != session.NoCookie))
		return
	}
	c.Set(ctxUser, u)
	c.Next()
}

// optionalUser runs a public route. A caller who sends a valid session is
// still known to it (and to the log); one whose cookie is bad or stale is
// served as anonymous, as a public route promises.
func (s *Server) optionalUser(c *gin.Context) {
	if _, err := c.Request.Cookie(s.Sessions.CookieName()); err == nil {
		u, _, err := s.Sessions.Authenticate(c.Request)
		// With the database out of reach the caller is served as
		// anonymous: a public route that needs no database, such as the
		// liveness check, keeps answering, and one that does answers 503
		// on its own.
		if err != nil && docs.KindOf(err) != docs.Unavailable {
			s.fail(c, err)
			return
		}
		if u != nil {
			c.Set(ctxUser, u)
		}
	}
	c.Next()
}

func unauthorized(hadCookie bool) error {
	if hadCookie {
		return docs.Errorf(docs.Unauthorized, "the session is invalid, expired or ended; log in again")
	}
	return docs.Errorf(docs.Unauthorized, "log in first: this route needs a session")
}

// currentUser returns the logged-in user, or an Unauthorized error when the
// route ran without one (it is on the skip list). Handlers that need a user
// call it; they never read the session themselves.
func currentUser(c *gin.Context) (*docs.User, error) {
	if v, ok := c.Get(ctxUser); ok {
		return v.(*docs.User), nil
	}
	return nil, unauthorized(false)
}

func routeName(c *gin.Context) string {
	if v, ok := c.Get(ctxRoute); ok {
		return v.(*Route).Name
	}
	return ""
}

// checkOrigin refuses cross-origin browser requests that change state
// (Go's CrossOriginProtection: Sec-Fetch-Site, else Origin against Host).
// Clients that are not browsers send neither header and pass.
func (s *Server) checkOrigin(c *gin.Context) {
	if c.FullPath() == "" {
		c.Next()
		return
	}
	if err := s.origins.Check(c.Request); err != nil {
		c.Set(ctxReason, "cross-origin request: "+err.Error())
		s.fail(c, docs.Errorf(docs.Forbidden, "cross-origin request refused: add the origin to server.trusted_origins if it should be allowed"))
		return
	}
	c.Next()
}

// checkContentType requires application/json (any charset) on every
// request that carries a body. A bodiless DELETE needs no type.
func (s *Server) checkContentType(c *gin.Context) {
	r := c.Request
	if c.FullPath() == "" || r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		c.Next()
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		s.fail(c, httpErrorf(http.StatusUnsupportedMediaType, "send the body as JSON with Content-Type: application/json"))
		return
	}
	c.Next()
}

// limitBody caps the request body. A declared length over the cap is
// refused before anything is read; an undeclared one is cut off by
// http.MaxBytesReader as soon as it passes the cap.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		s.fail(c, tooLarge(s.cfg.MaxBodyBytes))
		return
	}
	if c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}

// logRequests writes one line per request. 401s and 403s carry the reason,
// so an unexpected denial can be debugged from the log alone.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	if !s.log.Enabled(c.Request.Context(), level) {
		return
	}
	// Typed attributes in a fixed array: no boxing, no slice growth.
	var buf [7]slog.Attr
	attrs := append(buf[:0],
		slog.String("route", routeName(c)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
	)
	if v, ok := c.Get(ctxUser); ok {
		attrs = append(attrs, slog.Int64("user", v.(*docs.User).ID))
	}
	if reason, ok := c.Get(ctxReason); ok {
		attrs = append(attrs, slog.Any("reason", reason))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}
