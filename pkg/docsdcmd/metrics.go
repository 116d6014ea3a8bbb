package docsdcmd

import (
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/httpserver"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/version"
)

// metricsServer serves Prometheus metrics on server.metrics_addr, a
// listener of its own, so metrics are never on the public API port.
type metricsServer struct {
	reg     *prometheus.Registry
	srv     *httpserver.Server
	watcher sync.WaitGroup // logs a listener that stops before close
}

// listenMetrics registers docsd's process-wide collectors and listens on
// server.metrics_addr; it returns nil when that is empty (metrics off).
// The API registers its own collectors on registerer().
func listenMetrics(c config.Server, pool prometheus.Collector, deps api.Deps, store *session.Store) (*metricsServer, error) {
	if c.MetricsAddr == "" {
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
		}, func() float64 { h, _ := deps.SessionCache.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_session_cache_misses_total",
			Help: "Session lookups that read the database.",
		}, func() float64 { _, m := deps.SessionCache.Stats(); return float64(m) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_document_cache_hits_total",
			Help: "Document reads answered from this process's cache.",
		}, func() float64 { return float64(deps.Documents.Stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "docsd_document_cache_misses_total",
			Help: "Document reads that read the database.",
		}, func() float64 { return float64(deps.Documents.Stats().Misses) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "docsd_document_cache_bytes",
			Help: "Memory the document cache holds, as it counts it (at most cache.documents_bytes).",
		}, func() float64 { return float64(deps.Documents.Stats().Bytes) }),
	}
	if pool != nil {
		cs = append(cs, pool)
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
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := httpserver.New(httpserver.Config{
		Addr:              c.MetricsAddr,
		Handler:           mux,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ShutdownTimeout:   c.ShutdownTimeout,
	})
	if err := srv.Open(); err != nil {
		return nil, exitcode.Usagef("server.metrics_addr (%s): %v", config.EnvName("server.metrics_addr"), err)
	}
	return &metricsServer{reg: reg, srv: srv}, nil
}

// registerer is where the API registers its collectors: nil when metrics
// are off (a nil *Registry would not be a nil interface).
func (m *metricsServer) registerer() prometheus.Registerer {
	if m == nil {
		return nil
	}
	return m.reg
}

// serve says where metrics are served; a listener that stops before
// close is logged.
func (m *metricsServer) serve(log *slog.Logger) {
	if m == nil {
		return
	}
	log.Info("metrics listening", "url", m.srv.URL()+"/metrics")
	m.watcher.Go(func() {
		if err := m.srv.Err(); !errors.Is(err, net.ErrClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	})
}

// close stops the listener and waits for it and its watcher. A failure
// to serve was logged when it happened, and a scrape cut short by the
// shutdown timeout is no failure of docsd's.
func (m *metricsServer) close() {
	if m == nil {
		return
	}
	_ = m.srv.Close()
	m.watcher.Wait()
}

// poolMetrics is the collector of the backend's connection pool: the
// database/sql pool's figures (SQLite) or pgx's (PostgreSQL), under the same
// names where they mean the same; nil when the backend offers neither.
func poolMetrics(db any) prometheus.Collector {
	switch p := db.(type) {
	case interface{ Stats() sql.DBStats }:
		return sqlPoolMetrics(p.Stats)
	case interface{ PoolStat() *pgxpool.Stat }:
		return pgxPoolMetrics(p.PoolStat)
	}
	return nil
}

func sqlPoolMetrics(stats func() sql.DBStats) prometheus.Collector {
	m := poolMetricOf[sql.DBStats]
	return &poolCollector[sql.DBStats]{stats, []poolMetric[sql.DBStats]{
		m("max_open_connections", helpMaxOpen, prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		m("open_connections", helpOpen, prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		m("in_use_connections", helpInUse, prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.InUse) }),
		m("idle_connections", helpIdle, prometheus.GaugeValue, func(s sql.DBStats) float64 { return float64(s.Idle) }),
		m("wait_count_total", helpWaits, prometheus.CounterValue, func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		m("wait_duration_seconds_total", helpWaitTime, prometheus.CounterValue, func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	}}
}

func pgxPoolMetrics(stats func() *pgxpool.Stat) prometheus.Collector {
	m := poolMetricOf[*pgxpool.Stat]
	return &poolCollector[*pgxpool.Stat]{stats, []poolMetric[*pgxpool.Stat]{
		m("max_open_connections", helpMaxOpen, prometheus.GaugeValue, func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }),
		m("open_connections", helpOpen+" Includes connections being opened.", prometheus.GaugeValue, func(s *pgxpool.Stat) float64 { return float64(s.TotalConns()) }),
		m("in_use_connections", helpInUse, prometheus.GaugeValue, func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }),
		m("idle_connections", helpIdle, prometheus.GaugeValue, func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }),
		m("wait_count_total", helpWaits+pgxWait, prometheus.CounterValue, func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) }),
		m("wait_duration_seconds_total", helpWaitTime+pgxWait, prometheus.CounterValue, func(s *pgxpool.Stat) float64 { return s.EmptyAcquireWaitTime().Seconds() }),
		m("acquires_total", "Connections taken from the pool, waiting or not (PostgreSQL only).", prometheus.CounterValue, func(s *pgxpool.Stat) float64 { return float64(s.AcquireCount()) }),
		m("acquire_duration_seconds_total", "Time spent taking connections from the pool, waiting or not (PostgreSQL only).", prometheus.CounterValue, func(s *pgxpool.Stat) float64 { return s.AcquireDuration().Seconds() }),
	}}
}

// The help texts of the figures both pools report.
const (
	helpMaxOpen  = "Maximum number of open connections to the database."
	helpOpen     = "Established connections, in use and idle."
	helpInUse    = "Connections in use."
	helpIdle     = "Idle connections."
	helpWaits    = "Times a request waited for a free connection."
	helpWaitTime = "Time spent waiting for a free connection."
	// pgx counts a wait whenever no connection was idle, even below the
	// maximum, where database/sql opens one without counting.
	pgxWait = " Includes waiting for a new connection to open."
)

// poolCollector exports a pool's statistics, of type S, at each scrape.
type poolCollector[S any] struct {
	stats   func() S
	metrics []poolMetric[S]
}

type poolMetric[S any] struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(S) float64
}

func poolMetricOf[S any](name, help string, kind prometheus.ValueType, value func(S) float64) poolMetric[S] {
	return poolMetric[S]{prometheus.NewDesc("docsd_db_"+name, help, nil, nil), kind, value}
}

// Describe implements prometheus.Collector.
func (p *poolCollector[S]) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range p.metrics {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector.
func (p *poolCollector[S]) Collect(ch chan<- prometheus.Metric) {
	s := p.stats()
	for _, m := range p.metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(s))
	}
}
