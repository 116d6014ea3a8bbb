// Package api is docsd's HTTP API: the gin engine, the route table
// (routes.go), the session guard (guard.go), the authorization policy
// (policy.go), the one mapping from errors to problem documents (errors.go)
// and the handlers.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// DefaultMaxBodyBytes bounds a request body, against abuse; the limits of
// a document are on its title and body as stored (pkg/docs). It is the
// longest JSON encoding of a document within them, so that every such
// encoding is read: each byte of the body as a 6-byte escape (\u003c for
// <), each character of the title as a 12-byte surrogate pair, and
// JSONSlackBytes for keys, punctuation and whitespace.
const DefaultMaxBodyBytes = 6*docs.MaxBodyBytes + 12*docs.MaxTitleRunes + JSONSlackBytes

// JSONSlackBytes is what DefaultMaxBodyBytes allows beyond a document's
// longest escapes.
const JSONSlackBytes = 64 << 10

// Config is what the API needs to know beyond its stores.
type Config struct {
	// PublicRoutes is the skip list: names of routes anyone may call.
	// Every name must match a route.
	PublicRoutes      []string
	AllowRegistration bool
	MaxBodyBytes      int64
	// Throttle bounds failed logins; the zero value means ThrottleDefaults.
	Throttle Throttle
	// TrustedProxies may set X-Forwarded-For; by default none may, and the
	// client address is the TCP peer.
	TrustedProxies []string
	// TrustedOrigins may send cross-origin requests that change state.
	TrustedOrigins []string
	// HTTPS says clients reach the server over HTTPS only (its own TLS, or
	// a TLS proxy in front): every answer tells browsers to keep to HTTPS
	// (Strict-Transport-Security).
	HTTPS bool
	// AllowNeverExpiringTokens lets a user create a token that never
	// expires (tokens.allow_never); otherwise every token expires within
	// MaxTokenLifetime.
	AllowNeverExpiringTokens bool
	Logger                   *slog.Logger
	// Metrics, when set, receives the API's Prometheus collectors
	// (pkg/metrics), and every request is counted (metrics.go).
	Metrics prometheus.Registerer
	// Now returns the time; tests inject a clock. Defaults to time.Now.
	Now func() time.Time
}

// Deps are the stores and services the handlers use.
type Deps struct {
	Users docs.UserStore
	// Documents are read through this process's document cache, which
	// keeps them encoded while no document has changed anywhere.
	Documents *cache.Documents
	Sessions  *session.Store
	// Tokens are read through this process's token cache, like sessions.
	Tokens        *cache.Tokens
	Passwords     *docs.Passwords
	LoginFailures docs.LoginFailureStore
	// Ready returns nil when the database answers and takes writes, else
	// why not.
	Ready func(ctx context.Context) error
	// SessionCache is the per-process cache Sessions reads through; the
	// engine does not use it, its statistics are for metrics.
	SessionCache *cache.Sessions
}

// Server holds what the handlers share.
type Server struct {
	Deps
	cfg     Config
	public  map[string]bool
	origins *http.CrossOriginProtection
	// byRoute finds a route from gin's method and matched path pattern.
	byRoute map[string]map[string]*Route
	// description is the OpenAPI description for this skip list.
	description []byte
	log         *slog.Logger
	metrics     *requestMetrics // nil without Config.Metrics
	// proxies are server.trusted_proxies, parsed once: their X-Request-Id
	// is kept, and gin takes the client address they forward.
	proxies []*net.IPNet
	// idPrefix and requests make the ids of requests that come without one.
	idPrefix string
	requests atomic.Uint64
}

// New returns the docsd engine. It fails when the skip list names a route
// that does not exist: a misspelt name must not leave a route private (or,
// worse, be mistaken for having made one public); and when it names a route
// that needs a user whatever the list says, which would answer 401 while
// `docsd routes` and OpenAPI called it public. gin's mode is global and
// left to the program (docsdcmd.Run sets release mode).
func New(cfg Config, deps Deps) (*gin.Engine, error) {
	return newEngine(cfg, deps, routes)
}

// newEngine builds the engine over table, the route table (and, in tests,
// routes added to it).
func newEngine(cfg Config, deps Deps, table []Route) (*gin.Engine, error) {
	s, err := newServer(cfg, deps, table)
	if err != nil {
		return nil, err
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// The client address is the TCP peer unless a proxy is configured.
	// gin takes the proxies as text: it gets the networks parseProxies
	// read, written out, so that one parser decides what the setting
	// means and the request id and the client address trust the same
	// peers.
	trusted := make([]string, len(s.proxies))
	for i, n := range s.proxies {
		trusted[i] = n.String()
	}
	if err := e.SetTrustedProxies(trusted); err != nil {
		return nil, fmt.Errorf("server.trusted_proxies: %w", err)
	}
	// The order is part of the contract: a cross-origin request is refused
	// (403) before the session is looked at (401), and the content type
	// (415) and size (413) only matter to a caller who may proceed.
	if s.metrics != nil {
		e.Use(s.count)
	}
	if cfg.HTTPS {
		e.Use(strictTransportSecurity)
	}
	e.Use(s.logRequests, s.recover, s.checkOrigin, s.guard, s.checkContentType, s.limitBody)
	withSession := ginsessions.Sessions(deps.Sessions.CookieName(), deps.Sessions)
	for i := range table {
		r := &table[i]
		if r.WritesSession {
			e.Handle(r.Method, r.Path, withSession, s.handle(r))
		} else {
			e.Handle(r.Method, r.Path, s.handle(r))
		}
	}
	e.NoRoute(s.noRoute)
	e.NoMethod(s.noMethod)
	return e, nil
}

func newServer(cfg Config, deps Deps, table []Route) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// Every backend keeps microseconds. Times the API writes are cut to
	// that precision before they are stored or answered, so a POST and a
	// later GET of the same document show the same times.
	now := cfg.Now
	cfg.Now = func() time.Time { return now().Truncate(time.Microsecond) }
	if cfg.Throttle == (Throttle{}) {
		cfg.Throttle = ThrottleDefaults()
	}
	if err := checkTable(table); err != nil {
		return nil, err
	}
	if err := CheckPublicRoutes(cfg.PublicRoutes); err != nil {
		return nil, err
	}
	proxies, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if deps.Users == nil || deps.Documents == nil || deps.Sessions == nil || deps.Tokens == nil || deps.Passwords == nil || deps.LoginFailures == nil || deps.Ready == nil {
		return nil, errors.New("api: every dependency is required")
	}
	var prefix [6]byte
	if _, err := rand.Read(prefix[:]); err != nil {
		return nil, fmt.Errorf("request id prefix: %w", err)
	}
	s := &Server{Deps: deps, cfg: cfg, log: cfg.Logger, public: map[string]bool{}, byRoute: map[string]map[string]*Route{},
		proxies: proxies, idPrefix: hex.EncodeToString(prefix[:]) + "-"}
	for _, name := range cfg.PublicRoutes {
		s.public[name] = true
	}
	if s.description, err = OpenAPI(cfg.PublicRoutes, deps.Sessions.CookieName()); err != nil {
		return nil, err
	}
	s.origins = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := s.origins.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("server.trusted_origins: %w", err)
		}
	}
	for i := range table {
		r := &table[i]
		if s.byRoute[r.Method] == nil {
			s.byRoute[r.Method] = map[string]*Route{}
		}
		s.byRoute[r.Method][r.Path] = r
	}
	if cfg.Metrics != nil {
		if s.metrics, err = newRequestMetrics(cfg.Metrics); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return s, nil
}

// CheckPublicRoutes returns an error naming every entry of a skip list that
// matches no route, or that names a route which needs a logged-in user
// whatever the list says (Route.NeedsUser): on the list, such a route would
// still answer 401 to a caller without a session.
func CheckPublicRoutes(names []string) error {
	byName := map[string]*Route{}
	for i := range routes {
		byName[routes[i].Name] = &routes[i]
	}
	var unknown, private []string
	for _, n := range names {
		switch r := byName[n]; {
		case r == nil:
			unknown = append(unknown, fmt.Sprintf("%q", n))
		case r.NeedsUser:
			private = append(private, fmt.Sprintf("%q (%s)", n, whyUser(r)))
		}
	}
	if len(unknown) > 0 {
		var all []string
		for _, r := range routes {
			all = append(all, r.Name)
		}
		return fmt.Errorf("auth.public_routes names no such route: %v (routes are: %v)", unknown, all)
	}
	if len(private) > 0 {
		return fmt.Errorf("auth.public_routes names routes that cannot be public, since they need a logged-in user whatever the list says: %s",
			strings.Join(private, ", "))
	}
	return nil
}

// whyUser says why r, a route that needs a user, needs one.
func whyUser(r *Route) string {
	if r.Access.action != 0 {
		return "its rule is " + r.Access.String()
	}
	return "it acts as the caller"
}

// handle runs r's handler after r's access rule, so a handler never
// checks access itself. A rule about no document (admin only) is checked
// before anything is read. A rule about one document loads the :id
// document first (400 for a bad id, 404 for a missing one, before any
// ownership check), then checks the rule against it (403), and hands the
// authorized document to the handler (routeDocument). A non-nil error
// becomes the response through fail, the one error mapping.
func (s *Server) handle(r *Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.checkAccess(c, r.Access.action); err != nil {
			s.fail(c, err)
			return
		}
		if err := r.handler(s, c); err != nil {
			s.fail(c, err)
		}
	}
}

// checkAccess applies the policy action a (0 for none) to the caller and,
// when a is about a document, to the :id document, which it keeps for
// routeDocument.
func (s *Server) checkAccess(c *gin.Context, a Action) error {
	if a == 0 {
		return nil
	}
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	if !policy[a].onDocument {
		return authorize(u, a, nil)
	}
	var d *docs.Document
	if policy[a].deleted {
		d, err = s.loadDeletedDocument(c)
	} else {
		var e *cache.Document
		e, err = s.loadDocument(c)
		if e != nil {
			d = e.Document
		}
	}
	if err != nil {
		return err
	}
	if err := authorize(u, a, d); err != nil {
		return err
	}
	c.Set(ctxDocument, d)
	return nil
}
