package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Route is one route of the metrics listener. The listener has no session
// guard: whoever reaches server.metrics_addr may call every route, which
// is why it is a listener of its own and off by default.
type Route struct {
	Name    string
	Method  string
	Path    string
	Summary string
	handler func(*prometheus.Registry) http.Handler
}

// scrape is the route Prometheus scrapes.
var scrape = Route{Name: "metrics", Method: http.MethodGet, Path: "/metrics", Summary: "Prometheus metrics", handler: func(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}}

// routes is the whole metrics listener: Handler is built by looping over
// it and `docsd routes` prints it.
var routes = []Route{scrape}

// ScrapePath is the path of the route Prometheus scrapes.
func ScrapePath() string { return scrape.Path }

// Routes returns a copy of the metrics listener's route table.
func Routes() []Route {
	return append([]Route(nil), routes...)
}

// Handler serves the routes of the metrics listener from reg.
func Handler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.Method+" "+r.Path, r.handler(reg))
	}
	return mux
}
