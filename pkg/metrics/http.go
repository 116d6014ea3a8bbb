package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP are the collectors of the API's requests. The API counts into them
// (pkg/api's count middleware) with its own label values: route names,
// denial classes and login outcomes.
type HTTP struct {
	Requests *prometheus.CounterVec   // route, method, status
	Latency  *prometheus.HistogramVec // route
	Denials  *prometheus.CounterVec   // route, status, reason
	Logins   *prometheus.CounterVec   // outcome
	// Credentials count requests by the credential they sent.
	Credentials *prometheus.CounterVec // credential
}

// NewHTTP registers the API's collectors on reg. loginOutcomes are the
// values of docsd_logins_total's outcome label, which its help lists.
func NewHTTP(reg prometheus.Registerer, loginOutcomes []string) (*HTTP, error) {
	h := &HTTP{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "docsd_http_requests_total",
			Help: "HTTP requests answered, by route name, method and status.",
		}, []string{"route", "method", "status"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "docsd_http_request_duration_seconds",
			Help:    "Time from the request reaching the engine to the handler's return, by route name.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		Denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "docsd_http_denials_total",
			Help: "Requests answered 401, 403 or 429, by route name, status and reason class.",
		}, []string{"route", "status", "reason"}),
		Logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "docsd_logins_total",
			Help: "POST /login attempts by outcome: " + strings.Join(loginOutcomes, ", ") + ".",
		}, []string{"outcome"}),
		Credentials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "docsd_http_requests_by_credential_total",
			Help: "HTTP requests answered, by the credential they sent: none, session (a cookie) or token (Authorization: Bearer).",
		}, []string{"credential"}),
	}
	for _, c := range []prometheus.Collector{h.Requests, h.Latency, h.Denials, h.Logins, h.Credentials} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return h, nil
}
