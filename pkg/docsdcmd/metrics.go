package docsdcmd

import (
	"errors"
	"log/slog"
	"net"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/httpserver"
	"github.com/docsd/docs/pkg/metrics"
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
func listenMetrics(c config.Server, src metrics.Sources) (*metricsServer, error) {
	if c.MetricsAddr == "" {
		return nil, nil
	}
	reg, err := metrics.NewRegistry(src)
	if err != nil {
		return nil, err
	}
	srv := httpserver.New(httpserver.Config{
		Addr:              c.MetricsAddr,
		Handler:           metrics.Handler(reg),
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
	log.Info("metrics listening", "url", m.srv.URL()+metrics.ScrapePath())
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
