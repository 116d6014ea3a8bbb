package metrics

import (
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

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
