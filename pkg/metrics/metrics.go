// Package metrics is every Prometheus collector docsd exposes, with its
// name, labels and help text, and the routes of the listener that serves
// them (server.metrics_addr). The API counts requests through HTTP; the
// process-wide figures (runtime, build, sessions, caches, the database
// pool) are read at each scrape from the sources NewRegistry is given.
package metrics

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/version"
)

// Sources are what the process-wide collectors read at each scrape.
type Sources struct {
	Sessions     *session.Store
	SessionCache *cache.Sessions
	Documents    *cache.Documents
	// DB is the backend, whose connection pool is exported when it has
	// one docsd knows (see poolMetrics).
	DB any
}

// NewRegistry returns a registry holding docsd's process-wide collectors.
// The API registers its own on it (NewHTTP).
func NewRegistry(src Sources) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "docsd_build_info",
		Help: "Always 1; the labels say which docsd is running.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(version.String(), runtime.Version()).Set(1)
	cs := []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_sessions_created_total",
			Help: "Sessions created by logins and password changes.",
		}, func() float64 { return float64(src.Sessions.Stats().Created) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_session_cache_hits_total",
			Help: "Session lookups answered from this process's cache.",
		}, func() float64 { h, _ := src.SessionCache.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_session_cache_misses_total",
			Help: "Session lookups that read the database.",
		}, func() float64 { _, m := src.SessionCache.Stats(); return float64(m) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_document_cache_hits_total",
			Help: "Document reads answered from this process's cache.",
		}, func() float64 { return float64(src.Documents.Stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_document_cache_misses_total",
			Help: "Document reads that read the database.",
		}, func() float64 { return float64(src.Documents.Stats().Misses) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "docsd_document_cache_bytes",
			Help: "Memory the document cache holds, as it counts it (at most cache.documents_bytes).",
		}, func() float64 { return float64(src.Documents.Stats().Bytes) }),
	}
	if pool := poolMetrics(src.DB); pool != nil {
		cs = append(cs, pool)
	}
	for i, reason := range session.EndReasons {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "docsd_sessions_ended_total",
			Help:        "Sessions this process ended, by reason (a password change or `docsd user` ends others in the database, not counted here).",
			ConstLabels: prometheus.Labels{"reason": reason},
		}, func() float64 { return float64(src.Sessions.Stats().Ended[i]) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}
