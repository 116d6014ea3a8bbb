package api

import (
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// guard runs before every handler. A route whose name is on the skip list
// passes; every other matched route, including one registered outside the
// route table and so without a name, needs a valid session or a bearer
// token whose scopes cover it, else 401. The user is read with the
// session or token on every request, so a role change or a removed user
// (whose sessions and tokens go with it) takes effect at once.
func (s *Server) guard(c *gin.Context) {
	if c.FullPath() == "" {
		// No route matched: gin answers 404 or 405, the same for everyone.
		c.Next()
		return
	}
	r := s.byRoute[c.Request.Method][c.FullPath()]
	if r != nil {
		if s.public[r.Name] {
			s.optionalUser(c, r)
			return
		}
	}
	// A private route's answer, a 401 included, is never cached.
	c.Writer.Header()["Cache-Control"] = noStore
	if secret, ok, err := s.bearer(c); ok {
		if err == nil {
			err = s.authenticateToken(c, r, secret, false)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
		return
	}
	u, reason, err := s.authenticate(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u == nil {
		c.Set(ctxReason, string(reason))
		c.Set(ctxDenial, sessionDenial(reason))
		s.fail(c, unauthorized(reason != session.NoCookie))
		return
	}
	c.Set(ctxUser, u)
	c.Next()
}

// optionalUser runs a public route. A caller who sends a valid session is
// still known to it (and to the log); one whose cookie is bad or stale is
// served as anonymous, as a public route promises. Since the answer may
// depend on the session, it varies with the cookie, and the answer to a
// logged-in caller is never cached. A route that needs no database (see
// Route.NoDatabase) does not look the session up at all; its answer to a
// caller with a cookie is kept from caches all the same.
func (s *Server) optionalUser(c *gin.Context, r *Route) {
	h := c.Writer.Header()
	h["Vary"] = varyCookie
	_, noCookie := c.Request.Cookie(s.Sessions.CookieName())
	secret, bearer, err := s.bearer(c)
	switch {
	case bearer && r.NoDatabase:
		// The token is not looked at, as a cookie is not: the answer is
		// the same for everyone.
		h["Cache-Control"] = noStore
	case bearer:
		// A token is sent on purpose, unlike a cookie a browser sends
		// unasked: one that is not valid is a 401 here too.
		h["Cache-Control"] = noStore
		if err == nil {
			err = s.authenticateToken(c, r, secret, true)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
	case noCookie != nil:
	case r.NoDatabase:
		h["Cache-Control"] = noStore
	default:
		u, _, err := s.authenticate(c)
		// With the database out of reach the caller is served as
		// anonymous, and the route answers 503 on its own when it needs
		// the database.
		if err != nil && docs.KindOf(err) != docs.Unavailable {
			s.fail(c, err)
			return
		}
		if u != nil {
			h["Cache-Control"] = noStore
			c.Set(ctxUser, u)
		}
	}
	c.Next()
}

// authenticate returns the user of the request's session. Once the
// cookie's signature holds, the request reads the epochs (readEpochs),
// which the session cache and, later in the same request, the document
// cache compare with.
func (s *Server) authenticate(c *gin.Context) (*docs.User, session.Reason, error) {
	token, reason := s.Sessions.Verify(c.Request)
	if reason != "" {
		return nil, reason, nil
	}
	if err := s.readEpochs(c); err != nil {
		return nil, "", err
	}
	return s.Sessions.Lookup(c.Request.Context(), token)
}

// readEpochs reads the epochs once for the request and gives the Reading
// to every cache the request goes through (see package cache).
func (s *Server) readEpochs(c *gin.Context) error {
	r, err := s.Epochs.Read(c.Request.Context())
	if err != nil {
		return err
	}
	c.Request = c.Request.WithContext(cache.WithReading(c.Request.Context(), r))
	return nil
}

// varyCookie is shared by every response, like noStore: header values are
// only ever replaced, never appended to in place.
var varyCookie = []string{"Cookie"}

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
//
// A request with a bearer token and no cookie passes too: a browser never
// attaches a token by itself, so a cross-origin page cannot make a request
// carry one that it does not already hold.
func (s *Server) checkOrigin(c *gin.Context) {
	if c.FullPath() == "" || s.bearerOnly(c.Request) {
		c.Next()
		return
	}
	if err := s.origins.Check(c.Request); err != nil {
		c.Set(ctxReason, "cross-origin request: "+err.Error())
		c.Set(ctxDenial, denyCrossOrigin)
		s.fail(c, docs.Errorf(docs.Forbidden, "cross-origin request refused: add the origin to server.trusted_origins if it should be allowed"))
		return
	}
	c.Next()
}

// bearerOnly reports whether r carries a bearer token and no session
// cookie.
func (s *Server) bearerOnly(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if len(h) < len("Bearer ") || !strings.EqualFold(h[:len("Bearer ")], "Bearer ") {
		return false
	}
	_, err := r.Cookie(s.Sessions.CookieName())
	return err != nil
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

// strictTransportSecurity tells a browser to use only HTTPS for this host
// for a year, so that no later visit starts over plain HTTP, where the
// first request could be intercepted. It is sent only when the server is
// reached over HTTPS (Config.HTTPS); browsers ignore it over plain HTTP.
func strictTransportSecurity(c *gin.Context) {
	c.Writer.Header()["Strict-Transport-Security"] = hstsValue
	c.Next()
}

var hstsValue = []string{"max-age=31536000"}

// logRequests writes one line per request: the route, method, path,
// status and latency, the client address (the TCP peer, or what a trusted
// proxy forwarded: gin's ClientIP) and a request id, which the response
// carries too as X-Request-Id. 401s, 403s and 429s carry the reason, so a
// denial can be debugged from the log alone; a login names the username
// attempted and the outcome, as docsd_logins_total counts it.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	// The route is known before anything can refuse the request, so a
	// denial logs it as the metrics count it.
	r := s.byRoute[c.Request.Method][c.FullPath()]
	if r != nil {
		c.Set(ctxRoute, r)
	}
	id := s.requestID(c)
	c.Writer.Header()["X-Request-Id"] = []string{id}
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
	var buf [11]slog.Attr
	attrs := append(buf[:0],
		slog.String("route", routeName(c)),
		slog.String("method", echoPath(c.Request.Method)),
		slog.String("path", echoPath(c.Request.URL.Path)),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
		slog.String("client", c.ClientIP()),
		slog.String("request_id", id),
	)
	if r != nil && r.Name == loginRoute {
		if v, ok := c.Get(ctxLogin); ok {
			attrs = append(attrs, slog.String("login", v.(string)))
		}
		attrs = append(attrs, slog.String("outcome", loginOutcomeOf(status).String()))
	}
	if v, ok := c.Get(ctxUser); ok {
		attrs = append(attrs, slog.Int64("user", v.(*docs.User).ID))
	}
	if reason, ok := c.Get(ctxReason); ok {
		attrs = append(attrs, slog.Any("reason", reason))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// maxRequestID bounds a forwarded X-Request-Id.
const maxRequestID = 128

// requestID is the X-Request-Id a trusted proxy sent, when it is short and
// plain, else a new one: a prefix drawn at start and a counter, which costs
// one small string per request and never repeats within a process.
func (s *Server) requestID(c *gin.Context) string {
	if len(s.proxies) > 0 {
		if v := c.Request.Header.Get("X-Request-Id"); v != "" && plainID(v) && s.fromTrustedProxy(c) {
			return v
		}
	}
	var b [48]byte
	out := append(b[:0], s.idPrefix...)
	out = strconv.AppendUint(out, s.requests.Add(1), 36)
	return string(out)
}

// plainID reports whether a forwarded id is 1 to maxRequestID printable
// ASCII characters without spaces or quotes, safe in a header and a log.
func plainID(v string) bool {
	if len(v) > maxRequestID {
		return false
	}
	for i := 0; i < len(v); i++ {
		if ch := v[i]; ch <= ' ' || ch > '~' || ch == '"' || ch == '\\' {
			return false
		}
	}
	return true
}

// fromTrustedProxy reports whether the TCP peer is in server.trusted_proxies.
func (s *Server) fromTrustedProxy(c *gin.Context) bool {
	ip := net.ParseIP(c.RemoteIP())
	if ip == nil {
		return false
	}
	for _, n := range s.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseProxies reads server.trusted_proxies as gin does: addresses or
// CIDR ranges.
func parseProxies(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range list {
		if !strings.Contains(p, "/") {
			ip := net.ParseIP(p)
			if ip == nil {
				return nil, fmt.Errorf("server.trusted_proxies: %q is not an address or a CIDR range", p)
			}
			bits := 8 * net.IPv6len
			if v4 := ip.To4(); v4 != nil {
				ip, bits = v4, 8*net.IPv4len
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, fmt.Errorf("server.trusted_proxies: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}
