package main

import (
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docsd/docs/pkg/authcache"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/version"
)

// metricsServer serves Prometheus metrics on server.metrics_addr, a
// listener of its own, so metrics are never on the public API port.
type metricsServer struct {
	reg *prometheus.Registry
	ln  net.Listener
	srv *http.Server
}

// listenMetrics registers docsd's process-wide collectors and listens on
// server.metrics_addr; it returns nil when that is empty (metrics off).
// The API registers its own collectors on registerer().
func (e *env) listenMetrics(pool func() sql.DBStats, cache *authcache.Cache, store *session.Store) (*metricsServer, error) {
	addr := e.cfg.GetString("server.metrics_addr")
	if addr == "" {
		return nil, nil
	}
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
		}, func() float64 { return float64(store.Stats().Created) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_session_cache_hits_total",
			Help: "Session lookups answered from this process's cache.",
		}, func() float64 { h, _ := cache.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_session_cache_misses_total",
			Help: "Session lookups that read the database.",
		}, func() float64 { _, m := cache.Stats(); return float64(m) }),
	}
	if pool != nil {
		cs = append(cs, dbStats(pool))
	}
	for i, reason := range session.EndReasons {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "docsd_sessions_ended_total",
			Help:        "Sessions this process ended, by reason (a password change or `docsd user` ends others in the database, not counted here).",
			ConstLabels: prometheus.Labels{"reason": reason},
		}, func() float64 { return float64(store.Stats().Ended[i]) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageErrorf("server.metrics_addr (DOCSD_SERVER_METRICS_ADDR): %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: e.cfg.GetDuration("server.read_header_timeout")}
	return &metricsServer{reg: reg, ln: ln, srv: srv}, nil
}

// registerer is where the API registers its collectors: nil when metrics
// are off (a nil *Registry would not be a nil interface).
func (m *metricsServer) registerer() prometheus.Registerer {
	if m == nil {
		return nil
	}
	return m.reg
}

// serve serves metrics until close.
func (m *metricsServer) serve(log *slog.Logger) {
	if m == nil {
		return
	}
	log.Info("metrics listening", "url", "http://"+m.ln.Addr().String()+"/metrics")
	go func() {
		if err := m.srv.Serve(m.ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
}

func (m *metricsServer) close() {
	if m != nil {
		m.srv.Close()
	}
}

// poolCollector exports the database pool's statistics at each scrape.
type poolCollector struct {
	stats   func() sql.DBStats
	metrics []poolMetric
}

type poolMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(sql.DBStats) float64
}

func dbStats(stats func() sql.DBStats) prometheus.Collector {
	m := func(name, help string, kind prometheus.ValueType, value func(sql.DBStats) float64) poolMetric {
		return poolMetric{prometheus.NewDesc("docsd_db_"+name, help, nil, nil), kind, value}
	}
	return &poolCollector{stats, []poolMetric{
		m("max_open_connections", "Maximum number of open connections to the database.", prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		m("open_connections", "Established connections, in use and idle.", prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		m("in_use_connections", "Connections in use.", prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.InUse) }),
		m("idle_connections", "Idle connections.", prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.Idle) }),
		m("wait_count_total", "Times a request waited for a free connection.", prometheus.CounterValue, func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		m("wait_duration_seconds_total", "Time spent waiting for a free connection.", prometheus.CounterValue, func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	}}
}

// Describe implements prometheus.Collector.
func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range p.metrics {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector.
func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.stats()
	for _, m := range p.metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(s))
	}
}
