package api

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/metrics"
)

// The route label of a request that matched no route (a 404 or 405).
const unmatchedRoute = "unmatched"

// requestMetrics count the API's requests into the collectors of
// pkg/metrics. Each route's children are resolved once, so a request pays
// for atomic adds and no label lookup.
type requestMetrics struct {
	*metrics.HTTP

	loginsBy  [numLoginOutcomes]prometheus.Counter
	byCred    [numCredentials]prometheus.Counter
	byRoute   map[*Route]*routeMetrics
	unmatched map[string]*routeMetrics // by method
	other     *routeMetrics            // unmatched, with a method outside unmatchedMethods
}

// unmatchedMethods are the methods kept as a label value on unmatched
// requests; any other (a client can send anything) counts as OTHER.
var unmatchedMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// routeMetrics are one route's (or one unmatched method's) children.
// Counters by status and denial class are resolved on first use and kept:
// creating them all up front would export hundreds of series that stay 0.
type routeMetrics struct {
	name, method string
	latency      prometheus.Observer
	login        bool
	m            *requestMetrics
	requests     [600]atomic.Pointer[prometheus.Counter]
	denials      [3][numDenials]atomic.Pointer[prometheus.Counter]
}

func newRequestMetrics(reg prometheus.Registerer) (*requestMetrics, error) {
	h, err := metrics.NewHTTP(reg, loginOutcomeNames[:])
	if err != nil {
		return nil, err
	}
	m := &requestMetrics{HTTP: h, byRoute: map[*Route]*routeMetrics{}, unmatched: map[string]*routeMetrics{}}
	for o := range numLoginOutcomes {
		m.loginsBy[o] = m.Logins.WithLabelValues(o.String())
	}
	for k := range numCredentials {
		m.byCred[k] = m.Credentials.WithLabelValues(k.String())
	}
	for i := range routes {
		r := &routes[i]
		m.byRoute[r] = m.newRoute(r.Name, r.Method)
	}
	for _, method := range unmatchedMethods {
		m.unmatched[method] = m.newRoute(unmatchedRoute, method)
	}
	m.other = m.newRoute(unmatchedRoute, "OTHER")
	return m, nil
}

func (m *requestMetrics) newRoute(name, method string) *routeMetrics {
	return &routeMetrics{name: name, method: method, latency: m.Latency.WithLabelValues(name), login: name == loginRoute, m: m}
}

// count is the middleware that records every request. It runs outside the
// others and finds the route itself, so a request refused before the guard
// (a cross-origin 403) still counts under its route.
func (s *Server) count(c *gin.Context) {
	start := time.Now()
	c.Next()
	m := s.metrics
	rm := m.byRoute[s.byRoute[c.Request.Method][c.FullPath()]]
	if rm == nil {
		if rm = m.unmatched[c.Request.Method]; rm == nil {
			rm = m.other
		}
	}
	status := c.Writer.Status()
	rm.latency.Observe(time.Since(start).Seconds())
	if status >= 100 && status < 600 {
		p := rm.requests[status].Load()
		if p == nil {
			p = resolve(&rm.requests[status], m.Requests, rm.name, rm.method, strconv.Itoa(status))
		}
		(*p).Inc()
	}
	if d := denialSlot(status); d >= 0 {
		class := s.denialClass(c, rm, status)
		p := rm.denials[d][class].Load()
		if p == nil {
			p = resolve(&rm.denials[d][class], m.Denials, rm.name, strconv.Itoa(status), class.String())
		}
		(*p).Inc()
	}
	if rm.login {
		m.loginsBy[loginOutcomeOf(status)].Inc()
	}
	m.byCred[s.credentialOf(c.Request)].Inc()
}

// resolve finds vec's child for labels and keeps it in slot, for every
// later request. Two requests racing here store the same child.
func resolve(slot *atomic.Pointer[prometheus.Counter], vec *prometheus.CounterVec, labels ...string) *prometheus.Counter {
	c := vec.WithLabelValues(labels...)
	slot.Store(&c)
	return &c
}

func denialSlot(status int) int {
	switch status {
	case http.StatusUnauthorized:
		return 0
	case http.StatusForbidden:
		return 1
	case http.StatusTooManyRequests:
		return 2
	}
	return -1
}

// denialClass classifies a 401, 403 or 429: as it was classified where the
// request was refused, else from the status and the route: a 429 is a
// throttle, a 401 a bad login or a missing session, a 403 on a route with
// a policy that policy's refusal.
func (s *Server) denialClass(c *gin.Context, rm *routeMetrics, status int) denial {
	if v, ok := c.Get(ctxDenial); ok {
		return v.(denial)
	}
	switch status {
	case http.StatusTooManyRequests:
		return denyThrottled
	case http.StatusUnauthorized:
		if rm.login {
			return denyBadCredentials
		}
		return denyNoSession
	}
	if r := s.byRoute[c.Request.Method][c.FullPath()]; r != nil && r.Access.action != 0 {
		if p := policy[r.Access.action]; p.author && p.onDocument {
			return denyNotAuthor
		}
		return denyRole
	}
	return denyOther
}

// credential is the kind of credential a request sent: what
// docsd_http_requests_by_credential_total counts.
type credential uint8

const (
	credentialNone credential = iota
	credentialSession
	credentialToken
	numCredentials
)

var credentialNames = [numCredentials]string{"none", "session", "token"}

// String is the credential's label value.
func (k credential) String() string { return credentialNames[k] }

// credentialOf is the credential r sent, valid or not: a bearer token, else
// the session cookie, else none.
func (s *Server) credentialOf(r *http.Request) credential {
	if _, ok := r.Header["Authorization"]; ok {
		return credentialToken
	}
	if _, err := r.Cookie(s.Sessions.CookieName()); err == nil {
		return credentialSession
	}
	return credentialNone
}
